/**
 * Convolution as polynomial multiplication, the frame of the independent
 * oracles in this folder. Nothing here comes from reference/ (only the problem
 * type): sizes are derived again, from the polynomial picture.
 *
 * One spatial axis. Let X(z) = Σ_i x[i] z^i (i < I) and, with dilation D,
 * W_D(z) = Σ_k w[k] z^(k·D): the dilated kernel is the polynomial in z^D. The
 * product P = X · W_D has coefficients P[m] = Σ_k x[m − k·D] w[k], m ∈ [0, R),
 * R = I + (K − 1)·D, with x = 0 outside [0, I): that is the zero padding.
 *
 * True convolution, output o with stride S and begin pad Pb (oracle definition
 * y[o] = Σ_k xpad[o·S + k·D] · w[K − 1 − k], xpad[j] = x[j − Pb]): put k' = K − 1 − k,
 *   y[o] = Σ_k' x[o·S − Pb + (K − 1 − k')·D] w[k'] = P[m] with m = o·S − Pb + (K − 1)·D.
 * Cross-correlation (y[o] = Σ_k xpad[o·S + k·D] w[k]) multiplies by the reversed
 * kernel W_D^rev(z) = Σ_k w[k] z^((K − 1 − k)·D) instead; the same m comes out:
 *   P^rev[m] = Σ_k x[m − (K − 1 − k)·D] w[k], and m − (K − 1 − k)·D = o·S − Pb + k·D.
 * So y[o] = P[o·S − Pb + (K − 1)·D] when 0 ≤ m < R, and 0 otherwise (a window
 * wholly inside the padding). The end pad only decides how many outputs exist:
 * the last o with (o·S + (K − 1)·D) < I + Pb + Pe.
 *
 * N axes: the product of multivariate polynomials, flattened by Kronecker
 * substitution z_d = z^(stride_d) with mixed radices R_d (stride_d = Π_{e>d} R_e).
 * Every coefficient of the true product has digit m_d ≤ (I_d − 1) + (K_d − 1)·D_d
 * = R_d − 1 per axis, so no digit ever carries into the next: the flat product
 * holds the multivariate one exactly, read back at Σ_d m_d · stride_d.
 */
import type { ConvProblem } from '../../reference/problem.ts';

/** The polynomial layout of one problem. */
export interface PolynomialLayout {
  rank: number;
  /** Input extents I_d. */
  inputSize: number[];
  /** Output extents, from the polynomial picture (must equal the geometry's). */
  outputSize: number[];
  /** Radices R_d = I_d + (K_d − 1)·D_d: the extent of the full product per axis. */
  radix: number[];
  /** Flat stride of each axis in the substituted polynomial. */
  flatStride: number[];
  /** Length of the substituted input polynomial, Π R_d (its top digits are zero). */
  length: number;
  inChannelsPerGroup: number;
  outChannelsPerGroup: number;
  kernelVolume: number;
  inputVolume: number;
  outputVolume: number;
}

/**
 * The layout of a problem. Output sizes are counted, not taken from a formula:
 * o runs while the window's last tap o·S + (K − 1)·D stays inside the padded input.
 *
 * @example
 * ```ts
 * polynomialLayout(p).outputSize; // e.g. [5, 5]
 * ```
 */
export function polynomialLayout(p: ConvProblem): PolynomialLayout {
  const rank = p.inputSize.length;
  const outputSize = p.inputSize.map((size, d) => {
    const padded = size + p.padBegin[d]! + p.padEnd[d]!;
    const lastTap = (p.kernelSize[d]! - 1) * p.dilation[d]!;
    let count = 0;
    while (count * p.stride[d]! + lastTap < padded) count++;
    return count;
  });
  const radix = p.inputSize.map((size, d) => size + (p.kernelSize[d]! - 1) * p.dilation[d]!);
  const flatStride = new Array<number>(rank);
  let length = 1;
  for (let d = rank - 1; d >= 0; d--) {
    flatStride[d] = length;
    length *= radix[d]!;
  }
  const product = (a: readonly number[]) => a.reduce((v, n) => v * n, 1);
  return {
    rank,
    inputSize: [...p.inputSize],
    outputSize,
    radix,
    flatStride,
    length,
    inChannelsPerGroup: p.inChannels / p.groups,
    outChannelsPerGroup: p.outChannels / p.groups,
    kernelVolume: product(p.kernelSize),
    inputVolume: product(p.inputSize),
    outputVolume: product(outputSize),
  };
}

