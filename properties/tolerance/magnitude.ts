/**
 * The magnitude tensors the bound multiplies: Σ|x·w| + |b| for a dot product,
 * the widened Winograd magnitude for a Winograd model.
 */
import { referenceConv, referenceConvAt } from '../../reference/conv.ts';
import { convGeometry } from '../../reference/geometry.ts';
import type { ConvProblem, DType, PaddingRule } from '../../reference/problem.ts';
import { flipSpatial } from '../tensor.ts';
import type { WinogradBoundModel } from '../winogradBound.ts';
import { type BoundModel, boundParameters, winogradMismatch } from './bounds.ts';
import { magnitudeFft } from './fft.ts';

function absolute(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values, Math.abs);
}

/**
 * The dot-product magnitude: Σ|x·w| + |b| per output, i.e. the oracle on
 * absolute values (float64). Padding taps multiply a zero; a NaN or infinite
 * input gives a NaN or infinite magnitude, which the comparison treats as
 * "no accuracy requirement beyond the special-value rules".
 *
 * @example
 * ```ts
 * const mag = magnitudeConv(p, x, w, b);
 * ```
 */
export function magnitudeConv(
  problem: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias?: ArrayLike<number>,
  indices?: ArrayLike<number>,
  padding: PaddingRule = 'zeros',
): Float64Array {
  return correlateAbsolute(problem, absolute(input), absolute(weight), bias, indices, padding);
}

/** The oracle on |bias| and the given non-negative operands, everywhere or at `indices` only. */
function correlateAbsolute(
  problem: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  indices: ArrayLike<number> | undefined,
  padding: PaddingRule = 'zeros',
): Float64Array {
  const b = bias && absolute(bias);
  return indices === undefined
    ? referenceConv(problem, input, weight, b, padding)
    : referenceConvAt(problem, input, weight, b, indices, padding);
}

/** Applies K* along one axis of a weight tensor (the axis grows from r to 2m + r − 2). */
function widenAxis(
  data: Float64Array,
  shape: number[],
  axis: number,
  kernel: readonly (readonly number[])[],
): { data: Float64Array; shape: number[] } {
  const extent = shape[axis]!;
  const width = kernel[0]!.length;
  const outShape = shape.slice();
  outShape[axis] = width;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const out = new Float64Array(outer * width * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < extent; k++) {
      const row = kernel[k]!;
      for (let c = 0; c < width; c++) {
        const coefficient = row[c]!;
        if (coefficient === 0) continue;
        for (let i = 0; i < inner; i++) {
          out[(o * width + c) * inner + i]! += coefficient * data[(o * extent + k) * inner + i]!;
        }
      }
    }
  }
  return { data: out, shape: outShape };
}

/**
 * The Winograd magnitude: a correlation of |input| with the kernel widened by
 * K* on every axis (2m + r − 2 taps, starting m − 1 before the
 * output's own first tap), plus |b|. It bounds the sum of absolute values of
 * every term the transforms compute for that output, whatever the tile origin.
 *
 * @example
 * ```ts
 * const mag = magnitudeWinograd(p, x, w, b, winogradBoundModel(2, 3, transforms));
 * ```
 */
export function magnitudeWinograd(
  problem: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  model: WinogradBoundModel,
  indices?: ArrayLike<number>,
): Float64Array {
  const g = convGeometry(problem);
  if (winogradMismatch(problem, model) !== undefined) {
    throw new RangeError(`magnitudeWinograd: ${winogradMismatch(problem, model)}`);
  }
  let shape = g.weightShape.slice();
  let data = absolute(weight);
  if (g.flipKernel) data = flipSpatial(data, shape);
  model.axes.forEach((axis, d) => {
    ({ data, shape } = widenAxis(data, shape, d + 2, axis.magnitudeKernel));
  });
  // Each output's window now starts m − 1 taps earlier: pad that much more on both sides.
  const widened: ConvProblem = {
    ...problem,
    mode: 'cross-correlation',
    kernelSize: shape.slice(2),
    padBegin: problem.padBegin.map((p, d) => p + model.axes[d]!.m - 1),
    padEnd: problem.padEnd.map((p, d) => p + model.axes[d]!.m - 1),
  };
  // The widened problem has the same output shape (stride 1), so flat indices carry over.
  return correlateAbsolute(widened, absolute(input), data, bias, indices);
}

