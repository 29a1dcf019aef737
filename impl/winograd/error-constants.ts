/**
 * Rounding-error constants of Winograd minimal filtering, derived from the exact
 * transforms in the style of Barabasz et al. (arXiv 1803.10986): every stage is a
 * matrix product whose floating-point error is bounded by the standard dot-product
 * bound, and all stages are bounded by one "absolute Winograd" quantity.
 *
 * Notation (one output tile, 1-D): d is the length-α input tile of channel c,
 * g_c its filter, u the unit roundoff (2^-24 for float32, 2^-53 for float64),
 * γ_n = n·u / (1 − n·u). A product with at most n nonzero terms per row has
 * |fl(Σ a_i b_i) − Σ a_i b_i| ≤ γ_n Σ |a_i b_i| in any summation order.
 *
 * The kernel computes û_c = fl(G g_c), v̂_c = fl(Bᵀ d_c), M̂ = fl(Σ_c û_c ⊙ v̂_c) (a dot
 * of K = C_in/groups products), ŷ = fl(Aᵀ M̂), then adds the bias. To first order
 * every error term is bounded by the same quantity
 *
 *   W_i = Σ_ξ |Aᵀ[i][ξ]| · Σ_c (|G| |g_c|)_ξ · (|Bᵀ| |d_c|)_ξ,
 *
 * and, rigorously (the product form keeps the higher-order terms),
 *
 *   |ŷ_i − y_i| ≤ c · W_i + u·|y_i + b|,
 *   c = (1+u)·(1+γ_K)·Π_stages (1+δ_S)(1+γ_{n_S}) − 1,
 *
 * over the stages S = Aᵀ, G, Bᵀ (each applied once per spatial dimension when
 * nested), with n_S the most nonzeros in a row of S and δ_S the error of storing
 * S in the dtype (0 when every entry is exactly representable, else u + 2^-53
 * because the float32 copy is rounded from the correctly rounded double).
 *
 * W_i needs the whole tile. Bounding |g_c| by ‖g_c‖∞ and |d_c| by ‖d_c‖∞ gives
 *
 *   W_i ≤ amp_i · S,   amp_i = Σ_ξ |Aᵀ[i][ξ]| · (Σ_k |G[ξ][k]|) · (Σ_j |Bᵀ[ξ][j]|),
 *   S = Σ_c ‖g_c‖∞ · ‖d_c‖∞ (max over the α-long input tile).
 *
 * For the nested 2-D form F(m×m', r×r') the factors multiply:
 * W_(i,i') ≤ amp_i · amp'_(i') · S with the maxima over the α×α' tile.
 *
 * Note that W_i involves every input of the tile, not just the r inputs of
 * output i's window: Winograd's error is not bounded by that output's own Σ|x·w|
 * (an output whose window lies wholly in zero padding next to real data has
 * y = 0 exactly but a rounding error of order u·amp·S).
 */
import type { Fraction } from 'mathjs';
import { gamma, unitRoundoff } from '../../reference/float.ts';
import {
  exactlyRepresentable,
  rational,
  type WinogradPoint,
  winogradTransforms,
} from './transforms.ts';

/** Norms and amplification factors of one F(m, r). All are exact values rounded to double. */
export interface WinogradErrorConstants {
  m: number;
  r: number;
  /** m + r − 1. */
  alpha: number;
  /** ‖Aᵀ‖∞ = max_i Σ_ξ |Aᵀ[i][ξ]| (largest absolute row sum of the m×α output transform). */
  normAT: number;
  /** ‖G‖∞ = max_ξ Σ_k |G[ξ][k]| (largest absolute row sum of the α×r filter transform). */
  normG: number;
  /** ‖Bᵀ‖∞ = max_ξ Σ_j |Bᵀ[ξ][j]| (largest absolute row sum of the α×α input transform). */
  normBT: number;
  /**
   * Per output i (length m): amp_i = Σ_ξ |Aᵀ[i][ξ]| · (Σ_k |G[ξ][k]|) · (Σ_j |Bᵀ[ξ][j]|),
   * so that W_i ≤ amp_i · ‖g‖∞ · ‖d‖∞ for one channel. amp_i ≤ ‖Aᵀ‖∞‖G‖∞‖Bᵀ‖∞.
   */
  amplification: number[];
  /** max_i amp_i. */
  maxAmplification: number;
  /**
   * The n of each stage's γ_n: the most nonzeros in a row of Aᵀ, G and Bᵀ (0 when every
   * row is a single ±2^k, which multiplies exactly).
   */
  dotLengths: { AT: number; G: number; BT: number };
  /** Whether Aᵀ, G, Bᵀ are stored without rounding, per dtype. */
  exact: {
    float32: { AT: boolean; G: boolean; BT: boolean };
    float64: { AT: boolean; G: boolean; BT: boolean };
  };
  /** The nested 2-D form F(m×m, r×r). */
  nested2D: {
    /** ‖Aᵀ‖∞² · ‖G‖∞² · ‖Bᵀ‖∞²: bounds every entry of `amplification`. */
    normProduct: number;
    /** Row-major m×m: amp_i · amp_j for output (i, j) of the tile. */
    amplification: number[];
    /** maxAmplification². */
    maxAmplification: number;
  };
}

function absRowSums(matrix: readonly Fraction[][]): Fraction[] {
  return matrix.map((row) => row.reduce((sum, v) => sum.add(v.abs()), rational(0)));
}

function maxOf(values: readonly Fraction[]): number {
  return Math.max(...values.map((v) => v.valueOf()));
}

