/** A phase's verdict from what it counted: pure, so each rule has its test. */
import { isThin, type Verdict } from '../results.ts';

/**
 * The verdict of a phase: its failure's if it has one; else SKIP when every
 * case was declined, ERROR when nothing ran at all, THIN when too few cases
 * were checked, PASS otherwise.
 *
 * @example
 * ```ts
 * phaseVerdict(undefined, { passed: 150, skipped: 0 }, 150); // 'pass'
 * phaseVerdict(undefined, { passed: 0, skipped: 3 }, 150);   // 'skip'
 * ```
 */
export function phaseVerdict(
  failure: { verdict: 'fail' | 'error' } | undefined,
  counts: { passed: number; skipped: number },
  requested: number,
): Verdict {
  if (failure) return failure.verdict;
  if (counts.passed === 0) return counts.skipped > 0 ? 'skip' : 'error';
  return isThin(counts.passed, requested) ? 'thin' : 'pass';
}