/**
 * The magnitude tensor a model's bound multiplies; with `indices`, only those
 * outputs (flat row-major), in that order (the sampled oracle).
 *
 * @example
 * ```ts
 * const mag = magnitudeFor(p, { input, weight, bias }, model, 'float32');
 * ```
 */
export function magnitudeFor(
  problem: ConvProblem,
  operands: { input: ArrayLike<number>; weight: ArrayLike<number>; bias?: ArrayLike<number> },
  model: BoundModel,
  dtype: DType,
  indices?: ArrayLike<number>,
  padding: PaddingRule = 'zeros',
): Float64Array {
  const { input, weight, bias } = operands;
  if (model.kind === 'fft') return magnitudeFft(problem, input, weight, bias, indices);
  if (model.kind === 'winograd' && boundParameters(problem, dtype, model).model === 'winograd') {
    return magnitudeWinograd(problem, input, weight, bias, model, indices);
  }
  const params = boundParameters(problem, dtype, model);
  const range = params.maxFinite;
  if (range !== undefined) {
    // Special values are judged in the storage type: an operand beyond its range (float16:
    // 65504) is infinite there, and an output that reads it sets no accuracy requirement.
    const stored = (values: ArrayLike<number>) =>
      Float64Array.from(values, (v) => (Math.abs(v) > range ? Number.POSITIVE_INFINITY : v));
    return magnitudeConv(
      problem,
      stored(input),
      stored(weight),
      bias && stored(bias),
      indices,
      padding,
    );
  }
  const magnitude = magnitudeConv(problem, input, weight, bias, indices, padding);
  if (params.model === 'wgsl')
    addFlushedOperands(magnitude, problem, operands, params, indices, padding);
  return magnitude;
}

const FLOAT32_NORMAL_MIN = 2 ** -126;

/** |v| where v is a float32 subnormal (WGSL may read it as 0), else 0. */
function subnormalPart(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values, (v) => {
    const a = Math.abs(v);
    return a > 0 && a < FLOAT32_NORMAL_MIN ? a : 0;
  });
}

/**
 * The 'wgsl' magnitude: Σ|x·w| + |b| plus F/u, where F = Σ|x·w| over the taps with
 * a subnormal operand (+ |b| for a subnormal bias) bounds what flushing operands
 * to zero changes, so that u · mag covers it (docs/tolerance.md).
 */
function addFlushedOperands(
  magnitude: Float64Array,
  problem: ConvProblem,
  operands: { input: ArrayLike<number>; weight: ArrayLike<number>; bias?: ArrayLike<number> },
  params: { unitRoundoff: number },
  indices: ArrayLike<number> | undefined,
  padding: PaddingRule,
): void {
  const { input, weight, bias } = operands;
  const subInput = subnormalPart(input);
  const subWeight = subnormalPart(weight);
  const subBias = bias && subnormalPart(bias);
  if (![subInput, subWeight, subBias ?? []].some((a) => a.some((v) => v !== 0))) return;
  const viaInput = magnitudeConv(problem, subInput, weight, subBias, indices, padding);
  const noBias = bias && new Float64Array(bias.length);
  const viaWeight = magnitudeConv(problem, input, subWeight, noBias, indices, padding);
  for (let i = 0; i < magnitude.length; i++) {
    magnitude[i]! += (viaInput[i]! + viaWeight[i]!) / params.unitRoundoff;
  }
}

/** One output element in a report. */
