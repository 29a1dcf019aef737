/**
 * The tolerance model: when is a kernel's output "equal to the oracle"?
 * Adapted from TOSA's dot-product compliance mode; the derivation of every
 * constant is in docs/tolerance.md.
 *
 * Per output element, with ref the float64 oracle and mag its magnitude
 * (Σ|x·w| + |b| for a dot product, the widened Winograd magnitude otherwise):
 *
 *   |got − ref| ≤ factor · ksb · max(u · mag, normalMin)
 *
 * where u is the dtype's unit roundoff, ksb the number of roundings along any
 * path of the computation and normalMin the dtype's smallest normal number (a
 * floor that absorbs underflow). mag = 0 requires an exact 0; a NaN reference
 * requires NaN; an infinite reference requires the same infinity; NaN where a
 * number is expected is an error. ±0 compare equal: the sign of a zero sum
 * depends on the summation order, which no kernel is required to follow.
 *
 * Over a whole tensor of at least 1000 judged outputs, the normalized errors
 * e = (got − ref) / max(u·mag, normalMin) must also satisfy
 * Σe² ≤ 1.6 · ksb · T (variance) and, for signed data, |Σe| ≤ √(16 · ksb · T)
 * (bias): an accumulator of too low a precision passes every element but not
 * the sum of squares.
 */

export {
  type BoundModel,
  type BoundParameters,
  boundParameters,
  elementBound,
  STATISTICS,
} from './tolerance/bounds.ts';
export {
  type CompareArgs,
  type Comparison,
  compareConvOutput,
  type ErrorStatistics,
  hasDtype,
  ulpOf,
  type WorstElement,
} from './tolerance/compare.ts';
export { magnitudeConv, magnitudeFor, magnitudeWinograd } from './tolerance/magnitude.ts';
export type { WinogradBoundModel } from './winogradBound.ts';
