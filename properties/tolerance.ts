/**
 * The tolerance model: when is a kernel's output "equal to the oracle"?
 * Adapted from TOSA's dot-product compliance mode; the derivation of every
 * constant is in docs/tolerance.md.
 *
 * Per output element, with ref the float64 oracle and mag its magnitude
 * (Σ|x·w| + |b| for a dot product, the widened Winograd magnitude otherwise):
 *
 *   |got − ref| ≤ factor · ksb · max(u · mag, normalMin)
 *
 * where u is the dtype's unit roundoff, ksb the number of roundings along any
 * path of the computation and normalMin the dtype's smallest normal number (a
 * floor that absorbs underflow). mag = 0 requires an exact 0; a NaN reference
 * requires NaN; an infinite reference requires the same infinity; NaN where a
 * number is expected is an error. ±0 compare equal: the sign of a zero sum
 * depends on the summation order, which no kernel is required to follow.
 *
 * Over a whole tensor of at least 1000 judged outputs, the normalized errors
 * e = (got − ref) / max(u·mag, normalMin) must also satisfy
 * Σe² ≤ 1.6 · ksb · T (variance) and, for signed data, |Σe| ≤ √(16 · ksb · T)
 * (bias): an accumulator of too low a precision passes every element but not
 * the sum of squares.
 */
import { referenceConv } from '../reference/conv.ts';
import { convGeometry, stridesOf } from '../reference/geometry.ts';
import type { ConvProblem, DType, FloatArray, PaddingRule } from '../reference/problem.ts';
import { classifyMismatch, type MismatchPattern } from './patterns.ts';
import { flipSpatial } from './tensor.ts';
import { type WinogradBoundModel, winogradStages } from './winogradBound.ts';

export type { WinogradBoundModel } from './winogradBound.ts';

/**
 * What a kernel promises about its accuracy.
 * - 'exact': every output is the oracle's value rounded to the dtype.
 * - 'dot-product': each output is a dot product summed in any order, in the
 *   dtype or wider, optionally with FMA (direct, im2col, GEMM kernels). On
 *   'exact' data this implies bit-for-bit equality.
 * - 'winograd': a Winograd F(m, r) kernel, bounded through its transforms.
 */
export type BoundModel = { kind: 'exact' } | { kind: 'dot-product' } | WinogradBoundModel;

/** The explicit parameters of the per-element bound, for fixtures and other languages. */
export interface BoundParameters {
  /** The model actually applied (a Winograd model falls back to dot-product off its domain). */
  model: BoundModel['kind'];
  dtype: DType;
  /** u: 2^−24 for float32, 2^−53 for float64. */
  unitRoundoff: number;
  /** Roundings along any path (the kernel-size bound); 0 for 'exact'. */
  ksb: number;
  /** Safety factor of the derivation; 0 for 'exact'. */
  factor: number;
  /** Absolute floor per unit of ksb·factor: the dtype's smallest normal number. */
  normalMin: number;
  /** Which magnitude tensor the bound multiplies. */
  magnitude: 'dot-product' | 'winograd';
  /** Why the requested model was not applied, when it was not. */
  note?: string;
}

/**
 * Constants of the tensor-wide statistical checks (derived in docs/tolerance.md).
 *
 * @example
 * ```ts
 * stats.sumSquared <= STATISTICS.variance * ksb * stats.judged; // the variance check
 * ```
 */
export const STATISTICS = {
  /** Smallest number of judged outputs for the checks to be meaningful. */
  minOutputs: 1000,
  /** Σe² ≤ variance · ksb · T (TOSA's 4 · 0.4). */
  variance: 1.6,
  /** |Σe| ≤ √(bias · ksb · T) (TOSA's 10 · 4 · 0.4). */
  bias: 16,
} as const;

