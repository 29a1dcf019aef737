/**
 * A float64 convolution oracle through a radix-2 complex FFT written here:
 * the polynomial products of ./embedding.ts become pointwise products of
 * spectra. It shares no code with reference/conv.ts and rounds very
 * differently, so agreement within {@link fftErrorBound} is real evidence.
 */
import { gamma as gammaOf, unitRoundoff } from '../../reference/float.ts';
import type { ConvProblem } from '../../reference/problem.ts';
import { fftLevelError } from '../tolerance/fft.ts';
import {
  inputPolynomial,
  kernelPolynomial,
  outputExponent,
  type PolynomialLayout,
  polynomialLayout,
  productLength,
} from './embedding.ts';

/** Unit roundoff of float64. */
const U = unitRoundoff('float64');

/** γ_n in float64. */
const gamma = (n: number): number => gammaOf(n, U);

/** The smallest power of two ≥ n. */
export function fftSize(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

/**
 * In-place iterative radix-2 FFT of (re, im), length a power of two.
 * `inverse` uses e^{+2πi/N} and does not scale (the caller divides by N, exact).
 * Twiddles come straight from cos/sin of 2πk/N, never from a recurrence, so
 * each has error ≤ μ (see {@link fftErrorBound}).
 *
 * @example
 * ```ts
 * const re = Float64Array.of(1, 0, 0, 0), im = new Float64Array(4);
 * fft(re, im, false); // re = [1, 1, 1, 1], im = [0, 0, 0, 0]
 * ```
 */
export function fft(
  re: Float64Array,
  im: Float64Array,
  inverse: boolean,
  twiddle: (v: number) => number = (v) => v,
): void {
  const n = re.length;
  if (im.length !== n || n === 0 || (n & (n - 1)) !== 0) {
    throw new RangeError(`fft: lengths must be one power of two, got ${n} and ${im.length}`);
  }
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  const sign = inverse ? 1 : -1;
  for (let span = 2; span <= n; span *= 2) {
    const half = span / 2;
    for (let k = 0; k < half; k++) {
      const angle = (sign * 2 * Math.PI * k) / span;
      // `twiddle` lets a test plant a less accurate twiddle (the FFT bound must then fail).
      const wr = twiddle(Math.cos(angle));
      const wi = twiddle(Math.sin(angle));
      for (let start = 0; start < n; start += span) {
        const a = start + k;
        const b = a + half;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}

interface Spectrum {
  re: Float64Array;
  im: Float64Array;
  /** ‖·‖₁ of the coefficients it was made from. */
  norm1: number;
}

function spectrumOf(coefficients: Float64Array, size: number): Spectrum {
  const re = new Float64Array(size);
  re.set(coefficients);
  const im = new Float64Array(size);
  let norm1 = 0;
  for (const c of coefficients) norm1 += Math.abs(c);
  fft(re, im, false);
  return { re, im, norm1 };
}

function kernelCoefficients(
  p: ConvProblem,
  layout: PolynomialLayout,
  weight: ArrayLike<number>,
  offset: number,
  size: number,
): Float64Array {
  const out = new Float64Array(size);
  for (const { exponent, coefficient } of kernelPolynomial(p, layout, weight, offset)) {
    out[exponent] = coefficient;
  }
  return out;
}

/** What {@link fftConv} returns: the output and the rigorous bound on its error. */
export interface FftConvResult {
  output: Float64Array;
  /**
   * Per output element: a bound on |output − exact| (the FFT's own error,
   * not the oracle's; see {@link fftErrorBound}).
   */
  bound: Float64Array;
  /**
   * Per output element: T + |bias| with T = Σ_c ‖a_c‖₁‖b_c‖₁, an upper bound on
   * the dot-product magnitude Σ|x·w| + |b| of every output of its plane (for
   * bounding another oracle's rounding without asking that oracle).
   */
  magnitude: Float64Array;
}

/**
 * Convolution (either mode) through FFTs, in float64, with a rigorous bound
 * on its error per (n, oc) plane.
 *
 * @example
 * ```ts
 * const { output, bound, magnitude } = fftConv(p, x, w, b);
 * ```
 */
export function fftConv(
  p: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias?: ArrayLike<number>,
): FftConvResult {
  const layout = polynomialLayout(p);
  // The whole linear product fits: no wrap-around of the cyclic convolution.
  const size = fftSize(productLength(p, layout));
  const cig = layout.inChannelsPerGroup;
  const cog = layout.outChannelsPerGroup;
  const inputs: Spectrum[] = [];
  for (let plane = 0; plane < p.batch * p.inChannels; plane++) {
    inputs.push(spectrumOf(inputPolynomial(layout, input, plane * layout.inputVolume), size));
  }
  const kernels: Spectrum[] = [];
  for (let row = 0; row < p.outChannels * cig; row++) {
    const coefficients = kernelCoefficients(p, layout, weight, row * layout.kernelVolume, size);
    kernels.push(spectrumOf(coefficients, size));
  }
  const output = new Float64Array(p.batch * p.outChannels * layout.outputVolume);
  const bound = new Float64Array(output.length);
  const magnitude = new Float64Array(output.length);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let n = 0; n < p.batch; n++) {
    for (let oc = 0; oc < p.outChannels; oc++) {
      re.fill(0);
      im.fill(0);
      let normProduct = 0;
      for (let ci = 0; ci < cig; ci++) {
        const a = inputs[n * p.inChannels + Math.floor(oc / cog) * cig + ci]!;
        const b = kernels[oc * cig + ci]!;
        normProduct += a.norm1 * b.norm1;
        for (let k = 0; k < size; k++) {
          re[k]! += a.re[k]! * b.re[k]! - a.im[k]! * b.im[k]!;
          im[k]! += a.re[k]! * b.im[k]! + a.im[k]! * b.re[k]!;
        }
      }
      fft(re, im, true);
      const biasValue = bias ? bias[oc]! : 0;
      const planeBound = fftErrorBound(size, cig, normProduct, biasValue);
      const base = (n * p.outChannels + oc) * layout.outputVolume;
      for (let o = 0; o < layout.outputVolume; o++) {
        const m = outputExponent(p, layout, o);
        const sum = m < 0 ? 0 : re[m]! / size;
        output[base + o] = bias ? biasValue + sum : sum;
        bound[base + o] = planeBound;
        magnitude[base + o] = normProduct + Math.abs(biasValue);
      }
    }
  }
  return { output, bound, magnitude };
}

/**
 * A rigorous bound on the error of one output of {@link fftConv}, from
 * Higham's analysis of the Cooley-Tukey FFT (Accuracy and Stability of
 * Numerical Algorithms, 2nd ed., Thm 24.2): the computed ŷ = fl(F x) satisfies
 * ‖ŷ − F x‖₂ ≤ ε‖F x‖₂ with ε = ℓη / (1 − ℓη), ℓ = log₂ N, η = μ + γ₄(√2 + μ),
 * μ the error of each twiddle factor.
 *
 * μ: the angle 2πk/N is computed with three roundings of relative size ≤ u
 * (π, ·k, and sign·2 and /N are exact), so it is off by ≤ 3u·2π < 19u; cos and
 * sin add ≤ 2u each (V8's fdlibm is within 1 ulp). |ŵ − w| ≤ √2·(19u + 2u) < 32u.
 *
 * One (n, oc) plane sums C = Cin/groups channel products a_c ∗ b_c. With
 * ‖F v‖₂ = √N‖v‖₂ and ‖F v‖∞ ≤ ‖v‖₁, to first order:
 * - forward FFTs: ‖E_a ⊙ F b‖₂ + ‖F a ⊙ E_b‖₂ ≤ ε√N(‖a‖₂‖b‖₁ + ‖a‖₁‖b‖₂) ≤ 2ε√N‖a‖₁‖b‖₁;
 * - complex products (|δ| ≤ √2·γ₂) and the sum over C channels (≤ √2·γ_C
 *   on the moduli): ≤ √2(γ₂ + γ_C)·√N‖a‖₁‖b‖₁;
 * - the inverse FFT adds ε‖·‖₂ of its input, and ‖F⁻¹ v‖₂ = ‖v‖₂/√N with an
 *   exact 1/N (N is a power of two): ‖Δy‖∞ ≤ ‖Δy‖₂ ≤ (3ε + √2(γ₂ + γ_C))·T,
 *   T = Σ_c ‖a_c‖₁‖b_c‖₁;
 * - adding the bias: one more rounding, ≤ u(T + |bias|).
 * The second-order terms (products of ε, γ) are covered by a factor 2.
 *
 * @example
 * ```ts
 * fftErrorBound(1024, 3, 250, 0.5); // ≈ 1e-11
 * ```
 */
export function fftErrorBound(
  size: number,
  channels: number,
  normProduct: number,
  bias: number,
): number {
  const epsilon = fftLevelError(Math.log2(size), U);
  const perNorm = 3 * epsilon + Math.SQRT2 * (gamma(2) + gamma(Math.max(channels, 1)));
  return 2 * ((perNorm + U) * normProduct + U * Math.abs(bias));
}
