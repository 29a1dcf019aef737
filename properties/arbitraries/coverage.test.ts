import { describe, expect, it } from 'vitest';
import { referenceConv } from '../../reference/conv.ts';
import { convGeometry } from '../../reference/geometry.ts';
import type { ConvKernel, ConvProblem } from '../../reference/problem.ts';
import { convProblem } from '../../reference/testing.ts';
import { currentPropertyConfig } from '../config.ts';
import { checkConformanceCase } from '../conformance.ts';
import { ConformanceFailure } from '../report.ts';
import {
  coveringArray,
  coveringCases,
  type FeaturePair,
  featurePairs,
  featuresOf,
} from './coverage.ts';

/** Five seeds, as a default run's five-seed sweep: the run's own and four fixed ones. */
const SEEDS = [currentPropertyConfig().seed, 1, 2, 3, 20261127];
/** The quick suite's budget and runs: the covering array must fit the smallest suite. */
const QUICK = { maxMacs: 40_000, runs: 40 };

/** The oracle, off by one in its first output on problems that show both features of `pair`. */
function brokenOnPair(pair: FeaturePair): ConvKernel {
  return {
    name: `broken:${pair.join('+')}`,
    dtype: 'float32',
    conv(p: ConvProblem, x, w, b) {
      const y = Float32Array.from(referenceConv(p, x, w, b));
      const shown = featuresOf(p);
      if (shown.has(pair[0]) && shown.has(pair[1])) y[0]! += 1;
      return y;
    },
  };
}

async function caughtByCoveringPrefix(kernel: ConvKernel, seed: number): Promise<boolean> {
  for (const c of coveringCases('exact', { maxMacs: QUICK.maxMacs }, seed)) {
    try {
      await checkConformanceCase(kernel, c);
    } catch (e) {
      if (e instanceof ConformanceFailure) return true;
      throw e;
    }
  }
  return false;
}

describe('featuresOf', () => {
  it('names each feature only where it is observable', () => {
    const plain = convProblem({ inputSize: [6], kernelSize: [3] });
    expect([...featuresOf(plain)]).toEqual(['rank-1']);
    // Dilation on a 1×1 kernel and stride with one output change nothing.
    expect(featuresOf({ ...plain, kernelSize: [1], dilation: [3] }).has('dilation')).toBe(false);
    expect(featuresOf({ ...plain, inputSize: [3], stride: [2] }).has('stride')).toBe(false);
    expect(featuresOf({ ...plain, padBegin: [3] })).toContain('window-in-padding');
    expect(featuresOf({ ...plain, padBegin: [2] })).not.toContain('window-in-padding');
    const dw = { ...plain, inChannels: 3, outChannels: 6, groups: 3 };
    expect(featuresOf(dw)).toContain('depthwise-multiplier');
    expect(featuresOf({ ...dw, outChannels: 3 })).toContain('depthwise');
    expect(featuresOf({ ...plain, inChannels: 4, outChannels: 2, groups: 2 })).toContain('grouped');
    expect(featuresOf({ ...plain, inChannels: 8, outChannels: 12 })).not.toContain(
      'ragged-channels',
    );
    expect(featuresOf({ ...plain, inputSize: [13] })).toContain('ragged-width');
  });
});

describe('the covering array', () => {
  it('lists the excluded pairs with a reason, and wants every other pair', () => {
    const { wanted, excluded } = featurePairs();
    expect(excluded.map((e) => e.pair.join('+')).sort()).toEqual(
      [
        'depthwise+depthwise-multiplier',
        'dilation+kernel-1x1',
        'grouped+depthwise',
        'grouped+depthwise-multiplier',
        'rank-1+rank-2',
        'rank-1+rank-3',
        'rank-2+rank-3',
      ].sort(),
    );
    for (const e of excluded) expect(e.reason.length).toBeGreaterThan(10);
    expect(wanted.length + excluded.length).toBe((16 * 15) / 2);
  });

  it.each(SEEDS)('shows every wanted pair within the quick budget and runs (seed %i)', (seed) => {
    const { problems, unreachable } = coveringArray({ maxMacs: QUICK.maxMacs }, seed);
    expect(unreachable).toEqual([]);
    expect(problems.length).toBeLessThanOrEqual(QUICK.runs / 2);
    for (const p of problems) {
      const g = convGeometry(p);
      expect(g.outputLength * g.reductionLength).toBeLessThanOrEqual(QUICK.maxMacs);
    }
    const shown = problems.map(featuresOf);
    for (const [a, b] of featurePairs().wanted) {
      expect(
        shown.some((f) => f.has(a) && f.has(b)),
        `${a} + ${b}`,
      ).toBe(true);
    }
  });

  it.each(SEEDS)('with the wide-kernel sweep, fits in a quick phase (seed %i)', (seed) => {
    const cases = coveringCases('real', { maxMacs: QUICK.maxMacs }, seed);
    expect(cases.length).toBeLessThanOrEqual(QUICK.runs);
    const wide = cases.map((c) => c.problem.kernelSize).filter((k) => k.length === 2 && k[0]! > 5);
    expect(wide.map((k) => k[0])).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(wide.every((k) => k[0] === k[1])).toBe(true);
  });

  it('stays inside a narrowed domain and says which pairs it cannot reach', () => {
    const { problems, unreachable } = coveringArray(
      { maxMacs: QUICK.maxMacs, dims: [1, 2], maxStride: 1, maxDilation: 1 },
      7,
    );
    for (const p of problems) {
      expect(p.inputSize.length).toBeLessThanOrEqual(2);
      expect([...p.stride, ...p.dilation].every((v) => v === 1)).toBe(true);
    }
    expect(unreachable.some((pair) => pair.includes('stride'))).toBe(true);
    expect(unreachable.some((pair) => pair.includes('rank-3'))).toBe(true);
    const outside = ['stride', 'dilation', 'rank-3'] as const;
    expect(unreachable.every((pair) => outside.some((f) => pair.includes(f)))).toBe(true);
  });

  it.each(SEEDS)(
    'catches a kernel broken only on one pair, for every pair (seed %i)',
    async (seed) => {
      const missed: string[] = [];
      for (const pair of featurePairs().wanted) {
        if (!(await caughtByCoveringPrefix(brokenOnPair(pair), seed))) missed.push(pair.join('+'));
      }
      expect(missed).toEqual([]);
    },
  );

  it('does not catch a correct kernel (so the catches above are the pair bugs)', async () => {
    const never: FeaturePair = ['rank-1', 'rank-2'];
    expect(await caughtByCoveringPrefix(brokenOnPair(never), SEEDS[0]!)).toBe(false);
  });
});