/** Row-major coordinates of `index` in a box of `extents`. */
function coordinates(index: number, extents: readonly number[]): number[] {
  const out = new Array<number>(extents.length);
  for (let d = extents.length - 1; d >= 0; d--) {
    out[d] = index % extents[d]!;
    index = Math.floor(index / extents[d]!);
  }
  return out;
}

/**
 * The substituted input polynomial of one channel plane (`plane` is the
 * row-major [...inputSize] block at `offset` of the input).
 *
 * @example
 * ```ts
 * const a = inputPolynomial(layout, x, ((n * p.inChannels) + c) * layout.inputVolume);
 * ```
 */
export function inputPolynomial(
  layout: PolynomialLayout,
  input: ArrayLike<number>,
  offset: number,
): Float64Array {
  const a = new Float64Array(layout.length);
  for (let i = 0; i < layout.inputVolume; i++) {
    const at = coordinates(i, layout.inputSize);
    let flat = 0;
    for (let d = 0; d < layout.rank; d++) flat += at[d]! * layout.flatStride[d]!;
    a[flat] = input[offset + i]!;
  }
  return a;
}

/**
 * The substituted, dilated kernel polynomial of weight row (oc, ci): taps at
 * k·D per axis for true convolution, (K − 1 − k)·D for cross-correlation.
 * Returned sparse, as (exponent, coefficient) pairs.
 *
 * @example
 * ```ts
 * const terms = kernelPolynomial(p, layout, w, (oc * cig + ci) * layout.kernelVolume);
 * ```
 */
export function kernelPolynomial(
  p: ConvProblem,
  layout: PolynomialLayout,
  weight: ArrayLike<number>,
  offset: number,
): { exponent: number; coefficient: number }[] {
  const reversed = p.mode === 'cross-correlation';
  const terms: { exponent: number; coefficient: number }[] = [];
  for (let k = 0; k < layout.kernelVolume; k++) {
    const tap = coordinates(k, p.kernelSize);
    let exponent = 0;
    for (let d = 0; d < layout.rank; d++) {
      const position = reversed ? p.kernelSize[d]! - 1 - tap[d]! : tap[d]!;
      exponent += position * p.dilation[d]! * layout.flatStride[d]!;
    }
    terms.push({ exponent, coefficient: weight[offset + k]! });
  }
  return terms;
}

/**
 * The exponent of the product polynomial that holds output `o` (a flat index
 * into [...outputSize]), or -1 when its window lies wholly in the padding.
 *
 * @example
 * ```ts
 * const m = outputExponent(p, layout, 0); // coefficient index of the first output
 * ```
 */
export function outputExponent(p: ConvProblem, layout: PolynomialLayout, o: number): number {
  const at = coordinates(o, layout.outputSize);
  let flat = 0;
  for (let d = 0; d < layout.rank; d++) {
    const m = at[d]! * p.stride[d]! - p.padBegin[d]! + (p.kernelSize[d]! - 1) * p.dilation[d]!;
    if (m < 0 || m >= layout.radix[d]!) return -1;
    flat += m * layout.flatStride[d]!;
  }
  return flat;
}

/**
 * Length of the substituted product polynomial: the input polynomial's length
 * plus the kernel polynomial's highest exponent, Σ_d (K_d − 1)·D_d·stride_d.
 *
 * @example
 * ```ts
 * new Float64Array(productLength(p, layout)); // room for every coefficient of the product
 * ```
 */
export function productLength(p: ConvProblem, layout: PolynomialLayout): number {
  let highest = 0;
  for (let d = 0; d < layout.rank; d++) {
    highest += (p.kernelSize[d]! - 1) * p.dilation[d]! * layout.flatStride[d]!;
  }
  return layout.length + highest;
}
