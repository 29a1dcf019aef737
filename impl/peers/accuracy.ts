/**
 * How far a float32 direct-sum convolution may lie from the float64 oracle,
 * per element, and a comparison that applies it: the accuracy column of the
 * benchmark (scripts/bench). It reports, it does not judge: every verdict of
 * the harness, the peer tests' included, comes from properties/judge/judge.ts.
 *
 * Derivation. Each output is y = b + Σ_{i<n} x_i·w_i with n = reductionLength
 * (padding taps multiply real zeros). With u = 2^-24 (float32 unit roundoff),
 * round-to-nearest gives fl(a ∘ b) = (a ∘ b)(1 + δ), |δ| ≤ u. Summing the n + 1
 * terms (n products and the bias) in any order — sequential, pairwise, blocked
 * GEMM, any binary tree — puts at most n additions on the path from any term to
 * the result, and each product term carries one more rounding from its
 * multiplication. So each term is multiplied by at most n + 1 factors (1 + δ),
 * and Higham's Lemma 3.1 (Accuracy and Stability of Numerical Algorithms, §3.1)
 * bounds the product of k such factors by 1 + θ_k, |θ_k| ≤ γ_k = k·u/(1 − k·u):
 *
 *   |ŷ − y| ≤ γ_{n+1} · (|b| + Σ|x_i·w_i|) = γ_{n+1} · bnd,
 *
 * where bnd is the same convolution on |x|, |w|, |b| (TOSA's `bnd`). A fused
 * multiply-add removes a rounding, and adding the bias after rounding the sum
 * is just one more tree shape, so both stay inside the bound; so does
 * accumulating in float64 and rounding once at the end (the 2^-53 roundings are
 * far below u). Inputs are float32 already, so they carry no conversion error.
 *
 * Two small terms make the check rigorous against the float64 oracle itself:
 * - the oracle's own error, γ_{n+1}(2^-53)·bnd, and the error in bnd (computed
 *   in float64), covered by the factor (1 + 2^-20) for any n < 2^32;
 * - underflow: a product rounded into the subnormal range has an absolute
 *   error up to 2^-150 instead of a relative one (subnormal additions are
 *   exact), so n·2^-149 is added. A kernel that flushes subnormals to zero can
 *   exceed this only on data with subnormal products.
 *
 * Non-finite oracle values must be matched exactly (NaN by NaN, ±Inf by the
 * same infinity).
 */
import { gamma, unitRoundoff } from '../../reference/float.ts';
import {
  type ConvGeometry,
  type ConvProblem,
  type FloatArray,
  referenceConv,
} from '../../reference/index.ts';

/** Half the smallest float32 subnormal, doubled: the underflow slack per product. */
const FLOAT32_UNDERFLOW = 2 ** -149;

/**
 * The per-element tolerance for a float32 direct-sum kernel, given that
 * element's magnitude bnd = conv(|x|, |w|, |b|).
 *
 * @example
 * ```ts
 * float32DirectTolerance(convGeometry(p), 10); // ≈ (n + 1)·2^-24·10
 * ```
 */
export function float32DirectTolerance(g: ConvGeometry, magnitude: number): number {
  const terms = g.reductionLength + 1;
  const relative =
    gamma(terms, unitRoundoff('float32')) * (1 + 2 ** -20) + gamma(terms, unitRoundoff('float64'));
  return relative * magnitude + g.reductionLength * FLOAT32_UNDERFLOW;
}

/** The oracle's answer and magnitude for one problem and its data. */
export interface OracleOutput {
  /** referenceConv(p, x, w, b), float64. */
  expected: Float64Array;
  /** referenceConv(p, |x|, |w|, |b|): the scale of each element's rounding error. */
  magnitude: Float64Array;
}

/**
 * The scale of each output's rounding error: the oracle on |x|, |w|, |b|.
 *
 * @example
 * ```ts
 * const bnd = magnitudeOf(p, x, w, b);
 * ```
 */
export function magnitudeOf(
  p: ConvProblem,
  input: FloatArray,
  weight: FloatArray,
  bias?: FloatArray,
): Float64Array {
  const abs = (a: FloatArray) => Float64Array.from(a, Math.abs);
  return referenceConv(p, abs(input), abs(weight), bias && abs(bias));
}

/**
 * Runs the oracle on the data and on its absolute values.
 *
 * @example
 * ```ts
 * const { expected, magnitude } = oracleOutput(p, x, w, b);
 * ```
 */
export function oracleOutput(
  p: ConvProblem,
  input: FloatArray,
  weight: FloatArray,
  bias?: FloatArray,
): OracleOutput {
  return {
    expected: referenceConv(p, input, weight, bias),
    magnitude: magnitudeOf(p, input, weight, bias),
  };
}

/** The worst element of a comparison. */
export interface Mismatch {
  index: number;
  got: number;
  expected: number;
  tolerance: number;
}

/** Outcome of {@link compareWithTolerance}. */
export interface ToleranceCheck {
  /** Elements outside their tolerance (or with a different length: every element). */
  failures: number;
  /** The first element outside its tolerance, if any. */
  first: Mismatch | undefined;
  /** Largest |got − expected| / tolerance over finite elements (0 when all exact). */
  worstRatio: number;
}

function sameNonFinite(got: number, expected: number): boolean {
  return Number.isNaN(expected) ? Number.isNaN(got) : got === expected;
}

/**
 * Compares `got` with the oracle element by element, each within
 * `toleranceOf(magnitude[i], i)`.
 *
 * @example
 * ```ts
 * const g = convGeometry(p);
 * const c = compareWithTolerance(y, oracleOutput(p, x, w), (m) => float32DirectTolerance(g, m));
 * if (c.failures > 0) console.log(c.first);
 * ```
 */
export function compareWithTolerance(
  got: ArrayLike<number>,
  oracle: OracleOutput,
  toleranceOf: (magnitude: number, index: number) => number,
): ToleranceCheck {
  const { expected, magnitude } = oracle;
  if (got.length !== expected.length) {
    return { failures: expected.length, first: undefined, worstRatio: Number.POSITIVE_INFINITY };
  }
  let failures = 0;
  let first: Mismatch | undefined;
  let worstRatio = 0;
  for (let i = 0; i < expected.length; i++) {
    const y = got[i]!;
    const e = expected[i]!;
    const tolerance = toleranceOf(magnitude[i]!, i);
    const finite = Number.isFinite(e);
    const error = Math.abs(y - e);
    const ok = finite ? error <= tolerance : sameNonFinite(y, e);
    if (finite && error > 0) worstRatio = Math.max(worstRatio, error / tolerance);
    if (!ok) {
      failures++;
      first ??= { index: i, got: y, expected: e, tolerance };
    }
  }
  return { failures, first, worstRatio };
}
