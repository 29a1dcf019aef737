/** Imported by bare-import.mjs: TypeScript inside the bundle. */
export function twice(x: number): number {
  return 2 * x;
}
