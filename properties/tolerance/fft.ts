/**
 * The FFT bound model (`--tolerance fft`): what FFT arithmetic promises for a
 * convolution computed as F⁻¹(Σ_c F a_c ⊙ F b_c), norm-wise per output plane.
 * The derivation, from Higham's analysis of the Cooley–Tukey FFT, is in
 * docs/tolerance.md ("FFT kernels"); every constant is named there.
 *
 * Per (n, oc) plane with C = Cin/groups channel pairs (a_c the padded input
 * plane, b_c its kernel), every output of the plane obeys
 *
 *   |got − ref| ≤ 2 · c · u · T,   T = Σ_c (‖a_c‖₂‖b_c‖₁ + ‖a_c‖₁‖b_c‖₂) + |bias|,
 *   c · u = 2ε + √2(γ₂ + γ_C) + 2u (+ γ_K of the float64 oracle), ε = ℓη / (1 − ℓη),
 *   η = μ + γ₄(√2 + μ), μ = 32u (twiddle error), ℓ = log₂ N,
 *
 * where N bounds the transform length: per axis twice the next power of two of
 * the full linear product (I + pads + (K − 1)·D), so that any transform long
 * enough to avoid wrap-around, rounded up to a power of two once more, is covered.
 */
import { gamma, unitRoundoff } from '../../reference/float.ts';
import { convGeometry } from '../../reference/geometry.ts';
import { paddedIndex } from '../../reference/padding-mode.ts';
import type { ConvProblem, DType } from '../../reference/problem.ts';

/** μ / u: the error of one computed twiddle factor (docs/tolerance.md, "FFT kernels"). */
export const TWIDDLE_ERROR_ULPS = 32;

/**
 * ε of Higham's Theorem 24.2 for an FFT of 2^levels points in unit roundoff u:
 * ‖fl(F x) − F x‖₂ ≤ ε‖F x‖₂.
 *
 * @example
 * ```ts
 * fftLevelError(10, 2 ** -53); // ≈ 4.2e-14
 * ```
 */
export function fftLevelError(levels: number, u: number): number {
  const mu = TWIDDLE_ERROR_ULPS * u;
  const eta = mu + gamma(4, u) * (Math.SQRT2 + mu);
  return (levels * eta) / (1 - levels * eta);
}

/** The smallest power of two ≥ n. */
function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

/**
 * ℓ = log₂ N of the longest transform the model allows for `p`: per axis, twice
 * the next power of two of the full linear product I + padBegin + padEnd + (K − 1)·D.
 *
 * @example
 * ```ts
 * fftLevels(convProblem({ inputSize: [10], kernelSize: [3] })); // log2(2 · 16) = 5
 * ```
 */
export function fftLevels(p: ConvProblem): number {
  return p.inputSize.reduce((sum, size, d) => {
    const product = size + p.padBegin[d]! + p.padEnd[d]! + (p.kernelSize[d]! - 1) * p.dilation[d]!;
    return sum + Math.log2(2 * nextPowerOfTwo(product));
  }, 0);
}

/**
 * c of the model: the bound is 2 · c · u · T per output (see the module comment).
 *
 * @example
 * ```ts
 * fftCoefficient(p, 'float64'); // a few hundred for small problems
 * ```
 */
export function fftCoefficient(p: ConvProblem, dtype: DType): number {
  const g = convGeometry(p);
  const u = unitRoundoff(dtype);
  const epsilon = fftLevelError(fftLevels(p), u);
  let perNorm = 2 * epsilon + Math.SQRT2 * (gamma(2, u) + gamma(g.inChannelsPerGroup, u)) + 2 * u;
  // The float64 oracle's own error, γ_K·Σ|x·w| ≤ γ_K·T (Cauchy–Schwarz): as large in float64.
  if (dtype === 'float64') perNorm += gamma(g.reductionLength + 1, u);
  return Math.ceil(perNorm / u);
}

/** ‖·‖₁ and ‖·‖₂ of one padded input plane (padded by the problem's padding mode). */
function planeNorms(
  p: ConvProblem,
  input: ArrayLike<number>,
  offset: number,
): { one: number; two: number } {
  const rank = p.inputSize.length;
  const mode = p.paddingMode ?? 'zeros';
  const padded = p.inputSize.map((s, d) => s + p.padBegin[d]! + p.padEnd[d]!);
  const strides = p.inputSize.map((_, d) => p.inputSize.slice(d + 1).reduce((a, b) => a * b, 1));
  const total = padded.reduce((a, b) => a * b, 1);
  let one = 0;
  let squares = 0;
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let index = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const coordinate = (rest % padded[d]!) - p.padBegin[d]!;
      rest = Math.floor(rest / padded[d]!);
      const read = paddedIndex(mode, coordinate, p.inputSize[d]!);
      if (read < 0) {
        index = -1;
        break;
      }
      index += read * strides[d]!;
    }
    if (index < 0) continue;
    const v = Math.abs(input[offset + index]!);
    one += v;
    squares += v * v;
  }
  return { one, two: Math.sqrt(squares) };
}

/**
 * The FFT model's magnitude tensor: every output of plane (n, oc) gets
 * T = Σ_c (‖a_c‖₂‖b_c‖₁ + ‖a_c‖₁‖b_c‖₂) + |bias[oc]|. A non-finite operand in
 * the plane makes T non-finite: no accuracy requirement there. With `indices`,
 * only those outputs (flat row-major), in that order.
 *
 * @example
 * ```ts
 * const mag = magnitudeFft(p, x, w, b);
 * ```
 */
export function magnitudeFft(
  p: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias?: ArrayLike<number>,
  indices?: ArrayLike<number>,
): Float64Array {
  const g = convGeometry(p);
  const inputNorms = Array.from({ length: p.batch * p.inChannels }, (_, plane) =>
    planeNorms(p, input, plane * g.inputVolume),
  );
  const kernelNorms = Array.from({ length: p.outChannels * g.inChannelsPerGroup }, (_, row) => {
    let one = 0;
    let squares = 0;
    for (let i = 0; i < g.kernelVolume; i++) {
      const v = Math.abs(weight[row * g.kernelVolume + i]!);
      one += v;
      squares += v * v;
    }
    return { one, two: Math.sqrt(squares) };
  });
  const planeT = new Float64Array(p.batch * p.outChannels);
  for (let n = 0; n < p.batch; n++) {
    for (let oc = 0; oc < p.outChannels; oc++) {
      const group = Math.floor(oc / g.outChannelsPerGroup);
      let t = bias ? Math.abs(bias[oc]!) : 0;
      for (let ci = 0; ci < g.inChannelsPerGroup; ci++) {
        const a = inputNorms[n * p.inChannels + group * g.inChannelsPerGroup + ci]!;
        const b = kernelNorms[oc * g.inChannelsPerGroup + ci]!;
        t += a.two * b.one + a.one * b.two;
      }
      planeT[n * p.outChannels + oc] = t;
    }
  }
  const at = (flat: number) => planeT[Math.floor(flat / g.outputVolume)]!;
  return indices === undefined
    ? Float64Array.from({ length: g.outputLength }, (_, i) => at(i))
    : Float64Array.from(indices, at);
}
