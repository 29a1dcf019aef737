/**
 * The tensors and quantization parameters of a quantized case, a pure function of
 * the case (its problem, types and data seed), each from its own stream of the one
 * random source (reference/random.ts). Biased toward where quantized kernels break:
 *
 * - values: uniform over the type's range, one in eight at either end of it; some
 *   cases (one in eight, three in four of the tie-rich ones) draw x (and a
 *   per-tensor w) within ±4 of the zero point instead: small accumulators, where
 *   exact ties survive unsaturated;
 * - zero points (x, w per tensor or per output channel, y): one in four at the
 *   range's minimum, one in four at its maximum, one in seven at its middle (0 or
 *   128), the rest anywhere;
 * - scales: one case in three powers of two, where exact rounding ties are frequent
 *   and every float rescale is exact (so half-to-even is checked strictly; see
 *   qlinearConvBounds), the others float32 values spread over 2^−10..1;
 * - y_scale: chosen from the accumulators so that the largest |acc·x_scale·w_scale|
 *   lands at ½, 1, 2, 8 or 64 times the output's half-range: from no saturation to
 *   almost all outputs saturated; or, in half the power-of-two cases ("tie-rich"),
 *   x_scale·w_scale[0]·2^s with s in 1..3, so that m = 2^−s on channel 0;
 * - bias (QLinearConv, int32): around the accumulators' size, one case in eight
 *   around ±2^27, which saturates outright.
 *
 * A case's `focus` (properties/quantized/case.ts) narrows the mix: 'ties' makes
 * every case tie-rich; 'saturation' none tie-rich, its y_scale at 2, 8 or 64
 * times the half-range. A case without one draws exactly as before focuses existed.
 */

import { sameBits } from '../../reference/float.ts';
import { convGeometry } from '../../reference/geometry.ts';
import type { ConvProblem } from '../../reference/problem.ts';
import {
  type PerChannel,
  type QLinearConvParameters,
  QUANTIZED_RANGE,
  type QuantizedArray,
  type QuantizedDType,
  referenceConvInteger,
} from '../../reference/quantized.ts';
import { mixSeed, type Random, seededRandom } from '../../reference/random.ts';
import type { QuantizedCase } from './case.ts';

/** The operands of a ConvInteger case. */
export interface ConvIntegerOperands {
  op: 'conv-integer';
  x: QuantizedArray;
  w: QuantizedArray;
  xZeroPoint: number;
  wZeroPoint: PerChannel;
}

/** The operands of a QLinearConv case. */
export interface QLinearConvOperands {
  op: 'qlinear-conv';
  x: QuantizedArray;
  w: QuantizedArray;
  params: QLinearConvParameters;
  /** Given exactly when problem.bias. */
  bias?: Int32Array;
}

export type QuantizedOperands = ConvIntegerOperands | QLinearConvOperands;

/** The streams of one case: one per tensor or parameter group. */
const STREAM = { x: 1, w: 2, zeroPoints: 3, scales: 4, bias: 5, choices: 6 } as const;

function stream(c: QuantizedCase, name: keyof typeof STREAM): Random {
  return seededRandom(mixSeed(c.dataSeed, 0x51, STREAM[name]));
}

function pick<T>(random: Random, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}

