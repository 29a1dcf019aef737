/**
 * Correct kernels that compute differently from the oracle: another summation
 * order, another accumulator precision, pairwise summation, and errors of
 * Winograd size. They are the false-alarm detectors: no property may ever fail
 * them under their bound model (properties/no-false-alarms.ts runs them across
 * many seeds).
 */
import { referenceConv } from '../../reference/conv.ts';
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import type { ConvKernel, ConvProblem, DType } from '../../reference/problem.ts';
import { mixSeed, mulberry32 } from '../../reference/random.ts';
import type { ConvProblemConstraints } from '../arbitraries/convProblem.ts';
import type { ModelChoice } from '../conformance.ts';
import { boundParameters, magnitudeWinograd } from '../tolerance.ts';
import { winogradModel } from '../winogradModel.ts';
import { directKernel } from './direct.ts';

/**
 * Sums the products last to first, bias first.
 *
 * @example
 * ```ts
 * await reverseOrderKernel('float64').conv(p, x, w);
 * ```
 */
export function reverseOrderKernel(dtype: DType = 'float32'): ConvKernel {
  return directKernel(
    `correct:reverse-order-${dtype}`,
    {
      reduce: (products, count, bias, round) => {
        let acc = bias ?? 0;
        for (let i = count - 1; i >= 0; i--) acc = round(acc + products[i]!);
        return acc;
      },
    },
    dtype,
  );
}

/**
 * Float32 operands and products, float64 accumulator, one rounding at the end.
 *
 * @example
 * ```ts
 * await fc.assert(conformanceProperty(float64AccumulatorKernel, { data: 'real' })); // passes
 * ```
 */
export const float64AccumulatorKernel: ConvKernel = directKernel('correct:float64-accumulator', {
  reduce: (products, count, bias, round) => {
    let acc = 0;
    for (let i = 0; i < count; i++) acc += products[i]!;
    return round(bias === undefined ? acc : acc + bias);
  },
});

function pairwise(
  values: Float64Array,
  from: number,
  to: number,
  round: (v: number) => number,
): number {
  if (to - from === 0) return 0;
  if (to - from === 1) return values[from]!;
  const middle = (from + to) >>> 1;
  return round(pairwise(values, from, middle, round) + pairwise(values, middle, to, round));
}

/**
 * Pairwise (tree) summation of the products, as a vectorized reduction does.
 *
 * @example
 * ```ts
 * await fc.assert(conformanceProperty(pairwiseKernel, { data: 'real' })); // passes
 * ```
 */
export const pairwiseKernel: ConvKernel = directKernel('correct:pairwise', {
  reduce: (products, count, bias, round) => {
    const sum = pairwise(products, 0, count, round);
    return bias === undefined ? sum : round(sum + bias);
  },
});

/**
 * The oracle plus simulated Winograd rounding error: for each output, the sum
 * of ksb independent errors uniform in [−u·M, u·M], where ksb is the number of
 * roundings along a path of F(m, r) and M the Winograd magnitude (the terms
 * the transforms combine). That is the error model the Winograd bound is
 * derived from, at its worst-case magnitudes; the result is then rounded to
 * float32. It must pass under the Winograd model (per element it stays below
 * ksb·u·M + u·|y| ≤ 2·ksb·u·M, and its variance is ksb/3 per output) and fail
 * under the dot-product model.
 *
 * @example
 * ```ts
 * fc.assert(conformanceProperty(winogradGradeKernel(4), { data: 'real',
 *   model: (p) => winogradModel(4, p.kernelSize), constraints: { maxStride: 1, maxDilation: 1 } }));
 * ```
 */
export function winogradGradeKernel(m: number): ConvKernel {
  return {
    name: `correct:winograd-grade-f${m}`,
    dtype: 'float32',
    // The Winograd magnitude widens the zero padding, as the transforms do.
    supports: (p) =>
      p.stride.every((s) => s === 1) && p.dilation.every((d) => d === 1)
        ? zeroPaddingOnly(p)
        : 'Winograd-grade errors are defined for stride 1 and dilation 1',
    conv(p, input, weight, bias) {
      const reference = referenceConv(p, input, weight, bias);
      const model = winogradModel(m, p.kernelSize);
      const { ksb, unitRoundoff } = boundParameters(p, 'float32', model);
      const magnitude = magnitudeWinograd(p, input, weight, bias, model);
      const next = mulberry32(mixSeed(reference.length, m));
      const out = new Float32Array(reference.length);
      for (let i = 0; i < reference.length; i++) {
        let noise = 0;
        for (let j = 0; j < ksb; j++) noise += (next() / 2 ** 32) * 2 - 1;
        const scale = unitRoundoff * magnitude[i]!;
        out[i] = Number.isFinite(scale) ? reference[i]! + noise * scale : reference[i]!;
      }
      return out;
    },
  };
}

/** A correct-but-different kernel and how it is judged. */
export interface CorrectKernel {
  kernel: ConvKernel;
  /** Its bound model; default dot-product. */
  model?: ModelChoice;
  /** Where it computes (Winograd-grade kernels: stride 1, dilation 1). */
  constraints?: ConvProblemConstraints;
}

/**
 * Stride 1, dilation 1, 1-D and 2-D: where Winograd kernels work.
 *
 * @example
 * ```ts
 * conformanceProperty(winogradF4Kernel, { data: 'real', constraints: winogradConstraints, model });
 * ```
 */
export const winogradConstraints: ConvProblemConstraints = {
  dims: [1, 2],
  maxStride: 1,
  maxDilation: 1,
};

/**
 * Every correct-but-different kernel with the model it is judged by.
 *
 * @example
 * ```ts
 * for (const { kernel, model, constraints } of correctKernels) {
 *   await fc.assert(conformanceProperty(kernel, { data: 'real', model, constraints }));
 * }
 * ```
 */
export const correctKernels: readonly CorrectKernel[] = [
  { kernel: reverseOrderKernel('float32') },
  { kernel: reverseOrderKernel('float64') },
  { kernel: float64AccumulatorKernel },
  { kernel: pairwiseKernel },
  ...[2, 4].map((m) => ({
    kernel: winogradGradeKernel(m),
    model: (p: ConvProblem) => winogradModel(m, p.kernelSize),
    constraints: winogradConstraints,
  })),
];
