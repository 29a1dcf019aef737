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
 * exactly as for an explicitly zero-padded input. Under the 'skip-taps' rule
 * (declared by kernels that skip them) those taps are left out of the sum.
 */
import { type ConvGeometry, convGeometry, lift3 } from './geometry.ts';
import type { ConvProblem, PaddingRule } from './problem.ts';
import { checkTensorLength } from './tensors.ts';

/** One output of the direct definition: y[n, oc, od, oh, ow] (spatial indices lifted to 3-D). */
type OutputAt = (n: number, oc: number, od: number, oh: number, ow: number) => number;

/**
 * The direct definition at one output position, as a function of its
 * coordinates. {@link referenceConv} calls it for every output and
 * {@link referenceConvAt} for chosen ones, so the two cannot disagree.
 */
function directOutput(
  g: ConvGeometry,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  padding: PaddingRule,
): OutputAt {
  const skipTaps = padding === 'skip-taps';
  const [ID, IH, IW] = lift3(g.inputSize, 1);
  const [KD, KH, KW] = lift3(g.kernelSize, 1);
  const [SD, SH, SW] = lift3(g.stride, 1);
  const [DD, DH, DW] = lift3(g.dilation, 1);
  const [PD, PH, PW] = lift3(g.padBegin, 0);
  const cig = g.inChannelsPerGroup;
  const cog = g.outChannelsPerGroup;
  const inputPlane = ID * IH * IW;
  const taps = KD * KH * KW;
  // Per output: where each tap (kd, kh, kw), in that order, reads the input
  // plane (−1 in the padding) and the weight plane (flipped for 'convolution').
  const inputAt = new Int32Array(taps);
  const weightAt = new Int32Array(taps);

  return (n, oc, od, oh, ow) => {
    let t = 0;
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const d = od * SD - PD + kd * DD;
          const h = oh * SH - PH + kh * DH;
          const w = ow * SW - PW + kw * DW;
          const inside = d >= 0 && d < ID && h >= 0 && h < IH && w >= 0 && w < IW;
          inputAt[t] = inside ? (d * IH + h) * IW + w : -1;
          weightAt[t] = g.flipKernel
            ? ((KD - 1 - kd) * KH + (KH - 1 - kh)) * KW + (KW - 1 - kw)
            : (kd * KH + kh) * KW + kw;
          t++;
        }
      }
    }
    const group = Math.floor(oc / cog);
    let acc = bias ? bias[oc]! : 0;
    // Channel ci of the group starts at inputBase + ci·inputPlane and weightBase + ci·taps.
    let inputBase = (n * g.inChannels + group * cig) * inputPlane;
    let weightBase = oc * cig * taps;
    if (taps === 1) {
      // A 1×1 window (the commonest network layer): the same sum, without the tap loop.
      const at = inputAt[0]!;
      const w0 = weightBase + weightAt[0]!;
      if (at < 0 && skipTaps) return acc;
      for (let ci = 0; ci < cig; ci++) {
        const xv = at < 0 ? 0 : input[inputBase + ci * inputPlane + at]!;
        acc += xv * weight[w0 + ci]!;
      }
      return acc;
    }
    for (let ci = 0; ci < cig; ci++, inputBase += inputPlane, weightBase += taps) {
      for (let k = 0; k < taps; k++) {
        // Outside the input lies the zero padding: a real zero, so 0 · ±Inf = NaN
        // there, unless the kernel declared that it skips such taps.
        const at = inputAt[k]!;
        if (at < 0 && skipTaps) continue;
        const xv = at < 0 ? 0 : input[inputBase + at]!;
        acc += xv * weight[weightBase + weightAt[k]!]!;
      }
    }
    return acc;
  };
}

/**
 * Direct-definition convolution or cross-correlation in float64.
 *
 * @example
 * ```ts
 * const y = referenceConv(p, x, w, b); // Float64Array of length convGeometry(p).outputLength
 * referenceConv(p, x, w, b, 'skip-taps'); // padding taps left out of the sums
 * ```
 */
export function referenceConv(
  problem: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias?: ArrayLike<number>,
  padding: PaddingRule = 'zeros',
): Float64Array {
  const g = convGeometry(problem);
  checkConvOperands(g, input, weight, bias);
  const out = new Float64Array(g.outputLength);
  const [OD, OH, OW] = lift3(g.outputSize, 1);
  const at = directOutput(g, input, weight, bias, padding);
  let index = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oc = 0; oc < g.outChannels; oc++) {
      for (let od = 0; od < OD; od++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            out[index++] = at(n, oc, od, oh, ow);
          }
        }
      }
    }
  }
  return out;
}

/**
 * The direct definition at chosen outputs only: `result[i]` is output
 * `indices[i]` (a flat row-major index into `[batch, outChannels, ...outputSize]`),
 * bit-identical to `referenceConv(...)[indices[i]]`. The sampled oracle uses it
 * for layers too large to compute whole.
 *
 * @example
 * ```ts
 * referenceConvAt(p, x, w, b, [0, 7]); // Float64Array [y[0], y[7]]
 * ```
 */
export function referenceConvAt(
  problem: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  indices: ArrayLike<number>,
  padding: PaddingRule = 'zeros',
): Float64Array {
  const g = convGeometry(problem);
  checkConvOperands(g, input, weight, bias);
  const [OD, OH, OW] = lift3(g.outputSize, 1);
  const at = directOutput(g, input, weight, bias, padding);
  const out = new Float64Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (!Number.isSafeInteger(index) || index < 0 || index >= g.outputLength) {
      throw new RangeError(
        `referenceConvAt: indices[${i}] = ${index} is outside the output (length ${g.outputLength})`,
      );
    }
    const ow = index % OW;
    const oh = Math.floor(index / OW) % OH;
    const od = Math.floor(index / (OW * OH)) % OD;
    const oc = Math.floor(index / (OW * OH * OD)) % g.outChannels;
    const n = Math.floor(index / (OW * OH * OD * g.outChannels));
    out[i] = at(n, oc, od, oh, ow);
  }
  return out;
}

/** Throws when an operand's length does not match the geometry. */
export function checkConvOperands(
  g: ConvGeometry,
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
