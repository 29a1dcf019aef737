/**
 * The judge's precision step for one case: the statistics of a reduced-precision
 * pass criterion (`--tolerance tf32` and the other classes) and the record of
 * every rung of the ladder for the phase's profile. Called by judgeCase only,
 * after the element-wise comparison, on a whole (not sampled) output.
 */
import { referenceConv } from '../../reference/conv.ts';
import type { HalfDType } from '../../reference/float16.ts';
import type { ConvProblem, DType, PaddingRule } from '../../reference/problem.ts';
import type { ConvOperands } from '../data.ts';
import { type BoundModel, type Comparison, magnitudeConv, magnitudeFor } from '../tolerance.ts';
import { judgePrecision, type PrecisionCase } from './judge.ts';
import { type CaseLadder, judgeLadder } from './ladder.ts';
import { type PrecisionBoundConstraints, precisionBound } from './models.ts';

export type { CaseLadder } from './ladder.ts';

/** What the judge knows when it asks for the precision step. */
export interface PrecisionStepInput {
  problem: ConvProblem;
  dtype: DType;
  output: ArrayLike<number>;
  reference: ArrayLike<number>;
  operands: ConvOperands;
  /** The element-wise comparison under the judged model. */
  comparison: Comparison;
  /** The model the case is judged by. */
  model: BoundModel;
  padding?: PaddingRule;
  /** Profile the case over the ladder (float32 outputs only). */
  profile?: PrecisionBoundConstraints;
  /** The kernel's 16-bit storage type, if any (its overflow is judged there). */
  storage?: HalfDType;
}

/** The precision step's outcome: a failed class statistic, and the ladder record. */
export interface PrecisionStep {
  /** Present when the criterion is a precision class whose tensor-wide checks failed. */
  criterion?: Pick<Comparison, 'verdict' | 'reason'>;
  record?: CaseLadder;
}

function squared(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values as ArrayLike<number>, (v) => v * v);
}

/**
 * The precision step of one case, or undefined when neither a precision class
 * is the criterion nor a profile was asked for (or the output could not be compared).
 *
 * @example
 * ```ts
 * const step = precisionVerdicts({ problem, dtype: 'float32', output, reference, operands, comparison, model, profile: {} });
 * step?.record?.rungs.find((r) => r.model === 'tf32')?.pass;
 * ```
 */
export function precisionVerdicts(input: PrecisionStepInput): PrecisionStep | undefined {
  const { problem, operands, model, comparison } = input;
  const criterion = model.kind === 'precision';
  const profile = input.profile !== undefined && input.dtype === 'float32';
  if (comparison.verdict === 'error' || !(criterion || profile)) return undefined;
  const padding = input.padding ?? 'zeros';
  const { input: x, weight: w, bias: b } = operands;
  const c: PrecisionCase = {
    problem,
    got: input.output,
    reference: input.reference,
    magnitude: magnitudeConv(problem, x, w, b, undefined, padding),
    squares: referenceConv(problem, squared(x), squared(w), b && squared(b), padding),
    ...(input.storage ? { storage: input.storage } : {}),
  };
  const step: PrecisionStep = {};
  if (criterion && comparison.verdict === 'pass') {
    const bound = precisionBound(problem, model.name, {
      operandsStored: model.operandsStored === true,
    });
    // The criterion's magnitude is the judge's: in the storage type (an operand beyond
    // its range is infinite there and the outputs reading it are not judged).
    const stored = magnitudeFor(problem, operands, model, input.dtype, undefined, padding);
    const verdict = judgePrecision({ ...c, magnitude: stored }, bound);
    if (!verdict.pass) step.criterion = { verdict: 'fail', reason: verdict.reason };
  }
  if (profile) step.record = judgeLadder(c, operands, input.profile);
  return step;
}
