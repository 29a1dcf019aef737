/**
 * Quantized convolution oracles with ONNX semantics, in exact integer arithmetic.
 *
 * `ConvInteger` (ONNX Operators.md, opset 10; onnx/reference/ops/op_conv_integer.py):
 *
 *   y[n, oc, o] = Σ_{ci, k} (x[n, c, o·S + k·D] − x_zp) · (w[oc, ci, k'] − w_zp[oc])   (int32)
 *
 * with int8 or uint8 operands, `x_zp` a scalar and `w_zp` a scalar or one per output
 * channel. Padding taps contribute 0 after the zero point is subtracted: the padded
 * input holds x_zp (as the ONNX reference, which subtracts and then zero-pads, and
 * onnxruntime, which pads with x_zp, both do). The reference evaluator's per-channel
 * `W -= w_zero_point` would broadcast a [M] vector along the last axis; the operator
 * definition says per output channel, which is what this oracle does.
 *
 * `QLinearConv` (ONNX Operators.md, opset 10; onnx/reference/ops/op_qlinear_conv.py):
 *
 *   acc = B[oc] + Σ (x − x_zp)(w − w_zp[oc])                         (int32)
 *   y   = saturate(roundHalfEven(acc · x_scale · w_scale[oc] / y_scale) + y_zp)
 *
 * where B is quantized with scale x_scale·w_scale[oc] and zero point 0 (the operator's
 * note), the scales are float32 and the output type is that of y_zp (int8 or uint8).
 * The oracle rounds the exact rational value acc·x_scale·w_scale/y_scale (BigInt
 * arithmetic on the float32 scales' significands), where ONNX's reference and
 * onnxruntime compute the multiplier in float32: qlinearConvBounds (quantized-bounds.ts)
 * gives the ±1 deviations that floating-point rescaling may legitimately show
 * (docs/quantized.md).
 *
 * Over 300 lines: the two oracles share one validation and one integer-sum loop, and
 * splitting them would put the ONNX semantics in two places.
 */
import { ProblemError } from './errors.ts';
import { type ConvGeometry, convGeometry, lift3 } from './geometry.ts';
import { zeroPaddingOnly } from './padding-mode.ts';
import type { ConvProblem } from './problem.ts';
import { checkTensorLength } from './tensors.ts';

/** The 8-bit integer types of quantized operands and outputs. */
export type QuantizedDType = 'int8' | 'uint8';

/** An 8-bit tensor: its typed array says whether it is int8 or uint8. */
export type QuantizedArray = Int8Array | Uint8Array;

/**
 * The range of each 8-bit type.
 *
 * @example
 * ```ts
 * QUANTIZED_RANGE.int8; // { min: -128, max: 127 }
 * ```
 */
export const QUANTIZED_RANGE: Readonly<Record<QuantizedDType, { min: number; max: number }>> = {
  int8: { min: -128, max: 127 },
  uint8: { min: 0, max: 255 },
};

/** A scalar (per tensor) or one value per output channel. */
export type PerChannel = number | ArrayLike<number>;

/** The quantization parameters of QLinearConv (ONNX input names in comments). */
export interface QLinearConvParameters {
  /** x_scale: positive float32. */
  xScale: number;
  /** x_zero_point: in the range of x's type. */
  xZeroPoint: number;
  /** w_scale: positive float32, per tensor or [outChannels]. */
  wScale: PerChannel;
  /** w_zero_point: in the range of w's type, per tensor or [outChannels]. */
  wZeroPoint: PerChannel;
  /** y_scale: positive float32. */
  yScale: number;
  /** y_zero_point: in the range of yType. */
  yZeroPoint: number;
  /** The output type (ONNX: the type of y_zero_point). Default: x's type. */
  yType?: QuantizedDType;
}

function typeOf(field: string, data: unknown, problem: ConvProblem): QuantizedDType {
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  throw new ProblemError(field, data, 'an Int8Array or a Uint8Array', problem);
}

