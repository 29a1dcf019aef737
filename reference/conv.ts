/**
 * The reference oracle for convolution: the direct definition, written as plain
 * loops to be checked against the formula by eye, not to be fast.
 *
 * For output (n, oc, o) with oc in group g:
 *
 *   y[n, oc, o] = b[oc] + Σ_{ci < C/G} Σ_k xpad[n, g·C/G + ci, o·S + k·D] · w[oc, ci, k']
 *
 * where xpad is the input surrounded by padBegin/padEnd zeros, k runs over the
 * kernel window, and k' = k for cross-correlation or K − 1 − k (flipped in every
 * spatial dimension) for true convolution. Sums are accumulated in float64.
 *
 * Taps that land in the padding multiply a real zero, so 0 · ±Inf = NaN there,
 * exactly as for an explicitly zero-padded input.
 */
import { type ConvGeometry, convGeometry, lift3 } from './geometry.ts';
import type { ConvProblem } from './problem.ts';
import { checkTensorLength } from './tensors.ts';

/**
 * Direct-definition convolution or cross-correlation in float64.
 *
 * @example
 * ```ts
 * const y = referenceConv(p, x, w, b); // Float64Array of length convGeometry(p).outputLength
 * ```
 */
export function referenceConv(
  problem: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias?: ArrayLike<number>,
): Float64Array {
  const g = convGeometry(problem);
  checkConvOperands(g, input, weight, bias);
  const out = new Float64Array(g.outputLength);
  const [ID, IH, IW] = lift3(g.inputSize, 1);
  const [KD, KH, KW] = lift3(g.kernelSize, 1);
  const [OD, OH, OW] = lift3(g.outputSize, 1);
  const [SD, SH, SW] = lift3(g.stride, 1);
  const [DD, DH, DW] = lift3(g.dilation, 1);
  const [PD, PH, PW] = lift3(g.padBegin, 0);
  const cig = g.inChannelsPerGroup;
  const cog = g.outChannelsPerGroup;

  const x = (n: number, c: number, d: number, h: number, w: number): number => {
    // Outside the input lies the zero padding.
    if (d < 0 || d >= ID || h < 0 || h >= IH || w < 0 || w >= IW) return 0;
    return input[(((n * g.inChannels + c) * ID + d) * IH + h) * IW + w]!;
  };
  const wt = (oc: number, ci: number, kd: number, kh: number, kw: number): number => {
    if (g.flipKernel) {
      kd = KD - 1 - kd;
      kh = KH - 1 - kh;
      kw = KW - 1 - kw;
    }
    return weight[(((oc * cig + ci) * KD + kd) * KH + kh) * KW + kw]!;
  };

  let index = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oc = 0; oc < g.outChannels; oc++) {
      const group = Math.floor(oc / cog);
      for (let od = 0; od < OD; od++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            let acc = bias ? bias[oc]! : 0;
            for (let ci = 0; ci < cig; ci++) {
              const c = group * cig + ci;
              for (let kd = 0; kd < KD; kd++) {
                for (let kh = 0; kh < KH; kh++) {
                  for (let kw = 0; kw < KW; kw++) {
                    const xv = x(
                      n,
                      c,
                      od * SD - PD + kd * DD,
                      oh * SH - PH + kh * DH,
                      ow * SW - PW + kw * DW,
                    );
                    acc += xv * wt(oc, ci, kd, kh, kw);
                  }
                }
              }
            }
            out[index++] = acc;
          }
        }
      }
    }
  }
  return out;
}

/**
 * Throws when an operand's length does not match the geometry (of a conv or a
 * ConvTranspose: both carry their input, weight and bias shapes).
 */
export function checkConvOperands(
  g: Pick<ConvGeometry, 'inputShape' | 'weightShape' | 'outChannels' | 'problem'>,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
): void {
  checkTensorLength('input', input, g.inputShape, g.problem);
  checkTensorLength('weight', weight, g.weightShape, g.problem);
  if (g.problem.bias) {
    if (bias === undefined) throw new TypeError('bias: required because problem.bias is true');
    checkTensorLength('bias', bias, [g.outChannels], g.problem);
  } else if (bias !== undefined) {
    throw new TypeError('bias: given, but problem.bias is false');
  }
}
