/**
 * Judging a kernel's outputs against the precision ladder: per model, the
 * per-element bound and the tensor-wide variance and bias checks; over many
 * cases, which models hold, the tightest of them, and an estimate of the
 * kernel's effective significand bits. Derivations: docs/tolerance.md,
 * "Precision classes".
 *
 * This is the foundation the check runner will call; it does not replace
 * compareConvOutput (whose fp32 verdicts it reproduces: precision.test.ts).
 *
 * Over 300 lines, on purpose: the per-case verdict, the profile over cases and the
 * effective-bits estimate read the same per-element model; docs/tolerance.md derives them
 * together.
 */
import { referenceConv } from '../../reference/conv.ts';
import type { HalfDType } from '../../reference/float16.ts';
import type { ConvProblem } from '../../reference/problem.ts';
import { storageOverflow } from '../tolerance/storage-overflow.ts';
import { magnitudeConv } from '../tolerance.ts';
import {
  PRECISION_MODEL_NAMES,
  type PrecisionBound,
  type PrecisionBoundConstraints,
  type PrecisionModelName,
  precisionBound,
  precisionElementBound,
  precisionVariance,
} from './models.ts';

/**
 * Constants of the tensor-wide checks, in units of the modelled variance v
 * (so that E[d²/v] ≤ 1): TOSA's 1.6·ksb over its E[e²] ≤ ksb/3 is 4.8, and its
 * bias limit √(16·ksb·T) is √(48·T) here.
 */
export const PRECISION_STATISTICS = { minOutputs: 1000, variance: 4.8, bias: 48 } as const;

/** What the oracle knows about one case, computed once and judged under every model. */
export interface PrecisionCase {
  problem: ConvProblem;
  /** The kernel's output. */
  got: ArrayLike<number>;
  /** The float64 oracle on the operands the kernel was given. */
  reference: ArrayLike<number>;
  /** Σ|x·w| + |b| per output. */
  magnitude: ArrayLike<number>;
  /** Σ(x·w)² + b² per output. */
  squares: ArrayLike<number>;
  /** The kernel's 16-bit storage type: an output that overflows it must be ±Inf. */
  storage?: HalfDType;
}

/**
 * The oracle's three tensors for a case: reference, magnitude and sum of squares.
 *
 * @example
 * ```ts
 * const c: PrecisionCase = { problem: p, got, ...precisionOracle(p, x, w, b) };
 * ```
 */
export function precisionOracle(
  problem: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias?: ArrayLike<number>,
): Omit<PrecisionCase, 'problem' | 'got'> {
  const square = (values: ArrayLike<number>) => Float64Array.from(values, (v) => v * v);
  return {
    reference: referenceConv(problem, input, weight, bias),
    magnitude: magnitudeConv(problem, input, weight, bias),
    squares: referenceConv(problem, square(input), square(weight), bias && square(bias)),
  };
}

/** The verdict of one model on one case. */
export interface PrecisionVerdict {
  model: PrecisionModelName;
  pass: boolean;
  /** Why it failed, in one line. */
  reason?: string;
  /** Elements outside the bound or with a wrong special value. */
  failures: number;
  /** Largest |got − ref| / bound over the bounded elements. */
  maxBoundRatio: number;
  /** Outputs in the statistics. */
  judged: number;
  /** Σ d²/v over the judged outputs, and its limit (Infinity when too few outputs). */
  variance: number;
  varianceLimit: number;
  /** Σ d/√v and its limit (Infinity when too few outputs, or for operand and output roundings). */
  bias: number;
  biasLimit: number;
  /** The bound's coefficient c for this problem (smaller is tighter). */
  coefficient: number;
}

type ElementOutcome = { ok: boolean; ratio: number; judged: boolean; d: number; v: number };