const UNIT_ROUNDOFF: Record<DType, number> = { float32: 2 ** -24, float64: 2 ** -53 };
const NORMAL_MIN: Record<DType, number> = { float32: 2 ** -126, float64: 2 ** -1022 };
const MAX_FINITE: Record<DType, number> = {
  float32: (2 - 2 ** -23) * 2 ** 127,
  float64: Number.MAX_VALUE,
};
/**
 * Safety factor of the dot-product model. float32: the kernel's own error γ_ksb(u)
 * ≤ 1.07·ksb·u (ksb·u ≤ 1/16) plus the oracle's, 2^−29 times smaller. float64: the
 * oracle errs as much as the kernel, 2·γ_ksb(u) ≤ 2.2·ksb·u, plus the rounding of
 * the magnitude itself. See docs/tolerance.md.
 */
const DOT_PRODUCT_FACTOR: Record<DType, number> = { float32: 2, float64: 3 };
/** Safety factor of the Winograd model: γ_n ≤ 1.1·n·u and the oracle's error (ksb includes it). */
const WINOGRAD_FACTOR = 2;

/** Why a Winograd model cannot judge this problem, or undefined when it can. */
function winogradMismatch(p: ConvProblem, model: WinogradBoundModel): string | undefined {
  const tiles = model.axes.map((a) => `F(${a.m}, ${a.r})`).join(' × ');
  if (p.stride.some((s) => s !== 1) || p.dilation.some((d) => d !== 1)) {
    return `the Winograd bound needs stride 1 and dilation 1; judged as a dot product`;
  }
  if (
    model.axes.length !== p.kernelSize.length ||
    model.axes.some((a, d) => a.r !== p.kernelSize[d])
  ) {
    return `Winograd model ${tiles} does not match kernel [${p.kernelSize.join(', ')}]; judged as a dot product`;
  }
  return undefined;
}

/**
 * The parameters of the per-element bound for a problem, dtype and model.
 * A fixture stores these next to the magnitude tensor so that any language can
 * apply |got − ref| ≤ factor · ksb · max(u · mag, normalMin).
 *
 * @example
 * ```ts
 * boundParameters(p, 'float32', { kind: 'dot-product' });
 * // { model: 'dot-product', unitRoundoff: 2^-24, ksb: reductionLength + 1 (bias), factor: 2, ... }
 * ```
 */
export function boundParameters(
  problem: ConvProblem,
  dtype: DType,
  model: BoundModel,
): BoundParameters {
  const g = convGeometry(problem);
  const dotKsb = g.reductionLength + (problem.bias ? 1 : 0);
  const base = { dtype, unitRoundoff: UNIT_ROUNDOFF[dtype], normalMin: NORMAL_MIN[dtype] };
  if (model.kind === 'exact') {
    return { ...base, model: 'exact', ksb: 0, factor: 0, magnitude: 'dot-product' };
  }
  const note = model.kind === 'winograd' ? winogradMismatch(problem, model) : undefined;
  if (model.kind === 'dot-product' || note !== undefined) {
    const params: BoundParameters = {
      ...base,
      model: 'dot-product',
      ksb: dotKsb,
      factor: DOT_PRODUCT_FACTOR[dtype],
      magnitude: 'dot-product',
    };
    return note === undefined ? params : { ...params, note };
  }
  // Transforms and product, then the sum over input channels, then the bias.
  let ksb = winogradStages(model) + g.inChannelsPerGroup + (problem.bias ? 1 : 0);
  // In float64 the oracle's own rounding is as large as the kernel's: count its roundings too.
  if (dtype === 'float64') ksb += dotKsb;
  return { ...base, model: 'winograd', ksb, factor: WINOGRAD_FACTOR, magnitude: 'winograd' };
}

/**
 * The bound on |got − ref| for one element of magnitude `magnitude`:
 * factor · ksb · max(u · magnitude, normalMin), and 0 when the magnitude is 0
 * (every product is zero, so the result must be exactly zero) or the model is exact.
 *
 * @example
 * ```ts
 * elementBound(boundParameters(p, 'float32', { kind: 'dot-product' }), mag[i]);
 * ```
 */