function checkZeroPoint(
  field: string,
  value: unknown,
  type: QuantizedDType,
  problem: ConvProblem,
): number {
  const { min, max } = QUANTIZED_RANGE[type];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ProblemError(field, value, `an integer in [${min}, ${max}] (${type})`, problem);
  }
  return value;
}

/** Expands a scalar or per-output-channel parameter to one value per output channel. */
function perChannel(
  field: string,
  value: PerChannel,
  channels: number,
  check: (field: string, v: unknown) => number,
  problem: ConvProblem,
): number[] {
  if (typeof value === 'number') return new Array<number>(channels).fill(check(field, value));
  if (value === null || typeof value !== 'object' || value.length !== channels) {
    throw new ProblemError(
      field,
      value,
      `a scalar or ${channels} values (one per output channel)`,
      problem,
    );
  }
  return Array.from({ length: channels }, (_, i) => check(`${field}[${i}]`, value[i]));
}

function checkScale(field: string, value: unknown, problem: ConvProblem): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    Math.fround(value) !== value
  ) {
    throw new ProblemError(field, value, 'a positive finite float32 scale', problem);
  }
  return value;
}

/**
 * The exact integer sums Σ (x − xZero)(w − wZero[oc]) (+ bias[oc]) per output, as
 * numbers: every term is at most 255² in magnitude, so the sums are exact below 2^53.
 * Check-free: the public entries validate.
 */