function judgeElement(c: PrecisionCase, b: PrecisionBound, i: number): ElementOutcome {
  const got = c.got[i]!;
  const ref = c.reference[i]!;
  const mag = c.magnitude[i]!;
  const none = { judged: false, d: 0, v: 1 };
  if (Number.isNaN(ref)) return { ...none, ok: Number.isNaN(got), ratio: 0 };
  // A reduced-precision class rounds a tiny operand to 0 in its format: ∞·0 is NaN there.
  if (!Number.isFinite(ref)) {
    const ok = got === ref || (b.model !== 'fp32' && Number.isNaN(got));
    return { ...none, ok, ratio: ok ? 0 : Infinity };
  }
  // A magnitude the narrowest format cannot hold (float16: 65504) sets no requirement.
  if (!Number.isFinite(mag) || mag * (1 + b.factor * b.coefficient) > b.maxFinite) {
    return { ...none, ok: true, ratio: 0 };
  }
  const bound = precisionElementBound(b, mag);
  // Judged in the storage type: where the result overflows it, the infinity is the answer.
  const overflow = c.storage && storageOverflow(got, ref, bound, c.storage);
  if (overflow) return { ...none, ok: overflow === 'ok', ratio: overflow === 'ok' ? 0 : Infinity };
  const d = got - ref;
  if (Number.isNaN(got)) return { ...none, ok: false, ratio: Infinity };
  const ratio = bound === 0 ? (d === 0 ? 0 : Infinity) : Math.abs(d) / bound;
  if (mag === 0) return { ...none, ok: ratio <= 1, ratio };
  return {
    ok: ratio <= 1,
    ratio,
    judged: true,
    d,
    v: precisionVariance(b, mag, c.squares[i]!, ref),
  };
}

/**
 * Judges one case under one precision model.
 *
 * @example
 * ```ts
 * const v = judgePrecision(c, precisionBound(c.problem, 'tf32'));
 * if (!v.pass) console.log(v.reason);
 * ```
 */
export function judgePrecision(c: PrecisionCase, b: PrecisionBound): PrecisionVerdict {
  let failures = 0;
  let maxBoundRatio = 0;
  let judged = 0;
  let variance = 0;
  let bias = 0;
  for (let i = 0; i < c.reference.length; i++) {
    const e = judgeElement(c, b, i);
    if (!e.ok) failures++;
    if (Number.isFinite(e.ratio)) maxBoundRatio = Math.max(maxBoundRatio, e.ratio);
    if (e.judged) {
      judged++;
      variance += (e.d * e.d) / e.v;
      bias += e.d / Math.sqrt(e.v);
    }
  }
  const applied = judged >= PRECISION_STATISTICS.minOutputs;
  // An operand's rounding error is shared by every output that reads it (a weight by a
  // whole channel), and one output rounding by every repeat of the same value (the
  // bias-only outputs of windows in padding): their sum over a tensor does not average
  // out, so the bias check, which assumes independent errors, applies only to
  // accumulation errors. The variance check needs no independence for its expectation.
  const biasApplies = applied && b.operandRoundoff === 0 && b.outputRoundoff === 0;
  const verdict: PrecisionVerdict = {
    model: b.model,
    pass: true,
    failures,
    maxBoundRatio,
    judged,
    variance,
    varianceLimit: applied ? PRECISION_STATISTICS.variance * judged : Infinity,
    bias,
    biasLimit: biasApplies ? Math.sqrt(PRECISION_STATISTICS.bias * judged) : Infinity,
    coefficient: b.coefficient,
  };
  if (failures > 0) {
    verdict.reason = `${failures} of ${c.reference.length} outputs exceed the ${b.model} bound`;
  } else if (variance > verdict.varianceLimit) {
    verdict.reason = `error variance ${variance.toPrecision(4)} exceeds the ${b.model} limit ${verdict.varianceLimit.toPrecision(4)}`;
  } else if (Math.abs(bias) > verdict.biasLimit) {
    verdict.reason = `error bias ${Math.abs(bias).toPrecision(4)} exceeds the ${b.model} limit ${verdict.biasLimit.toPrecision(4)}`;
  }
  verdict.pass = verdict.reason === undefined;
  return verdict;
}

/** One model's outcome over all cases of a run. */
export interface ModelSummary {
  model: PrecisionModelName;
  /** Every case passed. */
  meets: boolean;
  /** Cases that failed. */
  failedCases: number;
  /** The first failing case's reason. */
  firstReason?: string;
  /** Σ over cases of the bound's coefficient: how loose the model was on these problems. */
  looseness: number;
}

/**
 * The model that holds with the smallest bound on the problems tested, or 'none'.
 * Comparing the bounds actually applied, not a fixed order, matters: fp16-acc16's
 * bound (ksb·2^−11) is tighter than bf16-acc32's (about 3·2^−8) below 24 taps and
 * looser above.
 *
 * @example
 * ```ts
 * tightestModel([{ model: 'fp32', meets: false, ... }, { model: 'tf32', meets: true, ... }]); // 'tf32'
 * ```
 */
export function tightestModel(summaries: readonly ModelSummary[]): PrecisionModelName | 'none' {
  let best: ModelSummary | undefined;
  for (const s of summaries) {
    if (s.meets && (best === undefined || s.looseness < best.looseness)) best = s;
  }
  return best?.model ?? 'none';
}

/** Significand bits reported when the errors are all zero (float64's 53). */
export const MAX_EFFECTIVE_BITS = 53;

