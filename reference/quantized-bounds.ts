/**
 * What a QLinearConv implementation may return when it rescales in floating point:
 * the exact result, or ±1 next to a rounding tie, and nothing else. Derivation:
 * docs/quantized.md ("The rescale: exact in the oracle, bounded for implementations").
 */
import { roundHalfEven } from './float.ts';
import type { ConvProblem } from './problem.ts';
import {
  channelOf,
  type ExactMultiplier,
  outputArray,
  type QLinearConvParameters,
  type QuantizedArray,
  qlinearSetup,
  roundRationalHalfEven,
  saturate,
} from './quantized.ts';

/**
 * Relative error a floating-point rescale may add before the final rounding: five
 * float32 roundings (x_scale·w_scale, ÷ y_scale, the accumulator converted to float,
 * the product, + y_zero_point), γ_5 = 5u/(1 − 5u) with u = 2^−24, rounded up to 6u.
 * Fixed-point requantizers (a 31-bit multiplier, rounding shifts) err far less.
 * Derivation: docs/quantized.md.
 */
export const RESCALE_RELATIVE_ERROR = 6 * 2 ** -24;

/** Per output: the oracle's value and the admissible range around it. */
export interface QLinearBounds {
  /** The exact result (= referenceQLinearConv). */
  expected: QuantizedArray;
  /** Smallest admissible output: expected, or expected − 1 next to a rounding tie. */
  low: QuantizedArray;
  /** Largest admissible output: expected, or expected + 1 next to a rounding tie. */
  high: QuantizedArray;
}

/** Powers of two whose products and quotients stay normal float32 numbers. */
const LARGEST_EXACT_EXPONENT = 40;

/** Whether `s` is 2^e with |e| ≤ 40: then x·w/y in any order is exact in float32. */
function isExactPowerOfTwo(s: number): boolean {
  const e = Math.round(Math.log2(s));
  return 2 ** e === s && Math.abs(e) <= LARGEST_EXACT_EXPONENT;
}

/** Whether acc·m is exactly k + ½ for an integer k (decided on the exact fraction). */
function isExactTie(acc: number, m: ExactMultiplier): boolean {
  const twice = 2n * BigInt(acc) * m.numerator;
  if (twice % m.denominator !== 0n) return false;
  return (twice / m.denominator) % 2n !== 0n;
}

/**
 * Below these, a rescale with power-of-two scales is exact in float32 in every step:
 * the accumulator converts exactly (< 2^24) and k + ½ + y_zp is representable (< 2^22).
 */
const EXACT_ACCUMULATOR = 2 ** 24;
const EXACT_HALF_INTEGER = 2 ** 22;

/**
 * The outputs a QLinearConv implementation may return when it rescales in floating
 * point. With w = acc·m + y_zp the exact pre-rounding value, an implementation
 * computes ŵ with |ŵ − w| ≤ δ = {@link RESCALE_RELATIVE_ERROR}·(|acc·m| + |y_zp|);
 * any of saturate(round(v)) for v in [w − δ, w + δ] is admissible, and no other.
 * The range is wider than the exact value only where w lies within δ of a tie
 * k + ½, and then by exactly 1 — except at an exact tie that every floating-point
 * rescale computes exactly (power-of-two scales, |acc| < 2^24, an even y_zp, so
 * that neither order of "+ y_zp" and rounding changes the tie): there δ = 0 and
 * only the half-to-even result is admitted, so a requantizer that rounds ties away
 * from zero is caught.
 *
 * @example
 * ```ts
 * const { expected, low, high } = qlinearConvBounds(p, x, w, params, bias);
 * const ok = got.every((v, i) => low[i]! <= v && v <= high[i]!);
 * ```
 */
export function qlinearConvBounds(
  problem: ConvProblem,
  x: QuantizedArray,
  w: QuantizedArray,
  params: QLinearConvParameters,
  bias?: Int32Array,
): QLinearBounds {
  const s = qlinearSetup(problem, x, w, params, bias);
  const length = s.accumulators.length;
  const expected = outputArray(s.yType, length);
  const low = outputArray(s.yType, length);
  const high = outputArray(s.yType, length);
  const exactScales = s.scales.w.map(
    (ws) => isExactPowerOfTwo(s.scales.x) && isExactPowerOfTwo(ws) && isExactPowerOfTwo(s.scales.y),
  );
  for (let i = 0; i < length; i++) {
    const channel = channelOf(i, s);
    const m = s.multipliers[channel]!;
    const acc = s.accumulators[i]!;
    const exact = roundRationalHalfEven(acc, m);
    expected[i] = saturate(exact + s.yZero, s.yType);
    // In float64, acc·m is off by at most three roundings (x·w, ÷ y, × acc), < 2^−50
    // relative: widen δ by that much, so that this interval contains the exact one.
    const value = acc * m.value;
    const computedExactly =
      exactScales[channel]! &&
      Math.abs(acc) < EXACT_ACCUMULATOR &&
      s.yZero % 2 === 0 &&
      Math.abs(value) + Math.abs(s.yZero) < EXACT_HALF_INTEGER;
    if (computedExactly && isExactTie(acc, m)) {
      low[i] = expected[i]!;
      high[i] = expected[i]!;
      continue;
    }
    const delta =
      RESCALE_RELATIVE_ERROR * (Math.abs(value) + Math.abs(s.yZero)) + 2 ** -50 * Math.abs(value);
    const lowest = Math.min(exact, roundHalfEven(value - delta));
    const highest = Math.max(exact, roundHalfEven(value + delta));
    low[i] = saturate(lowest + s.yZero, s.yType);
    high[i] = saturate(highest + s.yZero, s.yType);
  }
  return { expected, low, high };
}
