/**
 * The error bound of a Winograd (Toom-Cook) convolution, derived from its
 * transforms rather than fitted to observed errors (docs/tolerance.md,
 * "Winograd", has the full derivation). For F(m, r) along one axis, with output
 * transform Aᵀ (m×α), filter transform G (α×r) and input transform Bᵀ (α×α),
 * α = m + r − 1, output i of a tile is
 *
 *   y_i = Σ_t Aᵀ[i,t] · (G g)_t · (Bᵀ d)_t,
 *
 * and when every operation rounds with |δ| ≤ u the computed value obeys
 * |ŷ_i − y_i| ≤ γ_n · Σ_t |Aᵀ[i,t]| (|G||g|)_t (|Bᵀ||d|)_t, n being the number of
 * roundings along any path. Expanded, the right side is Σ_k Σ_j K_i[k,j] |g_k| |d_j|
 * with K_i[k,j] = Σ_t |Aᵀ[i,t]| |G[t,k]| |Bᵀ[t,j]|. Where a tile starts is the
 * kernel's business, so the bound takes the worst position in the tile:
 * K*[k, j'] = max_i K_i[k, j'+i] for offsets j' ∈ [−(m−1), α−1] from the output's
 * own first tap. The magnitude Σ_k Σ_j' K*[k,j'] |g_k| |d_{o+j'}| is then a plain
 * correlation of |input| with a widened kernel, which the oracle computes. On
 * several axes the transforms are nested, so K* is the outer product of the axes'.
 */

/** The three transforms of F(m, r), as dense row-major matrices of doubles. */
export interface WinogradMatrices {
  /** Output transform Aᵀ: m rows × α columns. */
  AT: readonly (readonly number[])[];
  /** Filter transform G: α rows × r columns. */
  G: readonly (readonly number[])[];
  /** Input transform Bᵀ: α rows × α columns. */
  BT: readonly (readonly number[])[];
}

/** How many roundings one application of a transform (one axis) costs. */
export interface TransformRounding {
  /** Most nonzeros in a row: each row is a dot product of that many terms. */
  terms: number;
  /** Every row is a single ±2^k: the transform is exact (the identity of F(1, 1)). */
  exact: boolean;
  /** Every entry is exactly representable in float32 (so storing it adds no rounding). */
  stored: boolean;
}

/** The bound of one axis: F(m, r) with its derived constants. Serializable as JSON. */
export interface WinogradAxisBound {
  /** Outputs per tile along the axis (1 for a single-tap axis, which is not transformed). */
  m: number;
  /** Kernel extent along the axis. */
  r: number;
  /**
   * K*: r rows × (2m + r − 2) columns. Column c is the input offset c − (m − 1)
   * from the output's first tap; entry [k][c] bounds how much |g_k|·|d| at that
   * offset can contribute to the rounding error of the output.
   */
  magnitudeKernel: number[][];
  filter: TransformRounding;
  input: TransformRounding;
  output: TransformRounding;
  /**
   * Σ_k Σ_c K*[k][c]: for a constant input and filter, how many times larger
   * than the direct magnitude Σ|g||d| (= r) the Winograd magnitude is, times r.
   * A report figure; the bound uses K* itself.
   */
  amplification: number;
}

/** The bound model of a Winograd kernel on one problem: one axis bound per spatial axis. */
export interface WinogradBoundModel {
  kind: 'winograd';
  /** The kernel's tile size (axes with a single tap use 1). */
  m: number;
  axes: WinogradAxisBound[];
}

function checkMatrix(name: string, a: readonly (readonly number[])[], rows: number, cols: number) {
  const ok =
    a.length === rows && a.every((row) => row.length === cols && row.every(Number.isFinite));
  if (!ok)
    throw new RangeError(`winogradAxisBound: ${name} must be a finite ${rows}×${cols} matrix`);
}

function isPowerOfTwo(v: number): boolean {
  const a = Math.abs(v);
  return a > 0 && 2 ** Math.round(Math.log2(a)) === a;
}

function roundingOf(a: readonly (readonly number[])[]): TransformRounding {
  const nonzeros = a.map((row) => row.filter((v) => v !== 0));
  return {
    terms: Math.max(...nonzeros.map((row) => row.length)),
    exact: nonzeros.every((row) => row.length === 1 && isPowerOfTwo(row[0]!)),
    stored: a.every((row) => row.every((v) => Math.fround(v) === v)),
  };
}

/**
 * Throws unless the transforms compute the correlation of r taps over m
 * outputs: Σ_t Aᵀ[i,t] G[t,k] Bᵀ[t,j] must be 1 where j − i = k and 0
 * elsewhere (to 1e−9: the doubles of 1/6 and the like are not exact).
 */