/**
 * The effective significand bits p of a kernel: the precision at which rounding
 * both operands of every product, and nothing else, would give errors of the
 * size seen. Each output's error is scaled by its own operand-rounding scale,
 * z² = d² / (Σ(x·w)² + b²), and û² = (3/2)·mean(z²) over every judged output of
 * every case (each output weighs the same, whatever its magnitude: a ratio of
 * sums let one wide-range case outweigh all others by 2^48), p = −log₂ û (so
 * u = 2^−p as for IEEE formats: 24 for float32 operands, 11 for TF32 and
 * float16, 8 for bfloat16). Accumulation and output roundings make p smaller
 * than the operand format's (docs/tolerance.md). Undefined when no output could
 * be judged.
 *
 * @example
 * ```ts
 * effectiveSignificandBits(cases); // ≈ 11 for a TF32 kernel
 * ```
 */
export function effectiveSignificandBits(cases: readonly PrecisionCase[]): number | undefined {
  let errors = 0;
  let scale = 0;
  for (const c of cases) {
    const sums = errorSums(c);
    errors += sums.errors;
    scale += sums.scale;
  }
  return bitsFromSums(errors, scale);
}

/** Σ d²/(Σ(x·w)² + b²) and the number of outputs in it, for one case: what {@link bitsFromSums} reads. */
export interface ErrorSums {
  /** Σ z² = Σ d² / (Σ(x·w)² + b²) over the outputs counted. */
  errors: number;
  /** How many outputs were counted (finite error, nonzero scale). */
  scale: number;
}

/**
 * The two sums of one case behind {@link effectiveSignificandBits}, so a run can
 * add them up case by case without keeping the tensors.
 *
 * @example
 * ```ts
 * const { errors, scale } = errorSums(c);
 * ```
 */
export function errorSums(c: PrecisionCase): ErrorSums {
  let errors = 0;
  let scale = 0;
  let counted = 0;
  for (let i = 0; i < c.reference.length; i++) {
    const d = c.got[i]! - c.reference[i]!;
    const s = c.squares[i]!;
    if (!Number.isFinite(d) || !Number.isFinite(s) || s === 0) continue;
    errors += d * d;
    scale += s;
    counted++;
  }
  // The case's ratio, weighted by its outputs: no case outweighs another by its magnitude.
  return scale === 0
    ? { errors: 0, scale: 0 }
    : { errors: (counted * errors) / scale, scale: counted };
}

/**
 * p = −½·log₂((3/2)·Σz² / n), capped at {@link MAX_EFFECTIVE_BITS}; undefined
 * when nothing was judged.
 *
 * @example
 * ```ts
 * bitsFromSums(0, 1); // 53
 * ```
 */
export function bitsFromSums(errors: number, scale: number): number | undefined {
  if (scale === 0) return undefined;
  if (errors === 0) return MAX_EFFECTIVE_BITS;
  return Math.min(MAX_EFFECTIVE_BITS, -0.5 * Math.log2((1.5 * errors) / scale));
}

/** The precision profile of a kernel over a run. */
export interface PrecisionProfile {
  models: ModelSummary[];
  /** The models that held on every case, tightest first. */
  meets: PrecisionModelName[];
  tightest: PrecisionModelName | 'none';
  effectiveBits?: number;
}

/**
 * Judges every case under every model of the ladder.
 *
 * @example
 * ```ts
 * const profile = precisionProfile(cases);
 * console.log(`meets ${profile.meets.join(', ')}; tightest ${profile.tightest}`);
 * ```
 */
export function precisionProfile(
  cases: readonly PrecisionCase[],
  constraints: PrecisionBoundConstraints = {},
): PrecisionProfile {
  const models = PRECISION_MODEL_NAMES.map((model): ModelSummary => {
    const summary: ModelSummary = { model, meets: true, failedCases: 0, looseness: 0 };
    for (const c of cases) {
      const verdict = judgePrecision(c, precisionBound(c.problem, model, constraints));
      summary.looseness += verdict.coefficient;
      if (!verdict.pass) {
        summary.meets = false;
        summary.failedCases++;
        summary.firstReason ??= verdict.reason;
      }
    }
    return summary;
  });
  const meets = models
    .filter((m) => m.meets)
    .sort((a, b) => a.looseness - b.looseness)
    .map((m) => m.model);
  const profile: PrecisionProfile = { models, meets, tightest: tightestModel(models) };
  const bits = effectiveSignificandBits(cases);
  if (bits !== undefined) profile.effectiveBits = bits;
  return profile;
}