export function elementBound(params: BoundParameters, magnitude: number): number {
  if (magnitude === 0 || params.ksb === 0) return 0;
  return params.factor * params.ksb * Math.max(params.unitRoundoff * magnitude, params.normalMin);
}

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
  padding: PaddingRule = 'zeros',
): Float64Array {
  return referenceConv(problem, absolute(input), absolute(weight), bias && absolute(bias), padding);
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
  return referenceConv(widened, absolute(input), data, bias && absolute(bias));
}

/**
 * The magnitude tensor a model's bound multiplies.
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
  padding: PaddingRule = 'zeros',
): Float64Array {
  const { input, weight, bias } = operands;
  if (model.kind === 'winograd' && boundParameters(problem, dtype, model).model === 'winograd') {
    return magnitudeWinograd(problem, input, weight, bias, model);
  }
  return magnitudeConv(problem, input, weight, bias, padding);
}

/** One output element in a report. */
export interface WorstElement {
  /** Flat row-major index into the output. */
  index: number;
  /** [n, c, ...spatial]. */
  coords: number[];
  expected: number;
  got: number;
  /** |got − expected| in units in the last place of the expected value (in the dtype). */
  ulps: number;
  /** |got − expected| / bound: above 1 fails. Infinity for a wrong special value or a nonzero over a zero bound. */
  boundRatio: number;
  /** The bound applied (0 for exact comparisons). */
  bound: number;
}

/** The tensor-wide statistical checks. */
export interface ErrorStatistics {
  /** Number of outputs judged (finite reference, nonzero finite magnitude). */
  judged: number;
  /** Whether T ≥ {@link STATISTICS.minOutputs}, so the checks applied. */
  applied: boolean;
  sumSquared: number;
  varianceLimit: number;
  sum: number;
  /** Infinity when the data is not signed (the bias check does not apply). */
  biasLimit: number;
}

/** Outcome of comparing one output tensor. */
export interface Comparison {
  verdict: 'pass' | 'fail' | 'error';
  /** One line saying why it failed. */
  reason?: string;
  parameters: BoundParameters;
  /** Number of output elements. */
  outputs: number;
  /** Number of elements outside the bound or with a wrong special value. */
  failures: number;
  /** The worst elements, worst first (at most `worstCount`). */
  worst: WorstElement[];
  /** Largest |got − ref| / bound over the finite, bounded elements. */
  maxBoundRatio: number;
  stats?: ErrorStatistics;
  /** Where the mismatches are, when there are any. */
  pattern?: MismatchPattern;
}

/** Arguments of {@link compareConvOutput}. */
export interface CompareArgs {
  problem: ConvProblem;
  got: ArrayLike<number>;
  reference: ArrayLike<number>;
  magnitude: ArrayLike<number>;
  dtype: DType;
  model: BoundModel;
  /** Whether the data is signed (the bias check applies). Default true. */
  signedData?: boolean;
  /** How many worst elements to keep. Default 5. */
  worstCount?: number;
}

/**
 * The distance between `x` and the next representable number of the dtype away from zero.
 *
 * @example
 * ```ts
 * ulpOf(1, 'float32'); // 2^-23
 * ```
 */
export function ulpOf(x: number, dtype: DType): number {
  const a = Math.abs(x);
  if (!Number.isFinite(a)) return Number.NaN;
  if (dtype === 'float32') {
    const f = Math.fround(a);
    if (f < 2 ** -126) return 2 ** -149;
    return 2 ** (Math.floor(Math.log2(f)) - 23);
  }
  if (a < 2 ** -1022) return 2 ** -1074;
  // log2 can be off by one just below a power of two: correct against the exact power.
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  else if (2 ** (e + 1) <= a) e += 1;
  return 2 ** (e - 52);
}

function coordsOf(index: number, shape: readonly number[]): number[] {
  const strides = stridesOf(shape);
  return strides.map((s, axis) => Math.floor(index / s) % shape[axis]!);
}

interface ElementJudgement {
  outcome: 'ok' | 'fail';
  /** A NaN where the oracle has a number: a numerically wrong value, counted for the reason. */
  nan?: true;
  /** |got − ref| / bound; Infinity for a wrong special value. */
  ratio: number;
  bound: number;
  /** Normalized error for the statistics, or undefined when the element is not judged. */
  normalized?: number;
}