function checkComputesCorrelation(m: number, r: number, t: WinogradMatrices): void {
  const alpha = m + r - 1;
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < r; k++) {
      for (let j = 0; j < alpha; j++) {
        let sum = 0;
        for (let s = 0; s < alpha; s++) sum += t.AT[i]![s]! * t.G[s]![k]! * t.BT[s]![j]!;
        const expected = j - i === k ? 1 : 0;
        if (Math.abs(sum - expected) > 1e-9) {
          throw new RangeError(
            `winogradAxisBound: transforms are not F(${m}, ${r}): output ${i}, tap ${k}, ` +
              `input ${j} has coefficient ${sum}, expected ${expected}`,
          );
        }
      }
    }
  }
}

/**
 * Derives the bound of one axis from its F(m, r) transforms. Throws when the
 * matrices have the wrong shapes or do not compute the correlation.
 *
 * @example
 * ```ts
 * const axis = winogradAxisBound(2, 3, {
 *   AT: [[1, 1, 1, 0], [0, 1, -1, -1]],
 *   G: [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]],
 *   BT: [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
 * });
 * axis.magnitudeKernel.length; // 3 rows (r), each of 2m + r − 2 = 5 columns
 * ```
 */
export function winogradAxisBound(m: number, r: number, t: WinogradMatrices): WinogradAxisBound {
  if (!Number.isSafeInteger(m) || m < 1 || !Number.isSafeInteger(r) || r < 1) {
    throw new RangeError(`winogradAxisBound: m and r must be positive integers, got ${m}, ${r}`);
  }
  const alpha = m + r - 1;
  checkMatrix('AT', t.AT, m, alpha);
  checkMatrix('G', t.G, alpha, r);
  checkMatrix('BT', t.BT, alpha, alpha);
  checkComputesCorrelation(m, r, t);
  const width = 2 * m + r - 2;
  const magnitudeKernel = Array.from({ length: r }, () => new Array<number>(width).fill(0));
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < r; k++) {
      for (let j = 0; j < alpha; j++) {
        let entry = 0;
        for (let s = 0; s < alpha; s++) {
          entry += Math.abs(t.AT[i]![s]! * t.G[s]![k]! * t.BT[s]![j]!);
        }
        // Offset j − i from the output's first tap lives in column j − i + m − 1.
        const row = magnitudeKernel[k]!;
        row[j - i + m - 1] = Math.max(row[j - i + m - 1]!, entry);
      }
    }
  }
  return {
    m,
    r,
    magnitudeKernel,
    filter: roundingOf(t.G),
    input: roundingOf(t.BT),
    output: roundingOf(t.AT),
    amplification: magnitudeKernel.flat().reduce((a, b) => a + b, 0),
  };
}

/**
 * The bound of an axis that is not transformed (a single tap, F(1, 1)): the
 * identity, with no rounding and K* = [[1]].
 *
 * @example
 * ```ts
 * identityAxisBound().magnitudeKernel; // [[1]]
 * ```
 */
export function identityAxisBound(): WinogradAxisBound {
  return winogradAxisBound(1, 1, { AT: [[1]], G: [[1]], BT: [[1]] });
}

/**
 * Roundings along any path through one transform nested over the axes.
 * Applied axis by axis, each axis is a dot product of `terms` terms with
 * possibly rounded coefficients (terms + 1 roundings; none for an exact axis).
 * Applied as one Kronecker product, it is a single dot product of Π terms
 * (+1 for the rounded product coefficients). The larger count holds for both.
 *
 * @example
 * ```ts
 * transformStages([{ terms: 3, exact: false, stored: true }, { terms: 3, exact: false, stored: true }]);
 * // max(3 + 3, 3·3 + 1) = 10
 * ```
 */
export function transformStages(axes: readonly TransformRounding[]): number {
  if (axes.every((a) => a.exact)) return 0;
  const separable = axes.reduce((n, a) => n + (a.exact ? 0 : a.terms + (a.stored ? 0 : 1)), 0);
  const kronecker = axes.reduce((n, a) => n * a.terms, 1) + 1;
  return Math.max(separable, kronecker);
}

/**
 * Roundings along any path of a Winograd convolution before the accumulation
 * over input channels: filter, input and output transforms (nested over the
 * axes) and the elementwise product.
 *
 * @example
 * ```ts
 * winogradStages(model); // F(2×2, 3×3): 10 + 5 + 10 + 1 = 26
 * ```
 */
export function winogradStages(model: WinogradBoundModel): number {
  return (
    transformStages(model.axes.map((a) => a.filter)) +
    transformStages(model.axes.map((a) => a.input)) +
    transformStages(model.axes.map((a) => a.output)) +
    1
  );
}
