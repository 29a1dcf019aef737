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

/** A cell to time: its run, and the time it has already spent (its checked first run). */
export interface TimedCell {
  run: () => unknown;
  elapsedMs: number;
}

/** A cell's timed runs, or why they stopped (its run threw). */
export type CellTimingOutcome = CellTiming | { error: unknown };

/**
 * Times the cells of one shape in rounds: warm-ups first, cell by cell, then each
 * round runs every cell that still needs runs once. On a shared, noisy machine the
 * slow drifts (other tenants, clock changes) then hit every cell alike, so the
 * ratios between cells stay comparable; timing cells one after another let a drift
 * change a ratio by half (measured on this machine). A cell stops after
 * `repetitions` timed runs, or once its own time (elapsedMs, warm-ups and runs)
 * reaches `budgetMs`; it always gets at least one timed run.
 *
 * @example
 * ```ts
 * const [a, b] = await timeInterleaved(
 *   [{ run: () => k1.conv(p, x, w), elapsedMs: 0 }, { run: () => k2.conv(p, x, w), elapsedMs: 0 }],
 *   { warmups: 2, repetitions: 10, budgetMs: 5000 },
 * );
 * ```
 */
export async function timeInterleaved(
  cells: readonly TimedCell[],
  plan: TimingPlan,
): Promise<CellTimingOutcome[]> {
  const spent = cells.map((c) => c.elapsedMs);
  const times: number[][] = cells.map(() => []);
  const errors: unknown[] = cells.map(() => undefined);
  const timed = async (i: number): Promise<number> => {
    const t0 = performance.now();
    try {
      await cells[i]!.run();
    } catch (error) {
      errors[i] = error ?? new Error('run threw');
    }
    const ms = performance.now() - t0;
    spent[i]! += ms;
    return ms;
  };
  for (let i = 0; i < cells.length; i++) {
    for (let w = 0; w < plan.warmups && spent[i]! < plan.budgetMs && !errors[i]; w++)
      await timed(i);
  }
  const wantsRun = (i: number) =>
    !errors[i] &&
    times[i]!.length < plan.repetitions &&
    (times[i]!.length === 0 || spent[i]! < plan.budgetMs);
  while (cells.some((_, i) => wantsRun(i))) {
    for (let i = 0; i < cells.length; i++) {
      if (!wantsRun(i)) continue;
      const ms = await timed(i);
      if (!errors[i]) times[i]!.push(ms);
    }
  }
  return cells.map((_, i) => (errors[i] ? { error: errors[i] } : summarizeTimes(times[i]!)));
}