function judgeElement(
  got: number,
  ref: number,
  mag: number,
  params: BoundParameters,
  model: BoundParameters['model'],
): ElementJudgement {
  if (Number.isNaN(ref)) {
    return Number.isNaN(got)
      ? { outcome: 'ok', ratio: 0, bound: 0 }
      : { outcome: 'fail', ratio: Infinity, bound: 0 };
  }
  if (!Number.isFinite(ref)) {
    // Winograd transforms form differences of the input: an infinity may turn into NaN.
    const ok = got === ref || (model === 'winograd' && Number.isNaN(got));
    return { outcome: ok ? 'ok' : 'fail', ratio: ok ? 0 : Infinity, bound: 0 };
  }
  const bound = elementBound(params, mag);
  // A non-finite magnitude (an infinite input met by a zero weight, or a Winograd tile
  // holding a special value) or one the dtype would overflow on sets no accuracy limit.
  const unconstrained =
    !Number.isFinite(mag) ||
    mag * (1 + params.factor * params.ksb * params.unitRoundoff) > MAX_FINITE[params.dtype];
  if (unconstrained) return { outcome: 'ok', ratio: 0, bound: Number.POSITIVE_INFINITY };
  if (Number.isNaN(got)) return { outcome: 'fail', nan: true, ratio: Infinity, bound };
  if (model === 'exact') {
    const expected = params.dtype === 'float32' ? Math.fround(ref) : ref;
    // === holds for +0 and −0 alike, as intended (see the module comment).
    return got === expected
      ? { outcome: 'ok', ratio: 0, bound: 0 }
      : { outcome: 'fail', ratio: Infinity, bound: 0 };
  }
  const difference = Math.abs(got - ref);
  const ratio = bound === 0 ? (difference === 0 ? 0 : Infinity) : difference / bound;
  const normalizer = Math.max(params.unitRoundoff * mag, params.normalMin);
  return {
    outcome: ratio <= 1 ? 'ok' : 'fail',
    ratio,
    bound,
    normalized: mag === 0 ? undefined : (got - ref) / normalizer,
  };
}

/** Keeps the `count` worst elements, worst first. */
function keepWorst(worst: WorstElement[], element: WorstElement, count: number): void {
  if (worst.length === count && element.boundRatio <= worst[count - 1]!.boundRatio) return;
  worst.push(element);
  worst.sort((a, b) => b.boundRatio - a.boundRatio);
  if (worst.length > count) worst.pop();
}

/**
 * Compares a kernel's output with the oracle under a bound model. The verdict is
 * 'error' for a malformed output (wrong length), 'fail' for values outside the
 * bound (a NaN where the oracle has a number among them: a wrong value, not a
 * malformed output) or failed statistical checks, else 'pass'.
 *
 * @example
 * ```ts
 * const reference = referenceConv(p, x, w, b);
 * const model: BoundModel = { kind: 'dot-product' };
 * const c = compareConvOutput({ problem: p, got, reference, dtype: 'float32', model,
 *   magnitude: magnitudeFor(p, { input: x, weight: w, bias: b }, model, 'float32') });
 * if (c.verdict !== 'pass') console.log(c.reason, c.worst[0]);
 * ```
 */