function integerSums(
  g: ConvGeometry,
  x: QuantizedArray,
  w: QuantizedArray,
  xZero: number,
  wZero: readonly number[],
  bias?: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(g.outputLength);
  const [ID, IH, IW] = lift3(g.inputSize, 1);
  const [KD, KH, KW] = lift3(g.kernelSize, 1);
  const [OD, OH, OW] = lift3(g.outputSize, 1);
  const [SD, SH, SW] = lift3(g.stride, 1);
  const [DD, DH, DW] = lift3(g.dilation, 1);
  const [PD, PH, PW] = lift3(g.padBegin, 0);
  const cig = g.inChannelsPerGroup;
  const taps = KD * KH * KW;
  let index = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oc = 0; oc < g.outChannels; oc++) {
      const c0 = Math.floor(oc / g.outChannelsPerGroup) * cig;
      for (let od = 0; od < OD; od++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            let acc = bias ? bias[oc]! : 0;
            for (let ci = 0; ci < cig; ci++) {
              const plane = (n * g.inChannels + c0 + ci) * ID;
              for (let t = 0; t < taps; t++) {
                const kd = Math.floor(t / (KH * KW));
                const kh = Math.floor(t / KW) % KH;
                const kw = t % KW;
                const d = od * SD - PD + kd * DD;
                const h = oh * SH - PH + kh * DH;
                const i = ow * SW - PW + kw * DW;
                // A padding tap holds x's zero point: (x − xZero) = 0 there.
                if (d < 0 || d >= ID || h < 0 || h >= IH || i < 0 || i >= IW) continue;
                // 'convolution' mode applies the kernel flipped: tap t reads weight taps − 1 − t.
                const wt = g.flipKernel ? taps - 1 - t : t;
                const xv = x[((plane + d) * IH + h) * IW + i]! - xZero;
                acc += xv * (w[(oc * cig + ci) * taps + wt]! - wZero[oc]!);
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

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** Throws when an accumulator leaves int32: ONNX accumulates in int32, where overflow is undefined. */
function checkInt32(sums: Float64Array, problem: ConvProblem): Int32Array {
  const i = sums.findIndex((s) => s < INT32.min || s > INT32.max);
  if (i >= 0) {
    throw new ProblemError(
      `accumulator[${i}]`,
      sums[i],
      'within int32 (the ONNX operators accumulate in int32)',
      problem,
    );
  }
  return Int32Array.from(sums);
}

interface CheckedOperands {
  g: ConvGeometry;
  xType: QuantizedDType;
  wType: QuantizedDType;
}

function checkQuantizedOperands(
  problem: ConvProblem,
  x: QuantizedArray,
  w: QuantizedArray,
): CheckedOperands {
  const g = convGeometry(problem);
  // ONNX's quantized operators pad with x's zero point; no other padding mode exists there.
  if (zeroPaddingOnly(problem) !== true) {
    throw new ProblemError(
      'ConvProblem.paddingMode',
      problem.paddingMode,
      "'zeros' (the quantized operators pad with x's zero point)",
      problem,
    );
  }
  const xType = typeOf('x', x, problem);
  const wType = typeOf('w', w, problem);
  checkTensorLength('x', x, g.inputShape, problem);
  checkTensorLength('w', w, g.weightShape, problem);
  return { g, xType, wType };
}

/**
 * ONNX ConvInteger: int8/uint8 operands with zero points, exact int32 result.
 * `problem.bias` must be false (the operator has no bias input).
 *
 * @example
 * ```ts
 * const y = referenceConvInteger(p, new Uint8Array(x), new Int8Array(w), 128, 0); // Int32Array
 * const z = referenceConvInteger(p, x, w, 128, [0, 3, -2]); // one weight zero point per output channel
 * ```
 */
export function referenceConvInteger(
  problem: ConvProblem,
  x: QuantizedArray,
  w: QuantizedArray,
  xZeroPoint = 0,
  wZeroPoint: PerChannel = 0,
): Int32Array {
  const { g, xType, wType } = checkQuantizedOperands(problem, x, w);
  if (problem.bias) {
    throw new ProblemError(
      'ConvProblem.bias',
      true,
      'false for ConvInteger (no bias input)',
      problem,
    );
  }
  const xZero = checkZeroPoint('xZeroPoint', xZeroPoint, xType, problem);
  const wZero = perChannel(
    'wZeroPoint',
    wZeroPoint,
    g.outChannels,
    (f, v) => checkZeroPoint(f, v, wType, problem),
    problem,
  );
  return checkInt32(integerSums(g, x, w, xZero, wZero), problem);
}

/** A float32 scale as significand · 2^exponent with an integer significand (exact). */
function dyadic(scale: number): { significand: bigint; exponent: number } {
  let exponent = 0;
  let s = scale;
  // At most 149 + 24 doublings: every float32 is an integer times 2^−149.
  while (!Number.isInteger(s)) {
    s *= 2;
    exponent--;
  }
  return { significand: BigInt(s), exponent };
}

/** The rescale factor x_scale·w_scale/y_scale of one output channel, as an exact fraction. */
export interface ExactMultiplier {
  numerator: bigint;
  denominator: bigint;
  /** The same value in float64 (rounded once), for error bounds. */
  value: number;
}

function exactMultiplier(xScale: number, wScale: number, yScale: number): ExactMultiplier {
  const a = dyadic(xScale);
  const b = dyadic(wScale);
  const c = dyadic(yScale);
  const shift = a.exponent + b.exponent - c.exponent;
  let numerator = a.significand * b.significand;
  let denominator = c.significand;
  if (shift >= 0) numerator <<= BigInt(shift);
  else denominator <<= BigInt(-shift);
  return { numerator, denominator, value: (xScale * wScale) / yScale };
}

/** round(acc · m) with ties to even, exactly. */
export function roundRationalHalfEven(acc: number, m: ExactMultiplier): number {
  const num = BigInt(acc) * m.numerator;
  const den = m.denominator;
  // Floor division on bigints (they truncate toward zero).
  let q = num / den;
  let r = num % den;
  if (r < 0n) {
    q -= 1n;
    r += den;
  }
  const twice = 2n * r;
  if (twice > den || (twice === den && q % 2n !== 0n)) q += 1n;
  return Number(q);
}

export function saturate(v: number, type: QuantizedDType): number {
  const { min, max } = QUANTIZED_RANGE[type];
  return Math.min(max, Math.max(min, v));
}

/** Validated QLinearConv inputs: every per-channel parameter expanded. */
export interface QLinearSetup {
  accumulators: Int32Array;
  multipliers: ExactMultiplier[];
  /** The validated scales: x_scale, w_scale per output channel, y_scale. */
  scales: { x: number; w: readonly number[]; y: number };
  yZero: number;
  yType: QuantizedDType;
  outputsPerChannel: number;
  outChannels: number;
}

export function qlinearSetup(
  problem: ConvProblem,
  x: QuantizedArray,
  w: QuantizedArray,
  params: QLinearConvParameters,
  bias: ArrayLike<number> | undefined,
): QLinearSetup {
  const { g, xType, wType } = checkQuantizedOperands(problem, x, w);
  const field = (name: keyof QLinearConvParameters) => `QLinearConv.${name}`;
  if (problem.bias) {
    if (!(bias instanceof Int32Array)) {
      throw new ProblemError('bias', bias, 'an Int32Array (problem.bias is true)', problem);
    }
    checkTensorLength('bias', bias, [g.outChannels], problem);
  } else if (bias !== undefined) {
    throw new ProblemError('bias', 'given', 'absent (problem.bias is false)', problem);
  }
  const xScale = checkScale(field('xScale'), params.xScale, problem);
  const yScale = checkScale(field('yScale'), params.yScale, problem);
  const wScales = perChannel(
    field('wScale'),
    params.wScale,
    g.outChannels,
    (f, v) => checkScale(f, v, problem),
    problem,
  );
  const xZero = checkZeroPoint(field('xZeroPoint'), params.xZeroPoint, xType, problem);
  const wZero = perChannel(
    field('wZeroPoint'),
    params.wZeroPoint,
    g.outChannels,
    (f, v) => checkZeroPoint(f, v, wType, problem),
    problem,
  );
  const yType = params.yType ?? xType;
  if (yType !== 'int8' && yType !== 'uint8') {
    throw new ProblemError(field('yType'), yType, "'int8' or 'uint8'", problem);
  }
  const yZero = checkZeroPoint(field('yZeroPoint'), params.yZeroPoint, yType, problem);
  return {
    accumulators: checkInt32(integerSums(g, x, w, xZero, wZero, bias), problem),
    multipliers: wScales.map((ws) => exactMultiplier(xScale, ws, yScale)),
    scales: { x: xScale, w: wScales, y: yScale },
    yZero,
    yType,
    outputsPerChannel: g.outputVolume,
    outChannels: g.outChannels,
  };
}

export function outputArray(type: QuantizedDType, length: number): QuantizedArray {
  return type === 'int8' ? new Int8Array(length) : new Uint8Array(length);
}

/** The output channel of flat output index i ([batch, outChannels, ...spatial]). */
export function channelOf(i: number, s: QLinearSetup): number {
  return Math.floor(i / s.outputsPerChannel) % s.outChannels;
}

/**
 * ONNX QLinearConv, exactly: the int32 accumulator (bias included) times the exact
 * x_scale·w_scale/y_scale, rounded half to even, plus y_zero_point, saturated.
 *
 * @example
 * ```ts
 * const y = referenceQLinearConv(p, x, w, {
 *   xScale: 0.02, xZeroPoint: 128, wScale: [0.01, 0.004], wZeroPoint: 0,
 *   yScale: 0.05, yZeroPoint: 0, yType: 'int8',
 * }, new Int32Array([100, -7])); // Int8Array
 * ```
 */
export function referenceQLinearConv(
  problem: ConvProblem,
  x: QuantizedArray,
  w: QuantizedArray,
  params: QLinearConvParameters,
  bias?: Int32Array,
): QuantizedArray {
  const s = qlinearSetup(problem, x, w, params, bias);
  const out = outputArray(s.yType, s.accumulators.length);
  for (let i = 0; i < out.length; i++) {
    const m = s.multipliers[channelOf(i, s)]!;
    out[i] = saturate(roundRationalHalfEven(s.accumulators[i]!, m) + s.yZero, s.yType);
  }
  return out;
}
