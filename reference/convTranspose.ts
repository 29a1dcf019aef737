/**
 * Transposed convolution ("deconvolution", ONNX/PyTorch ConvTranspose): the
 * problem model, its geometry record and the oracle, written as the direct
 * scatter definition.
 *
 * Tensors are dense and row-major:
 * - input:  [batch, inChannels, ...inputSize]
 * - weight: [inChannels, outChannels / groups, ...kernelSize] (ONNX and PyTorch layout)
 * - bias:   [outChannels]
 * - output: [batch, outChannels, ...outputSize]
 *
 * Scatter definition, for input element (n, ic, i) with ic in group g, every
 * oc' < outChannels/groups and every kernel tap k:
 *
 *   y[n, g·Cout/G + oc', i·S − Pb + k·D] += x[n, ic, i] · w[ic, oc', k']
 *
 * where k' = k ('cross-correlation', what frameworks call ConvTranspose: the
 * adjoint of their conv) or K − 1 − k ('convolution': the adjoint of true
 * convolution). Contributions landing outside [0, O) are dropped: that is how
 * padBegin and padEnd remove rows. The output size is
 * O = (I − 1)·S − Pb − Pe + D·(K − 1) + outputPadding + 1, so outputPadding
 * adds rows at the end that only the contributions of the last inputs (and
 * the bias) reach.
 *
 * Unlike the conv oracle, no padding zeros are multiplied: an output no input
 * reaches holds exactly the bias, even when the input has an Inf or NaN.
 *
 * Over 300 lines, on purpose: the op's problem, geometry, float64 and exact oracles share the
 * scatter loop, one unit as conv.ts and geometry.ts are for conv.
 */
import type { Fraction } from 'mathjs';
import { checkConvOperands } from './conv.ts';
import { exactFraction } from './exact.ts';
import { effectiveKernel, transposedOutputSize, volume } from './formulas.ts';
import {
  checkChannels,
  checkInteger,
  checkObject,
  checkSpatial,
  convGeometry,
  defaultLimits,
  fail,
  type GeometryLimits,
  lift3,
  type SpatialGeometry,
  tensorRecord,
} from './geometry.ts';
import { mathjs as mathOf } from './mathjs.ts';
import type { ConvProblem } from './problem.ts';

/**
 * One transposed-convolution layer: the {@link ConvProblem} fields plus
 * `outputPadding`, one entry per spatial dimension.
 *
 * @example
 * ```ts
 * const p: ConvTransposeProblem = {
 *   mode: 'cross-correlation', batch: 1, inChannels: 8, outChannels: 4, groups: 1,
 *   inputSize: [16, 16], kernelSize: [4, 4], stride: [2, 2], dilation: [1, 1],
 *   padBegin: [1, 1], padEnd: [1, 1], outputPadding: [0, 0], bias: true,
 * }; // output [1, 4, 32, 32]
 * ```
 */
export interface ConvTransposeProblem extends ConvProblem {
  outputPadding: number[];
}

/** Derived geometry of a transposed convolution. */
export interface ConvTransposeGeometry extends SpatialGeometry {
  problem: ConvTransposeProblem;
  outputPadding: readonly number[];
  batch: number;
  inChannels: number;
  outChannels: number;
  groups: number;
  inChannelsPerGroup: number;
  outChannelsPerGroup: number;
  /** True when the kernel is applied flipped ('convolution' mode). */
  flipKernel: boolean;
  inputShape: readonly number[];
  weightShape: readonly number[];
  outputShape: readonly number[];
  inputLength: number;
  weightLength: number;
  biasLength: number;
  outputLength: number;
}

const KIND = 'ConvTransposeProblem';

/**
 * outputPadding per dimension: a non-negative integer smaller than the stride
 * or the dilation (PyTorch's rule: "output padding must be smaller than either
 * stride or dilation").
 */