export function compareConvOutput(args: CompareArgs): Comparison {
  const { problem, got, reference, magnitude, dtype, model } = args;
  const g = convGeometry(problem);
  const params = boundParameters(problem, dtype, model);
  const worstCount = args.worstCount ?? 5;
  const base = { parameters: params, outputs: g.outputLength, maxBoundRatio: 0 };
  if (got.length !== g.outputLength) {
    return {
      ...base,
      verdict: 'error',
      reason: `output has ${got.length} elements, expected ${g.outputLength} (shape [${g.outputShape.join(', ')}])`,
      failures: g.outputLength,
      worst: [],
    };
  }
  const failing = new Uint8Array(g.outputLength);
  const worst: WorstElement[] = [];
  let failures = 0;
  let nans = 0;
  let maxBoundRatio = 0;
  let judged = 0;
  let sum = 0;
  let sumSquared = 0;
  for (let i = 0; i < g.outputLength; i++) {
    const value = got[i]!;
    const ref = reference[i]!;
    const j = judgeElement(value, ref, magnitude[i]!, params, params.model);
    if (j.normalized !== undefined) {
      judged++;
      sum += j.normalized;
      sumSquared += j.normalized * j.normalized;
    }
    if (Number.isFinite(j.ratio)) maxBoundRatio = Math.max(maxBoundRatio, j.ratio);
    if (j.outcome !== 'ok') {
      failing[i] = 1;
      failures++;
      if (j.nan) nans++;
    }
    if (j.ratio > 0) {
      const ulp = ulpOf(ref, dtype);
      keepWorst(
        worst,
        {
          index: i,
          coords: coordsOf(i, g.outputShape),
          expected: ref,
          got: value,
          ulps: Number.isFinite(ulp) ? Math.abs(value - ref) / ulp : Number.NaN,
          boundRatio: j.ratio,
          bound: j.bound,
        },
        worstCount,
      );
    }
  }
  const stats = statistics(judged, sum, sumSquared, params.ksb, args.signedData ?? true);
  const comparison: Comparison = { ...base, verdict: 'pass', failures, worst, maxBoundRatio };
  if (params.model !== 'exact') comparison.stats = stats;
  if (nans > 0 && nans === failures) {
    comparison.verdict = 'fail';
    comparison.reason = `${nans} of ${g.outputLength} outputs are NaN where the oracle gives a number`;
  } else if (failures > 0) {
    comparison.verdict = 'fail';
    comparison.reason =
      (params.model === 'exact'
        ? `${failures} of ${g.outputLength} outputs differ from the oracle (exact comparison)`
        : `${failures} of ${g.outputLength} outputs exceed the ${params.model} bound (worst ×${formatRatio(worst[0]?.boundRatio)})`) +
      (nans > 0 ? `, ${nans} of them NaN where the oracle gives a number` : '');
  } else if (params.model !== 'exact' && stats.applied) {
    if (stats.sumSquared > stats.varianceLimit) {
      comparison.verdict = 'fail';
      comparison.reason = `error variance Σe² = ${stats.sumSquared.toPrecision(4)} exceeds ${stats.varianceLimit.toPrecision(4)} (accumulation less precise than ${dtype}?)`;
    } else if (Math.abs(stats.sum) > stats.biasLimit) {
      comparison.verdict = 'fail';
      comparison.reason = `error bias |Σe| = ${Math.abs(stats.sum).toPrecision(4)} exceeds ${stats.biasLimit.toPrecision(4)} (rounding not to nearest?)`;
    }
  }
  if (failures > 0) {
    comparison.pattern = classifyMismatch({
      problem,
      reference,
      got,
      failing,
      magnitude,
      ...(params.model === 'exact' ? {} : { worstBoundRatio: worst[0]?.boundRatio }),
    });
  }
  return comparison;
}

function statistics(
  judged: number,
  sum: number,
  sumSquared: number,
  ksb: number,
  signed: boolean,
): ErrorStatistics {
  return {
    judged,
    applied: judged >= STATISTICS.minOutputs,
    sumSquared,
    varianceLimit: STATISTICS.variance * ksb * judged,
    sum,
    biasLimit: signed ? Math.sqrt(STATISTICS.bias * ksb * judged) : Number.POSITIVE_INFINITY,
  };
}

function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined) return '?';
  return Number.isFinite(ratio) ? ratio.toPrecision(3) : '∞';
}

/**
 * Whether a typed array has the dtype a kernel declared.
 *
 * @example
 * ```ts
 * hasDtype(new Float32Array(4), 'float32'); // true
 * ```
 */
export function hasDtype(values: unknown, dtype: DType): values is FloatArray {
  return dtype === 'float32' ? values instanceof Float32Array : values instanceof Float64Array;
}
