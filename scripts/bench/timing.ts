/**
 * Times one benchmark cell: warm-up runs, then timed runs, within a time budget.
 */

/** How long and how often to run a cell. */
export interface TimingPlan {
  /** Untimed runs before timing (JIT, caches, session creation). */
  warmups: number;
  /** Timed runs wanted. */
  repetitions: number;
  /**
   * No new run starts once the cell has used this much time (warm-ups
   * included); at least one timed run is always made.
   */
  budgetMs: number;
}

/** Timed runs of one cell. */
export interface CellTiming {
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

/**
 * Median, min and max of run times.
 *
 * @example
 * ```ts
 * summarizeTimes([3, 1, 2]); // { runs: 3, medianMs: 2, minMs: 1, maxMs: 3 }
 * ```
 */
export function summarizeTimes(timesMs: readonly number[]): CellTiming {
  if (timesMs.length === 0) throw new RangeError('summarizeTimes: no run times');
  const sorted = [...timesMs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { runs: sorted.length, medianMs: median, minMs: sorted[0]!, maxMs: sorted.at(-1)! };
}

/**
 * Runs `run` per the plan and returns the timed runs' summary. `elapsedMs` is
 * time the cell has already spent (e.g. on its checked first run).
 *
 * @example
 * ```ts
 * const t = await timeRuns(() => kernel.conv(p, x, w), { warmups: 2, repetitions: 10, budgetMs: 5000 });
 * ```
 */
export async function timeRuns(
  run: () => unknown,
  plan: TimingPlan,
  elapsedMs = 0,
): Promise<CellTiming> {
  const start = performance.now() - elapsedMs;
  const overBudget = () => performance.now() - start >= plan.budgetMs;
  for (let i = 0; i < plan.warmups && !overBudget(); i++) await run();
  const times: number[] = [];
  while (times.length < plan.repetitions && (times.length === 0 || !overBudget())) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return summarizeTimes(times);
}
