import { describe, expect, it } from 'vitest';
import { isThin, type PhaseResult, summarize, summaryLine, THIN_MINIMUM } from './results.ts';

function phase(verdict: PhaseResult['verdict'], cases: number, passed: number): PhaseResult {
  return {
    kernel: 'k',
    phase: 'real data',
    seed: 1,
    cases,
    passed,
    skipped: cases - passed,
    skipReasons: {},
    worstBoundRatio: 0,
    verdict,
    durationMs: 0,
  };
}

describe('isThin', () => {
  it('needs the documented minimum of checked cases, or all of a smaller run', () => {
    expect(isThin(1, 150)).toBe(true);
    expect(isThin(THIN_MINIMUM - 1, 150)).toBe(true);
    expect(isThin(THIN_MINIMUM, 150)).toBe(false);
    expect(isThin(5, 5)).toBe(false);
    expect(isThin(4, 5)).toBe(true);
  });
});

describe('summarize', () => {
  it('counts cases as well as phases, and a thin phase does not fail the run', () => {
    const s = summarize([phase('pass', 150, 150), phase('thin', 150, 9), phase('skip', 150, 0)]);
    expect(s.totals).toEqual({ pass: 1, thin: 1, fail: 0, skip: 1, error: 0 });
    expect(s.caseTotals).toEqual({ cases: 450, passed: 159, skipped: 291 });
    expect(s.exitCode).toBe(0);
    expect(summaryLine(s, 7)).toBe(
      'convcheck check: 1 passed, 1 thin, 0 failed, 0 errored, 1 skipped phases; 159 of 450 cases checked, 291 skipped (seed 7)',
    );
  });
});
