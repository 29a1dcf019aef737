/**
 * Compares a kernel's output with the oracle under a bound model: per element
 * (the bound, special values, NaN where a number is expected) and over the
 * tensor (the variance and bias statistics).
 *
 * Over 300 lines, on purpose: one pass over the output gives the per-element verdicts, the
 * worst elements and the tensor statistics that the verdict needs together.
 */
import type { HalfDType } from '../../reference/float16.ts';
import { convGeometry, stridesOf } from '../../reference/geometry.ts';
import { type OpName, opEntry } from '../../reference/ops.ts';
import type { ConvProblem, DType, FloatArray } from '../../reference/problem.ts';
import { classifyMismatch, type MismatchPattern } from '../patterns.ts';
import {
  type BoundModel,
  type BoundParameters,
  boundParameters,
  elementBound,
  MAX_FINITE,
  STATISTICS,
} from './bounds.ts';
import { storageOverflow } from './storage-overflow.ts';

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
  /** Whether T ≥ {@link STATISTICS.minOutputs}, so the checks applied (never under 'wgsl'). */
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
  /** The op the output is of (reference/ops.ts); default 'conv'. */
  op?: OpName;
  /**
   * The 16-bit storage type of the kernel's output, if any: a result that
   * overflows it must be the infinity (tolerance/storage-overflow.ts).
   */
  storage?: HalfDType;
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

/** The coordinates of flat `index` in a row-major tensor of `shape`. */
export function coordsOf(index: number, shape: readonly number[]): number[] {
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
  storage: HalfDType | undefined,
): ElementJudgement {
  if (model === 'wgsl' && !(Number.isFinite(ref) && Number.isFinite(mag))) {
    // WGSL's finite-math assumption: where an infinity or NaN meets the sum, the
    // result is an indeterminate value of f32 (docs/tolerance.md).
    return { outcome: 'ok', ratio: 0, bound: Number.POSITIVE_INFINITY };
  }
  if (Number.isNaN(ref)) {
    return Number.isNaN(got)
      ? { outcome: 'ok', ratio: 0, bound: 0 }
      : { outcome: 'fail', ratio: Infinity, bound: 0 };
  }
  if (!Number.isFinite(ref)) {
    // Winograd transforms form differences of the input: an infinity may turn into NaN.
    // A reduced-precision class rounds a tiny operand to 0 in its format: ∞·0 is NaN there.
    const ok =
      got === ref || ((model === 'winograd' || model === 'precision') && Number.isNaN(got));
    return { outcome: ok ? 'ok' : 'fail', ratio: ok ? 0 : Infinity, bound: 0 };
  }
  const bound = elementBound(params, mag);
  // A non-finite magnitude (an infinite input met by a zero weight, or a Winograd tile
  // holding a special value) or one the dtype would overflow on sets no accuracy limit.
  const unconstrained =
    !Number.isFinite(mag) ||
    mag * (1 + params.factor * params.ksb * params.unitRoundoff) >
      (params.maxFinite ?? MAX_FINITE[params.dtype]);
  if (unconstrained) return { outcome: 'ok', ratio: 0, bound: Number.POSITIVE_INFINITY };
  // Judged in the storage type: where the result overflows it, the infinity is the answer.
  const overflow = storage ? storageOverflow(got, ref, bound, storage) : undefined;
  if (overflow !== undefined) {
    return overflow === 'ok'
      ? { outcome: 'ok', ratio: 0, bound }
      : { outcome: 'fail', ratio: Infinity, bound };
  }
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
  const op = args.op ?? 'conv';
  const g = op === 'conv' ? convGeometry(problem) : opEntry(op).geometry(problem);
  const params = boundParameters(problem, dtype, model, op);
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
    const j = judgeElement(value, ref, magnitude[i]!, params, params.model, args.storage);
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
  // WGSL leaves the rounding direction of each operation open: a kernel may round
  // every sum down, so the statistics of round-to-nearest errors do not apply.
  if (params.model === 'wgsl') stats.applied = false;
  const comparison: Comparison = { ...base, verdict: 'pass', failures, worst, maxBoundRatio };
  // A precision class's tensor-wide checks are its own (properties/precision/judge.ts):
  // operand roundings are shared between outputs, which these statistics assume independent.
  // An FFT's errors are shared across its plane (norm-wise), not independent per output.
  const statistical =
    params.model !== 'exact' && params.model !== 'precision' && params.model !== 'fft';
  if (statistical) comparison.stats = stats;
  if (nans > 0 && nans === failures) {
    comparison.verdict = 'fail';
    comparison.reason = `${nans} of ${g.outputLength} outputs are NaN where the oracle gives a number`;
  } else if (failures > 0) {
    comparison.verdict = 'fail';
    comparison.reason =
      (params.model === 'exact'
        ? `${failures} of ${g.outputLength} outputs differ from the oracle (exact comparison)`
        : `${failures} of ${g.outputLength} outputs exceed the ${params.precision ?? params.model} bound (worst ×${formatRatio(worst[0]?.boundRatio)})`) +
      (nans > 0 ? `, ${nans} of them NaN where the oracle gives a number` : '');
  } else if (statistical && stats.applied) {
    if (stats.sumSquared > stats.varianceLimit) {
      comparison.verdict = 'fail';
      comparison.reason = `error variance Σe² = ${stats.sumSquared.toPrecision(4)} exceeds ${stats.varianceLimit.toPrecision(4)} (accumulation less precise than ${dtype}?)`;
    } else if (Math.abs(stats.sum) > stats.biasLimit) {
      comparison.verdict = 'fail';
      comparison.reason = `error bias |Σe| = ${Math.abs(stats.sum).toPrecision(4)} exceeds ${stats.biasLimit.toPrecision(4)} (rounding not to nearest?)`;
    }
  }
  // The mismatch fingerprints are stated for the forward conv's output.
  if (failures > 0 && op === 'conv') {
    comparison.pattern = classifyMismatch({
      problem,
      reference,
      got,
      failing,
      magnitude,
      ...(params.model === 'exact'
        ? { exactComparison: true }
        : { worstBoundRatio: worst[0]?.boundRatio }),
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
