/** The line printed at the end of a phase. */
import { isFloatOp } from '../../../reference/ops.ts';
import type { Progress } from '../progress.ts';
import { type PhaseResult, THIN_MINIMUM } from '../results.ts';
import { type PhaseEnd, phaseResult } from './result.ts';
import type { PhaseStats } from './stats.ts';

/**
 * One line for the end of a phase: verdict, counts, worst error, sampling, time.
 *
 * @example
 * ```ts
 * phaseSummary(result); // 'PASS — 150 cases, 150 passed, 0 skipped, worst error 0.0312 of the bound (1.2 s)'
 * ```
 */
export function phaseSummary(r: PhaseResult): string {
  const base = `${r.verdict.toUpperCase()} — ${r.cases} cases, ${r.passed} passed, ${r.skipped} skipped`;
  // A quantized op's bound is exact (or ±1 next to a tie): no ratio to report.
  const worst =
    r.passed > 0 && isFloatOp(r.op ?? 'conv')
      ? `, worst error ${r.worstBoundRatio.toPrecision(3)} of the bound`
      : '';
  const sampled = r.sampled
    ? `, oracle sampled ${r.sampled.count.toLocaleString('en-US')} of ${r.sampled.total.toLocaleString('en-US')} outputs`
    : '';
  const thin = r.verdict === 'thin' ? `; thin: fewer than ${THIN_MINIMUM} cases checked` : '';
  // A phase that checked nothing says why, so a skip is never silent.
  const why =
    r.verdict === 'skip' ? `: ${Object.keys(r.skipReasons).join('; ') || 'no reason given'}` : '';
  return `${base}${worst}${sampled}${thin}${why} (${(r.durationMs / 1000).toFixed(1)} s)`;
}

/**
 * Ends a phase that cannot run (an op the kernel lacks, data it declares it cannot
 * take, dims outside its domain) as a SKIP with its reason, printed the way a run
 * phase is printed, so no skip is silent on the console.
 *
 * @example
 * ```ts
 * return skipBeforeRun(progress, { kernel: 'k', phase: 'special data', seed: 1 }, stats, FINITE_ONLY_REASON);
 * ```
 */
export function skipBeforeRun(
  progress: Progress,
  named: Pick<PhaseEnd, 'kernel' | 'op' | 'phase' | 'seed'>,
  stats: PhaseStats,
  reason: string,
): PhaseResult {
  stats.skipReasons[reason] = 1;
  const skipped = phaseResult({ ...named, stats, verdict: 'skip', durationMs: 0 });
  progress.phaseStart(`${skipped.kernel} / ${skipped.phase}`, 0);
  progress.phaseEnd(phaseSummary(skipped));
  return skipped;
}
