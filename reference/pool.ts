/**
 * The reference oracle for max and average pooling, as plain loops.
 *
 * A window of output o along one dimension has taps at o·S − Pb + k·D, k < K.
 * - maxpool: the maximum over taps inside the input; padding never wins
 *   (it acts as −∞). Any NaN in the window gives NaN.
 * - avgpool: the sum over taps inside the input, divided by the number of taps
 *   inside the input, or, with countIncludePad, by the number of taps inside the
 *   explicitly padded input [−Pb, I + Pe). The extra overhang of ceil mode is
 *   never counted (PyTorch and ONNX semantics).
 */
import { lift3, poolGeometry } from './geometry.ts';
import type { PoolProblem } from './problem.ts';
import { checkTensorLength } from './tensors.ts';

/**
 * Direct-definition pooling in float64.
 *
 * @example
 * ```ts
 * const y = referencePool(p, x); // Float64Array of length poolGeometry(p).outputLength
 * ```
 */
export function referencePool(problem: PoolProblem, input: ArrayLike<number>): Float64Array {
  const g = poolGeometry(problem);
  checkTensorLength('input', input, g.inputShape, problem);
  const out = new Float64Array(g.outputLength);
  const size = lift3(g.inputSize, 1);
  const kernel = lift3(g.kernelSize, 1);
  const outSize = lift3(g.outputSize, 1);
  const stride = lift3(g.stride, 1);
  const dilation = lift3(g.dilation, 1);
  const padBegin = lift3(g.padBegin, 0);
  const padEnd = lift3(g.padEnd, 0);
  const [ID, IH, IW] = size;
  const isMax = problem.op === 'maxpool';

  // Whether tap position i of dimension d is inside the input / the padded input.
  const inside = (d: number, i: number) => i >= 0 && i < size[d]!;
  const insidePadded = (d: number, i: number) => i >= -padBegin[d]! && i < size[d]! + padEnd[d]!;

  let index = 0;
  for (let nc = 0; nc < g.batch * g.channels; nc++) {
    for (let od = 0; od < outSize[0]; od++) {
      for (let oh = 0; oh < outSize[1]; oh++) {
        for (let ow = 0; ow < outSize[2]; ow++) {
          let max = Number.NEGATIVE_INFINITY;
          let sum = 0;
          let count = 0;
          let countPadded = 0;
          for (let kd = 0; kd < kernel[0]; kd++) {
            const d = od * stride[0] - padBegin[0] + kd * dilation[0];
            for (let kh = 0; kh < kernel[1]; kh++) {
              const h = oh * stride[1] - padBegin[1] + kh * dilation[1];
              for (let kw = 0; kw < kernel[2]; kw++) {
                const w = ow * stride[2] - padBegin[2] + kw * dilation[2];
                if (insidePadded(0, d) && insidePadded(1, h) && insidePadded(2, w)) countPadded++;
                if (!(inside(0, d) && inside(1, h) && inside(2, w))) continue;
                const v = input[((nc * ID + d) * IH + h) * IW + w]!;
                // Math.max propagates NaN, as the definition requires.
                max = Math.max(max, v);
                sum += v;
                count++;
              }
            }
          }
          out[index++] = isMax ? max : sum / (problem.countIncludePad ? countPadded : count);
        }
      }
    }
  }
  return out;
}