function checkOutputPadding(
  p: Record<string, unknown>,
  stride: readonly number[],
  dilation: readonly number[],
): number[] {
  const arr = p.outputPadding;
  if (!Array.isArray(arr) || arr.length !== stride.length) {
    fail(KIND, 'outputPadding', arr, `an array of ${stride.length} entries, like inputSize`, p);
  }
  return arr.map((v, i) => {
    const op = checkInteger(KIND, `outputPadding[${i}]`, v, 0, p);
    if (op >= stride[i]! && op >= dilation[i]!) {
      fail(
        KIND,
        `outputPadding[${i}]`,
        op,
        `smaller than stride[${i}] = ${stride[i]} or dilation[${i}] = ${dilation[i]}`,
        p,
      );
    }
    return op;
  });
}

/**
 * Validates a transposed-convolution problem and derives its geometry. Throws
 * a ProblemError naming the field and value for any impossible problem.
 *
 * @example
 * ```ts
 * convTransposeGeometry(p).outputSize; // (I − 1)·S − Pb − Pe + D·(K − 1) + outputPadding + 1
 * ```
 */
export function convTransposeGeometry(
  problem: ConvTransposeProblem,
  limits: GeometryLimits = defaultLimits,
): ConvTransposeGeometry {
  const p = checkObject(KIND, problem);
  if (p.mode !== 'cross-correlation' && p.mode !== 'convolution') {
    fail(KIND, 'mode', p.mode, "'cross-correlation' or 'convolution'", p);
  }
  if (typeof p.bias !== 'boolean') fail(KIND, 'bias', p.bias, 'a boolean', p);
  const channels = checkChannels(KIND, p);
  const s = checkSpatial(KIND, p);
  const outputPadding = checkOutputPadding(p, s.stride, s.dilation);
  const rank = s.inputSize.length;
  const effective: number[] = [];
  const outputSize: number[] = [];
  for (let i = 0; i < rank; i++) {
    effective.push(effectiveKernel(s.kernelSize[i]!, s.dilation[i]!));
    const o = transposedOutputSize(
      s.inputSize[i]!,
      s.kernelSize[i]!,
      s.stride[i]!,
      s.dilation[i]!,
      s.padBegin[i]!,
      s.padEnd[i]!,
      outputPadding[i]!,
    );
    if (o < 1) {
      fail(
        KIND,
        `padBegin[${i}]/padEnd[${i}]`,
        [s.padBegin[i], s.padEnd[i]],
        `small enough for a positive output size: (I−1)·S − Pb − Pe + D·(K−1) + outputPadding + 1 = ${o}`,
        p,
      );
    }
    outputSize.push(o);
  }
  const { batch, inChannels, outChannels, groups } = channels;
  const inputShape = [batch, inChannels, ...s.inputSize];
  const weightShape = [inChannels, outChannels / groups, ...s.kernelSize];
  const outputShape = [batch, outChannels, ...outputSize];
  const g: ConvTransposeGeometry = {
    rank,
    ...s,
    effectiveKernel: effective,
    outputSize,
    inputVolume: volume(s.inputSize),
    kernelVolume: volume(s.kernelSize),
    outputVolume: volume(outputSize),
    problem,
    outputPadding,
    ...channels,
    inChannelsPerGroup: inChannels / groups,
    outChannelsPerGroup: outChannels / groups,
    flipKernel: p.mode === 'convolution',
    ...tensorRecord(
      KIND,
      { inputShape, weightShape, outputShape },
      p.bias ? outChannels : 0,
      limits,
      p,
    ),
  };
  return g;
}

/**
 * Calls `visit` once per term of the scatter definition that lands inside the
 * output, with the flat indices of the input element, the weight element and
 * the output element it adds to. The one place the scatter is written; the
 * float64 and the exact oracle only differ in their arithmetic.
 */