/** A power of two (or its negative): multiplying by it is exact. */
function isPowerOfTwo(v: Fraction): boolean {
  const isPow2 = (x: bigint) => x > 0n && (x & (x - 1n)) === 0n;
  return isPow2(v.n) && isPow2(v.d);
}

/**
 * The n of a stage's γ_n: the most nonzeros in a row, except that a row whose only
 * nonzero is ±2^k computes exactly (0), as in the identity transforms of F(1, 1).
 */
function roundingTermsPerRow(matrix: readonly Fraction[][]): number {
  return Math.max(
    ...matrix.map((row) => {
      const nonzeros = row.filter((v) => v.n !== 0n);
      return nonzeros.length === 1 && isPowerOfTwo(nonzeros[0]!) ? 0 : nonzeros.length;
    }),
  );
}

/**
 * The error constants of F(m, r) for the default (or given) points.
 *
 * @example
 * ```ts
 * const k = winogradErrorConstants(4, 3);
 * k.normAT;            // 26: the row [0, 1, −1, 8, −8, 1]
 * k.maxAmplification;  // amp of the worst output of the tile
 * ```
 */
export function winogradErrorConstants(
  m: number,
  r: number,
  points?: readonly WinogradPoint[],
): WinogradErrorConstants {
  const t = winogradTransforms(m, r, points);
  const gSums = absRowSums(t.G);
  const bSums = absRowSums(t.BT);
  const amplification = t.AT.map((row) =>
    row
      .reduce((sum, a, xi) => sum.add(a.abs().mul(gSums[xi]!).mul(bSums[xi]!)), rational(0))
      .valueOf(),
  );
  const maxAmplification = Math.max(...amplification);
  const normAT = maxOf(absRowSums(t.AT));
  const normG = maxOf(gSums);
  const normBT = maxOf(bSums);
  const exactFor = (dtype: 'float32' | 'float64') => ({
    AT: exactlyRepresentable(t.AT, dtype),
    G: exactlyRepresentable(t.G, dtype),
    BT: exactlyRepresentable(t.BT, dtype),
  });
  return {
    m,
    r,
    alpha: t.alpha,
    normAT,
    normG,
    normBT,
    amplification,
    maxAmplification,
    dotLengths: {
      AT: roundingTermsPerRow(t.AT),
      G: roundingTermsPerRow(t.G),
      BT: roundingTermsPerRow(t.BT),
    },
    exact: { float32: exactFor('float32'), float64: exactFor('float64') },
    nested2D: {
      normProduct: (normAT * normG * normBT) ** 2,
      amplification: amplification.flatMap((a) => amplification.map((b) => a * b)),
      maxAmplification: maxAmplification ** 2,
    },
  };
}

export { unitRoundoff } from '../../reference/float.ts';

/** One spatial dimension of a (possibly nested) Winograd algorithm. */
export interface WinogradDimension {
  m: number;
  r: number;
  points?: readonly WinogradPoint[];
}

/** What {@link winogradRoundingFactor} needs. */
export interface WinogradRoundingOptions {
  /** One entry per nested spatial dimension (1 for 1-D, 2 for 2-D). */
  dimensions: readonly WinogradDimension[];
  dtype: 'float32' | 'float64';
  /** K = C_in / groups: the length of the channel sum in the GEMM stage. */
  channelsPerGroup: number;
}

/**
 * The factor c of |ŷ − y| ≤ c · W + u·|y + b| (see the module comment):
 * c = (1+u)(1+γ_K) Π_dims Π_{S ∈ Aᵀ,G,Bᵀ} (1+δ_S)(1+γ_{n_S}) − 1, where the leading
 * (1+u) accounts for the rounding of the bias addition acting on ŷ − y.
 *
 * @example
 * ```ts
 * const c = winogradRoundingFactor({
 *   dimensions: [{ m: 4, r: 3 }, { m: 4, r: 3 }], dtype: 'float32', channelsPerGroup: 64,
 * });
 * // error of output (i, j) ≤ c · amp_i · amp_j · Σ_c ‖g_c‖∞‖d_c‖∞ + 2^-24·|y|
 * ```
 */
export function winogradRoundingFactor(options: WinogradRoundingOptions): number {
  const u = unitRoundoff(options.dtype);
  const gammaN = (n: number): number => {
    if (n * u >= 1) throw new RangeError(`winogradRoundingFactor: γ_${n} undefined for this dtype`);
    return gamma(n, u);
  };
  const storage = (exact: boolean): number => (exact ? 0 : u + unitRoundoff('float64'));
  let factor = compose(u, gammaN(options.channelsPerGroup));
  for (const dim of options.dimensions) {
    const k = winogradErrorConstants(dim.m, dim.r, dim.points);
    const exact = k.exact[options.dtype];
    factor = compose(compose(factor, storage(exact.AT)), gammaN(k.dotLengths.AT));
    factor = compose(compose(factor, storage(exact.G)), gammaN(k.dotLengths.G));
    factor = compose(compose(factor, storage(exact.BT)), gammaN(k.dotLengths.BT));
  }
  return factor;
}

/**
 * (1 + a)(1 + b) − 1 for small a, b, as a + b + a·b: forming 1 + b in double would
 * round b to a multiple of 2^-52 (1 + 2^-53 is 1), losing the float64 terms and the
 * 2^-53 of a float32 storage rounding. This way the factor stays within a few ulps of
 * the exact product, a relative 10^-14 that the bound's 1 + 10^-12 margin covers.
 */
function compose(a: number, b: number): number {
  return a + b + a * b;
}
