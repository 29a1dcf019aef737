/**
 * What a phase counts while fast-check runs it: cases, passes, declines and the
 * worst error. Like fast-check's run execution, it stops counting at the first
 * failure, so the cases fast-check tries while shrinking are never counted.
 */
import type { CaseOutcome } from '../evaluate.ts';

/**
 * The counts of one phase.
 *
 * @example
 * ```ts
 * const stats = new PhaseStats(Date.now());
 * stats.record(outcome); // pass, skip or the first failure
 * stats.counting;        // false once a case failed
 * ```
 */
export class PhaseStats {
  /** Cases generated and run (before skips). */
  cases = 0;
  passed = 0;
  /** Cases the kernel declined. */
  skipped = 0;
  /** Reason → how many cases were declined for it. */
  readonly skipReasons: Record<string, number> = {};
  /** Largest |error| / bound over passing cases. */
  worstBoundRatio = 0;
  /** Milliseconds from the phase start to the first failing case. */
  detectionMs = 0;
  private failed = false;

  constructor(private readonly startedAt: number) {}

  /** False from the first failure on: fast-check is shrinking. */
  get counting(): boolean {
    return !this.failed;
  }

  /** Cases checked so far (run and not declined). */
  get checked(): number {
    return this.cases - this.skipped;
  }

  /** Counts one case's outcome, unless a case already failed. */
  record(outcome: CaseOutcome, now = Date.now()): void {
    if (this.failed) return;
    this.cases++;
    if (outcome.verdict === 'skip') {
      this.skipped++;
      this.skipReasons[outcome.message] = (this.skipReasons[outcome.message] ?? 0) + 1;
    } else if (outcome.verdict === 'pass') {
      this.passed++;
      this.worstBoundRatio = Math.max(this.worstBoundRatio, outcome.boundRatio);
    } else {
      this.detectionMs = now - this.startedAt;
      this.failed = true;
    }
  }
}