function forEachScatterTerm(
  g: ConvTransposeGeometry,
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
  for (let n = 0; n < g.batch; n++) {
    for (let ic = 0; ic < g.inChannels; ic++) {
      const group = Math.floor(ic / cig);
      for (let id = 0; id < ID; id++) {
        for (let ih = 0; ih < IH; ih++) {
          for (let iw = 0; iw < IW; iw++) {
            const inputIndex = (((n * g.inChannels + ic) * ID + id) * IH + ih) * IW + iw;
            for (let ocg = 0; ocg < cog; ocg++) {
              const oc = group * cog + ocg;
              for (let kd = 0; kd < KD; kd++) {
                const od = id * SD - PD + kd * DD;
                if (od < 0 || od >= OD) continue;
                for (let kh = 0; kh < KH; kh++) {
                  const oh = ih * SH - PH + kh * DH;
                  if (oh < 0 || oh >= OH) continue;
                  for (let kw = 0; kw < KW; kw++) {
                    const ow = iw * SW - PW + kw * DW;
                    if (ow < 0 || ow >= OW) continue;
                    const weightIndex =
                      (((ic * cog + ocg) * KD + flip(kd, KD)) * KH + flip(kh, KH)) * KW +
                      flip(kw, KW);
                    const outputIndex = (((n * g.outChannels + oc) * OD + od) * OH + oh) * OW + ow;
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

/** The output index's channel, for adding the bias. */
function outputChannel(g: ConvTransposeGeometry, outputIndex: number): number {
  return Math.floor(outputIndex / g.outputVolume) % g.outChannels;
}

/**
 * Direct-definition (scatter) transposed convolution in float64.
 *
 * @example
 * ```ts
 * const y = referenceConvTranspose(p, x, w, b); // length convTransposeGeometry(p).outputLength
 * ```
 */
export function referenceConvTranspose(
  problem: ConvTransposeProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias?: ArrayLike<number>,
): Float64Array {
  const g = convTransposeGeometry(problem);
  checkConvOperands(g, input, weight, bias);
  const out = new Float64Array(g.outputLength);
  if (bias) for (let i = 0; i < out.length; i++) out[i] = bias[outputChannel(g, i)]!;
  forEachScatterTerm(g, (xi, wi, yi) => {
    out[yi] = out[yi]! + input[xi]! * weight[wi]!;
  });
  return out;
}

/**
 * Exact transposed convolution: every output as a Fraction (mathjs BigInt
 * rationals), the same scatter with no rounding. For small problems; inputs
 * must be finite.
 *
 * @example
 * ```ts
 * const exact = exactConvTranspose(p, x, w).map(fractionToNumber);
 * ```
 */
export function exactConvTranspose(
  problem: ConvTransposeProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias?: ArrayLike<number>,
): Fraction[] {
  const g = convTransposeGeometry(problem);
  checkConvOperands(g, input, weight, bias);
  const math = mathOf();
  const xs = Array.from(input, exactFraction);
  const ws = Array.from(weight, exactFraction);
  const bs = bias ? Array.from(bias, exactFraction) : undefined;
  const out: Fraction[] = Array.from({ length: g.outputLength }, (_, i) =>
    bs ? bs[outputChannel(g, i)]! : math.fraction(0n, 1n),
  );
  forEachScatterTerm(g, (xi, wi, yi) => {
    out[yi] = math.add(out[yi]!, math.multiply(xs[xi]!, ws[wi]!)) as Fraction;
  });
  return out;
}

/**
 * The ConvTranspose whose forward pass is the backward-data pass of the
 * convolution `p`: same kernel, stride, dilation, pads, groups and mode, the
 * channel counts swapped, input size = the conv's output size, and the
 * outputPadding = (I + Pb + Pe − D·(K−1) − 1) mod S that restores the conv's
 * input size (the rows the conv's floor dropped). The conv weight
 * [Cout, Cin/G, ...K] is already in the transposed layout [inChannels,
 * outChannels/G, ...K] of this problem.
 *
 * @example
 * ```ts
 * referenceConvTranspose(backwardDataAsConvTranspose(p), dy, w); // = referenceConvBackwardData(p, dy, w)
 * ```
 */
export function backwardDataAsConvTranspose(p: ConvProblem): ConvTransposeProblem {
  const g = convGeometry(p);
  return {
    mode: p.mode,
    batch: p.batch,
    inChannels: p.outChannels,
    outChannels: p.inChannels,
    groups: p.groups,
    inputSize: [...g.outputSize],
    kernelSize: [...p.kernelSize],
    stride: [...p.stride],
    dilation: [...p.dilation],
    padBegin: [...p.padBegin],
    padEnd: [...p.padEnd],
    outputPadding: g.inputSize.map(
      (input, i) => (input + g.padBegin[i]! + g.padEnd[i]! - g.effectiveKernel[i]!) % g.stride[i]!,
    ),
    bias: false,
  };
}
