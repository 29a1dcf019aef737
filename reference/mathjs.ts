/**
 * mathjs, loaded on first use through its CommonJS build. Its ESM build is
 * thousands of modules: importing it under a TypeScript loader costs seconds on
 * every CLI start, and only exact arithmetic needs it.
 */
import { createRequire } from 'node:module';
import type { MathJsInstance } from 'mathjs';

const require = createRequire(import.meta.url);
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
  instance ??= require('mathjs') as MathJsInstance;
  return instance;
}