function integerIn(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** A value of the type: one in eight at either end of the range, the rest uniform. */
function value(random: Random, type: QuantizedDType): number {
  const { min, max } = QUANTIZED_RANGE[type];
  const r = random();
  if (r < 1 / 16) return min;
  if (r < 1 / 8) return max;
  return integerIn(random, min, max);
}

/** How far from its zero point a narrow tensor's values lie. */
const NARROW_SPREAD = 4;

/**
 * A tensor of the type: {@link value}s, or, when `narrow` holds the zero point,
 * values within ±4 of it (small accumulators: a power-of-two rescale by 2^−1..2^−3,
 * where exact ties are frequent, stays unsaturated).
 */
function tensor(
  random: Random,
  type: QuantizedDType,
  length: number,
  narrow?: number,
): QuantizedArray {
  const out = type === 'int8' ? new Int8Array(length) : new Uint8Array(length);
  const { min, max } = QUANTIZED_RANGE[type];
  for (let i = 0; i < length; i++) {
    if (narrow === undefined) {
      out[i] = value(random, type);
      continue;
    }
    // Mirrored at the range's ends, so a zero point at an end is not half the values.
    const d = integerIn(random, -NARROW_SPREAD, NARROW_SPREAD);
    out[i] = narrow + d >= min && narrow + d <= max ? narrow + d : narrow - d;
  }
  return out;
}

/** A zero point, biased to the ends and the middle of the range (see the module comment). */
function zeroPoint(random: Random, type: QuantizedDType): number {
  const { min, max } = QUANTIZED_RANGE[type];
  const r = random();
  if (r < 1 / 4) return min;
  if (r < 1 / 2) return max;
  if (r < 1 / 2 + 1 / 7) return type === 'int8' ? 0 : 128;
  return integerIn(random, min, max);
}

function perChannel(c: QuantizedCase, draw: () => number): PerChannel {
  if (!c.perChannel) return draw();
  return Array.from({ length: c.problem.outChannels }, draw);
}

/** A float32 scale: a power of two in 2^−8..1, or log-uniform in 2^−10..1. */
function scale(random: Random, powerOfTwo: boolean): number {
  if (powerOfTwo) return 2 ** -integerIn(random, 0, 8);
  return Math.fround(2 ** (-10 * random()));
}

const at = (v: PerChannel, oc: number): number => (typeof v === 'number' ? v : v[oc]!);

/** How far past the output's half-range the largest rescaled accumulator goes. */
const SATURATION_TARGETS = [0.5, 1, 2, 8, 64] as const;
/** The targets of the 'saturation' focus: every case saturates some outputs. */
const SATURATING_TARGETS = [2, 8, 64] as const;

/**
 * y_scale such that max |acc·x_scale·w_scale[oc]| / y_scale is `target` times the
 * output's half-range (127.5); a power of two when the other scales are.
 */
function yScaleFor(
  problem: ConvProblem,
  accumulators: Int32Array,
  xScale: number,
  wScale: PerChannel,
  target: number,
  powerOfTwo: boolean,
): number {
  const perChannelOutputs = accumulators.length / (problem.batch * problem.outChannels);
  let peak = 0;
  for (let i = 0; i < accumulators.length; i++) {
    const oc = Math.floor(i / perChannelOutputs) % problem.outChannels;
    peak = Math.max(peak, Math.abs(accumulators[i]! * xScale * at(wScale, oc)));
  }
  const wanted = peak > 0 ? peak / (target * 127.5) : 1;
  // Kept within 2^±40, where power-of-two scales stay exact in float32 (quantized-bounds.ts).
  const bounded = Math.min(2 ** 40, Math.max(2 ** -40, wanted));
  return powerOfTwo ? 2 ** Math.round(Math.log2(bounded)) : Math.fround(bounded);
}

const INT32_MAX = 2 ** 31 - 1;

/** An int32 bias per output channel, keeping every accumulator inside int32. */
function biasFor(c: QuantizedCase, accumulators: Int32Array): Int32Array {
  const random = stream(c, 'bias');
  let peak = 0;
  for (const a of accumulators) peak = Math.max(peak, Math.abs(a));
  const large = random() < 1 / 8;
  const spread = large ? 2 ** 27 : Math.max(16, peak);
  const limit = INT32_MAX - peak;
  return Int32Array.from({ length: c.problem.outChannels }, () => {
    const b = Math.round((2 * random() - 1) * spread);
    return Math.max(-limit, Math.min(limit, b));
  });
}

/**
 * The operands of a quantized case (see the module comment for the distributions).
 *
 * @example
 * ```ts
 * const operands = materializeQuantizedCase(c);
 * if (operands.op === 'qlinear-conv') referenceQLinearConv(c.problem, operands.x, operands.w, operands.params, operands.bias);
 * ```
 */
export function materializeQuantizedCase(c: QuantizedCase): QuantizedOperands {
  const g = convGeometry(c.problem);
  const zeros = stream(c, 'zeroPoints');
  const xZeroPoint = zeroPoint(zeros, c.xType);
  const wZeroPoint = perChannel(c, () => zeroPoint(zeros, c.wType));
  const choices = stream(c, 'choices');
  // Without a focus the draws are the mix's, unchanged (a focus only forces choices).
  const powerOfTwo = choices() < 1 / 3 || c.focus === 'ties';
  // Tie-rich: m = 2^−s with s in 1..3 makes every odd multiple of 2^(s−1) a tie.
  const tieRich =
    c.focus !== 'saturation' && ((powerOfTwo && choices() < 1 / 2) || c.focus === 'ties');
  const narrow = choices() < (tieRich ? 3 / 4 : 1 / 8);
  const x = tensor(stream(c, 'x'), c.xType, g.inputLength, narrow ? xZeroPoint : undefined);
  const wNarrow = narrow && typeof wZeroPoint === 'number' ? wZeroPoint : undefined;
  const w = tensor(stream(c, 'w'), c.wType, g.weightLength, wNarrow);
  if (c.op === 'conv-integer') return { op: c.op, x, w, xZeroPoint, wZeroPoint };
  const yType = c.yType ?? c.xType;
  const yZeroPoint = zeroPoint(zeros, yType);
  const target = pick(choices, c.focus === 'saturation' ? SATURATING_TARGETS : SATURATION_TARGETS);
  const shift = integerIn(choices, 1, 3);
  const scales = stream(c, 'scales');
  const xScale = scale(scales, powerOfTwo);
  const wScale = perChannel(c, () => scale(scales, powerOfTwo));
  const plain = { ...c.problem, bias: false };
  const sums = referenceConvInteger(plain, x, w, xZeroPoint, wZeroPoint);
  const bias = c.problem.bias ? biasFor(c, sums) : undefined;
  const withBias = bias ? addBias(c.problem, sums, bias) : sums;
  const yScale = tieRich
    ? xScale * at(wScale, 0) * 2 ** shift
    : yScaleFor(c.problem, withBias, xScale, wScale, target, powerOfTwo);
  const params: QLinearConvParameters = {
    xScale,
    xZeroPoint,
    wScale,
    wZeroPoint,
    yScale,
    yZeroPoint,
    yType,
  };
  return bias ? { op: c.op, x, w, params, bias } : { op: c.op, x, w, params };
}

function addBias(problem: ConvProblem, sums: Int32Array, bias: Int32Array): Int32Array {
  const perChannelOutputs = sums.length / (problem.batch * problem.outChannels);
  return sums.map((s, i) => s + bias[Math.floor(i / perChannelOutputs) % problem.outChannels]!);
}

/** The tensors of a quantized case that a kernel must leave alone. */
function tensorsOf(o: QuantizedOperands): Record<string, ArrayBufferView> {
  const base = { x: o.x, w: o.w };
  return o.op === 'qlinear-conv' && o.bias ? { ...base, bias: o.bias } : base;
}

/**
 * Which of x, w and bias differ, byte for byte, between a copy taken before the run
 * and the arrays the kernel received.
 *
 * @example
 * ```ts
 * const before = copyQuantizedOperands(operands);
 * await kernel.convInteger!(p, operands.x, operands.w, xz, wz);
 * writtenQuantizedOperands(before, operands); // []
 * ```
 */
export function writtenQuantizedOperands(
  before: QuantizedOperands,
  after: QuantizedOperands,
): string[] {
  const a = tensorsOf(before);
  const b = tensorsOf(after);
  return Object.keys(a).filter((name) => !b[name] || !sameBits(a[name]!, b[name]!));
}

/**
 * A private copy of the operands (the snapshot {@link writtenQuantizedOperands}
 * compares with), parameters included.
 *
 * @example
 * ```ts
 * const before = copyQuantizedOperands(operands);
 * ```
 */
export function copyQuantizedOperands(o: QuantizedOperands): QuantizedOperands {
  const copyParam = <T>(v: T): T => (Array.isArray(v) ? ([...v] as T) : v);
  if (o.op === 'conv-integer') {
    return { ...o, x: o.x.slice(), w: o.w.slice(), wZeroPoint: copyParam(o.wZeroPoint) };
  }
  const params = {
    ...o.params,
    wScale: copyParam(o.params.wScale),
    wZeroPoint: copyParam(o.params.wZeroPoint),
  };
  const copy = { op: o.op, x: o.x.slice(), w: o.w.slice(), params };
  return o.bias ? { ...copy, bias: o.bias.slice() } : copy;
}
