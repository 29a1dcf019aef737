/**
 * mathjs, loaded on first use through its CommonJS build. Its ESM build is
 * thousands of modules: importing it under a TypeScript loader costs seconds on
 * every CLI start, and only exact arithmetic needs it.
 */
import { createRequire } from 'node:module';
import type { MathJsInstance } from 'mathjs';

let instance: MathJsInstance | undefined;

/**
 * The default mathjs instance (BigInt-based Fractions in mathjs 15).
 *
 * @example
 * ```ts
 * const f = mathjs().fraction(1n, 3n);
 * ```
 */
export function mathjs(): MathJsInstance {
  // The require is made here, not at import: the browser host's bundle of an adapter
  // that imports this file (through reference/convTranspose.ts) gets an empty
  // node:module, and never calls this.
  instance ??= createRequire(import.meta.url)('mathjs') as MathJsInstance;
  return instance;
}
