/**
 * Special values in a 16-bit storage type: a result whose magnitude reaches the
 * type's overflow threshold is ±Inf once stored (float16: 65520 and beyond, the
 * largest finite 65504 plus half an ulp; IEEE overflow under round-to-nearest).
 * A storage kernel that returns the infinity there is right, not a failure; one
 * that saturates to the largest finite value, or returns a number, is wrong.
 * Used by both element judges (tolerance/compare.ts and precision/judge.ts).
 */
import { HALF_FORMATS, type HalfDType } from '../../reference/float16.ts';

/**
 * The smallest magnitude that rounds to infinity in a storage type.
 *
 * @example
 * ```ts
 * overflowThreshold('float16'); // 65520
 * ```
 */
export function overflowThreshold(storage: HalfDType): number {
  const f = HALF_FORMATS[storage];
  return f.maxFinite + 2 ** (f.bias - f.fractionBits - 1);
}

/**
 * How the storage type's overflow decides an element with a finite reference:
 * 'ok' when the kernel returned the infinity of the reference's sign and the
 * reference may overflow within the bound; 'fail' when every value within the
 * bound of the reference overflows but the kernel did not return that infinity;
 * undefined when the ordinary bound decides (the result is finite whatever the
 * error, or it may be either).
 *
 * @example
 * ```ts
 * storageOverflow(Infinity, 1e5, 10, 'float16'); // 'ok'
 * storageOverflow(65504, 1e5, 10, 'float16'); // 'fail': saturated instead of overflowing
 * storageOverflow(1000, 1000, 1, 'float16'); // undefined
 * ```
 */
export function storageOverflow(
  got: number,
  ref: number,
  bound: number,
  storage: HalfDType,
): 'ok' | 'fail' | undefined {
  const threshold = overflowThreshold(storage);
  const a = Math.abs(ref);
  if (!(a + bound >= threshold)) return undefined;
  if (got === (ref > 0 ? Infinity : -Infinity)) return 'ok';
  return a - bound >= threshold ? 'fail' : undefined;
}
