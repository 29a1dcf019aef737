import { describe, expect, it } from 'vitest';
import { isFullTier, tierRuns, tierSeeds } from './test-tier.ts';

describe('the test tiers', () => {
  // This file runs in the quick tier only, so each helper must answer with the quick side.
  it('runs in the quick tier', () => {
    expect(isFullTier()).toBe(false);
  });

  it('tierRuns gives the quick tier its own part', () => {
    expect(tierRuns(1000, 1001)).toBe(1000);
    expect(tierRuns([1], [2, 3])).toEqual([1]);
  });

  it('tierSeeds gives the quick tier the run seed only', () => {
    expect(tierSeeds(7, [1, 7, 2])).toEqual([7]);
  });
});
