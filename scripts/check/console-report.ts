/**
 * What `convcheck check` prints on stdout at the end of a run: each failure
 * with its repro line, the cases each phase's kernel declined and why, and the
 * one-line verdict. Every claim here is read from the report `--json` writes.
 */
import { type CheckReport, type PhaseResult, summaryLine } from './results.ts';

/**
 * A failed phase as text: verdict, shrunk problem, why, the details and the repro line.
 *
 * @example
 * ```ts
 * failureText(report.phases[0]); // 'FAIL: im2col — exact data\n  trueconv:…\n  …\n  repro: npx convcheck …\n'
 * ```
 */
export function failureText(p: PhaseResult): string {
  const f = p.failure;
  if (!f) return '';
  return `${f.verdict.toUpperCase()}: ${p.kernel} — ${p.phase}\n  ${f.descriptor}\n  ${f.message}\n${f.details.replace(/^/gm, '  ')}\n  repro: ${f.repro}\n${f.replay ? `  replay phase: ${f.replay}\n` : ''}${f.savedTo ? `  saved: ${f.savedTo}\n` : ''}`;
}

/**
 * The declined cases of one phase, most frequent reason first, e.g.
 * `  im2col — real data: 86 declined (64 checked of 150 asked)` then one line per reason.
 */
export function declinedBlock(p: PhaseResult): string {
  if (p.skipped === 0) return '';
  const asked = p.requested !== undefined ? ` of ${p.requested} asked` : '';
  const reasons = Object.entries(p.skipReasons)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `    ${count} × ${reason}\n`)
    .join('');
  return `  ${p.kernel} — ${p.phase}: ${p.skipped} declined (${p.passed} checked${asked})\n${reasons}`;
}

/**
 * The end-of-run text for the console.
 *
 * @example
 * ```ts
 * process.stdout.write(consoleReport(report));
 * ```
 */
export function consoleReport(report: CheckReport): string {
  const failures = report.phases
    .filter((p) => p.failure)
    .map((p) => `\n${failureText(p)}`)
    .join('');
  const declined = report.phases.map(declinedBlock).join('');
  const empty = report.nothingChecked
    ? `convcheck check: nothing was checked: the kernel declined every case${report.exitCode === 0 ? ' (allowed by --allow-empty)' : ' (exit 1; --allow-empty accepts this)'}\n`
    : '';
  return `${failures}${declined ? `\ndeclined cases (the kernel's supports() said no; redrawn within the budget):\n${declined}` : ''}\n${empty}${summaryLine(report, report.seed)}\n`;
}
