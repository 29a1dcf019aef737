/**
 * The two backward passes of convolution, by their direct definitions. The
 * forward sum (see conv.ts) is
 *
 *   y[n, oc, o] = b[oc] + Σ_{ci, k} x[n, g·C/G + ci, o·S − Pb + k·D] · w[oc, ci, k']
 *
 * with k' = k, or K − 1 − k in 'convolution' mode. Each term x·w that reads a
 * real input element (not padding) contributes
 *
 *   dx[n, g·C/G + ci, o·S − Pb + k·D] += dy[n, oc, o] · w[oc, ci, k']   (backward data)
 *   dw[oc, ci, k']                   += dy[n, oc, o] · x[n, c, i]        (backward weights)
 *
 * so both are written as one walk over the terms of the forward sum, in
 * float64, and once more in exact rationals (mathjs Fractions) for the exact
 * oracles. Padding taps read a constant zero and contribute nothing.
 */

import type { Fraction } from 'mathjs';
import { exactFraction } from './exact.ts';
import type { ConvGeometry } from './geometry.ts';
import { convGeometry, lift3 } from './geometry.ts';
import { mathjs as mathOf } from './mathjs.ts';
import type { ConvProblem } from './problem.ts';
import { checkTensorLength } from './tensors.ts';

/**
 * Calls `visit` once per term of the forward convolution sum whose input tap
 * lies inside the input, with the flat indices of the input, weight and output
 * elements of that term.
 */
function forEachConvTerm(
  g: ConvGeometry,
  visit: (inputIndex: number, weightIndex: number, outputIndex: number) => void,
): void {
  const [ID, IH, IW] = lift3(g.inputSize, 1);
  const [KD, KH, KW] = lift3(g.kernelSize, 1);
  const [OD, OH, OW] = lift3(g.outputSize, 1);
  const [SD, SH, SW] = lift3(g.stride, 1);
  const [DD, DH, DW] = lift3(g.dilation, 1);
  const [PD, PH, PW] = lift3(g.padBegin, 0);
  const cig = g.inChannelsPerGroup;
  const cog = g.outChannelsPerGroup;
  const flip = (k: number, K: number) => (g.flipKernel ? K - 1 - k : k);
  let outputIndex = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oc = 0; oc < g.outChannels; oc++) {
      const group = Math.floor(oc / cog);
      for (let od = 0; od < OD; od++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++, outputIndex++) {
            for (let ci = 0; ci < cig; ci++) {
              const c = group * cig + ci;
              for (let kd = 0; kd < KD; kd++) {
                const d = od * SD - PD + kd * DD;
                if (d < 0 || d >= ID) continue;
                for (let kh = 0; kh < KH; kh++) {
                  const h = oh * SH - PH + kh * DH;
                  if (h < 0 || h >= IH) continue;
                  for (let kw = 0; kw < KW; kw++) {
                    const w = ow * SW - PW + kw * DW;
                    if (w < 0 || w >= IW) continue;
                    const inputIndex = (((n * g.inChannels + c) * ID + d) * IH + h) * IW + w;
                    const weightIndex =
                      (((oc * cig + ci) * KD + flip(kd, KD)) * KH + flip(kh, KH)) * KW +
                      flip(kw, KW);
                    visit(inputIndex, weightIndex, outputIndex);
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

/**
 * The gradient of a convolution's output with respect to its input:
 * dx = ∂⟨y, dy⟩/∂x, shaped like the input [batch, inChannels, ...inputSize].
 *
 * @example
 * ```ts
 * const dx = referenceConvBackwardData(p, dy, w); // length convGeometry(p).inputLength
 * ```
 */
export function referenceConvBackwardData(
  problem: ConvProblem,
  outputGradient: ArrayLike<number>,
  weight: ArrayLike<number>,
): Float64Array {
  const g = convGeometry(problem);
  checkTensorLength('outputGradient', outputGradient, g.outputShape, problem);
  checkTensorLength('weight', weight, g.weightShape, problem);
  const dx = new Float64Array(g.inputLength);
  forEachConvTerm(g, (xi, wi, yi) => {
    dx[xi] = dx[xi]! + outputGradient[yi]! * weight[wi]!;
  });
  return dx;
}

/**
 * The gradient of a convolution's output with respect to its weight:
 * dw = ∂⟨y, dy⟩/∂w, shaped like the weight [outChannels, inChannels/groups, ...kernelSize].
 * (The bias gradient is the sum of dy over batch and space.)
 *
 * @example
 * ```ts
 * const dw = referenceConvBackwardWeights(p, x, dy); // length convGeometry(p).weightLength
 * ```
 */
export function referenceConvBackwardWeights(
  problem: ConvProblem,
  input: ArrayLike<number>,
  outputGradient: ArrayLike<number>,
): Float64Array {
  const g = convGeometry(problem);
  checkTensorLength('input', input, g.inputShape, problem);
  checkTensorLength('outputGradient', outputGradient, g.outputShape, problem);
  const dw = new Float64Array(g.weightLength);
  forEachConvTerm(g, (xi, wi, yi) => {
    dw[wi] = dw[wi]! + outputGradient[yi]! * input[xi]!;
  });
  return dw;
}

/**
 * Exact backward data: every element of dx as a Fraction, the same walk with no
 * rounding. For small problems; operands must be finite.
 *
 * @example
 * ```ts
 * exactConvBackwardData(p, dy, w).map(fractionToNumber); // = referenceConvBackwardData(p, dy, w) on integer data
 * ```
 */
export function exactConvBackwardData(
  problem: ConvProblem,
  outputGradient: ArrayLike<number>,
  weight: ArrayLike<number>,
): Fraction[] {
  const g = convGeometry(problem);
  checkTensorLength('outputGradient', outputGradient, g.outputShape, problem);
  checkTensorLength('weight', weight, g.weightShape, problem);
  const math = mathOf();
  const dy = Array.from(outputGradient, exactFraction);
  const w = Array.from(weight, exactFraction);
  const dx: Fraction[] = Array.from({ length: g.inputLength }, () => math.fraction(0n, 1n));
  forEachConvTerm(g, (xi, wi, yi) => {
    dx[xi] = math.add(dx[xi]!, math.multiply(dy[yi]!, w[wi]!)) as Fraction;
  });
  return dx;
}

/**
 * Exact backward weights: every element of dw as a Fraction, the same walk with
 * no rounding. For small problems; operands must be finite.
 *
 * @example
 * ```ts
 * exactConvBackwardWeights(p, x, dy).map(fractionToNumber); // = referenceConvBackwardWeights(p, x, dy) on integer data
 * ```
 */
export function exactConvBackwardWeights(
  problem: ConvProblem,
  input: ArrayLike<number>,
  outputGradient: ArrayLike<number>,
): Fraction[] {
  const g = convGeometry(problem);
  checkTensorLength('input', input, g.inputShape, problem);
  checkTensorLength('outputGradient', outputGradient, g.outputShape, problem);
  const math = mathOf();
  const x = Array.from(input, exactFraction);
  const dy = Array.from(outputGradient, exactFraction);
  const dw: Fraction[] = Array.from({ length: g.weightLength }, () => math.fraction(0n, 1n));
  forEachConvTerm(g, (xi, wi, yi) => {
    dw[wi] = math.add(dw[wi]!, math.multiply(dy[yi]!, x[xi]!)) as Fraction;
  });
  return dw;
}
