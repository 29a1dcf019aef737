/**
 * An exact convolution oracle by polynomial multiplication (see
 * ./embedding.ts for the derivation), sharing no code with reference/conv.ts.
 * Integer data only: every coefficient is an integer below 2^53, so every sum
 * is exact and the result can be compared bit for bit.
 */
import type { ConvProblem } from '../../reference/problem.ts';
import {
  inputPolynomial,
  kernelPolynomial,
  outputExponent,
  polynomialLayout,
  productLength,
} from './embedding.ts';

function maxAbs(values: ArrayLike<number>, name: string): number {
  let most = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v)) {
      throw new RangeError(`polynomialConv: ${name}[${i}] = ${v} is not an integer`);
    }
    most = Math.max(most, Math.abs(v));
  }
  return most;
}

/**
 * Adds a · b (a dense, b sparse) into `product` starting at exponent 0.
 * The schoolbook product, one term of b at a time.
 */
function multiplyAdd(
  product: Float64Array,
  a: Float64Array,
  b: { exponent: number; coefficient: number }[],
): void {
  for (const { exponent, coefficient } of b) {
    if (coefficient === 0) continue;
    for (let i = 0; i < a.length; i++) product[i + exponent]! += a[i]! * coefficient;
  }
}

/**
 * The convolution (either mode) of integer tensors, exactly: for each (n, oc),
 * the sum over the group's input channels of the products of input and kernel
 * polynomials, read at each output's exponent, plus the bias.
 *
 * Throws a RangeError when a value is not an integer, or when a sum could reach
 * 2^53 (then exactness would not be guaranteed).
 *
 * @example
 * ```ts
 * const y = polynomialConv(p, x, w, b); // Float64Array, equal to referenceConv bit for bit
 * ```
 */
export function polynomialConv(
  p: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias?: ArrayLike<number>,
): Float64Array {
  const layout = polynomialLayout(p);
  const cig = layout.inChannelsPerGroup;
  const cog = layout.outChannelsPerGroup;
  const terms = cig * layout.kernelVolume;
  const worst =
    terms * maxAbs(input, 'input') * maxAbs(weight, 'weight') + (bias ? maxAbs(bias, 'bias') : 0);
  if (worst >= 2 ** 53) {
    throw new RangeError(`polynomialConv: sums could reach ${worst} ≥ 2^53; not exact`);
  }
  const out = new Float64Array(p.batch * p.outChannels * layout.outputVolume);
  for (let n = 0; n < p.batch; n++) {
    for (let oc = 0; oc < p.outChannels; oc++) {
      const firstChannel = Math.floor(oc / cog) * cig;
      const product = new Float64Array(productLength(p, layout));
      for (let ci = 0; ci < cig; ci++) {
        const plane = (n * p.inChannels + firstChannel + ci) * layout.inputVolume;
        const a = inputPolynomial(layout, input, plane);
        multiplyAdd(
          product,
          a,
          kernelPolynomial(p, layout, weight, (oc * cig + ci) * layout.kernelVolume),
        );
      }
      const base = (n * p.outChannels + oc) * layout.outputVolume;
      for (let o = 0; o < layout.outputVolume; o++) {
        const m = outputExponent(p, layout, o);
        const sum = m < 0 ? 0 : product[m]!;
        out[base + o] = bias ? bias[oc]! + sum : sum;
      }
    }
  }
  return out;
}
