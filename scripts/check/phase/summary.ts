/** The line printed at the end of a phase. */
import { isFloatOp } from '../../../reference/ops.ts';
import type { Progress } from '../progress.ts';
import { type PhaseResult, THIN_MINIMUM } from '../results.ts';

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
 * Prints a phase that was skipped before it ran (an op the kernel lacks, data it
 * declares it cannot take, dims outside its domain) the way a run phase is printed,
 * so no skip is silent on the console; returns the phase.
 *
 * @example
 * ```ts
 * phases.push(announceSkippedPhase(progress, 'im2col / special data', skipped));
 * ```
 */
export function announceSkippedPhase(
  progress: Progress,
  label: string,
  skipped: PhaseResult,
): PhaseResult {
  progress.phaseStart(label, 0);
  progress.phaseEnd(phaseSummary(skipped));
  return skipped;
}
