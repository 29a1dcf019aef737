/** The one builder of a generated phase's result, for every way a phase ends. */
import type { CaseFailure, PhaseResult } from '../results.ts';
import type { PhaseStats } from './stats.ts';
import { phaseVerdict } from './verdict.ts';

/** How a phase ended. */
export interface PhaseEnd {
  kernel: string;
  /** The op of the phase, when not 'conv'. */
  op?: PhaseResult['op'];
  /** The phase's name, e.g. `real data`. */
  phase: string;
  seed: number;
  stats: PhaseStats;
  /** Checked cases asked for; absent when the phase could not run at all. */
  requested?: number;
  failure?: CaseFailure;
  numShrinks?: number;
  durationMs: number;
  /** Overrides the counted verdict (a phase that could not run is a SKIP). */
  verdict?: PhaseResult['verdict'];
}

/**
 * The result of a phase from its counts; the verdict is {@link phaseVerdict}'s.
 *
 * @example
 * ```ts
 * phaseResult({ kernel: 'k', phase: 'real data', seed: 1, stats, requested: 150, durationMs: 12 });
 * ```
 */
export function phaseResult(end: PhaseEnd): PhaseResult {
  const { stats, failure } = end;
  return {
    kernel: end.kernel,
    ...(end.op ? { op: end.op } : {}),
    phase: end.phase,
    seed: end.seed,
    cases: stats.cases,
    ...(end.requested !== undefined ? { requested: end.requested } : {}),
    passed: stats.passed,
    skipped: stats.skipped,
    skipReasons: stats.skipReasons,
    worstBoundRatio: stats.worstBoundRatio,
    verdict: end.verdict ?? phaseVerdict(failure, stats, end.requested ?? 0),
    durationMs: end.durationMs,
    ...(failure ? { failure, detectionMs: stats.detectionMs, numShrinks: end.numShrinks } : {}),
  };
}
