import { describe, expect, it } from 'vitest';
import { featuresOf } from '../../properties/arbitraries/coverage.ts';
import { currentPropertyConfig } from '../../properties/config.ts';
import { referenceConv } from '../../reference/conv.ts';
import type { ConvKernel } from '../../reference/problem.ts';
import { defaultTolerance } from './evaluate.ts';
import { openInProcessHost } from './hosts/index.ts';
import { THIN_MINIMUM } from './results.ts';
import { phaseSummary, type RunOptions, runGeneratedPhase } from './runner.ts';
import { suiteSpec } from './suites.ts';

/** The issue's kernel: wrong only for depthwise convolution with dilation > 1. */
const depthwiseDilated: ConvKernel = {
  name: 'broken:depthwise+dilation',
  dtype: 'float32',
  conv(p, x, w, b) {
    const y = Float32Array.from(referenceConv(p, x, w, b));
    const shown = featuresOf(p);
    if (shown.has('depthwise') && shown.has('dilation')) y[y.length - 1]! *= 2;
    return y;
  },
};

const quiet = { phaseStart() {}, tick() {}, phaseEnd() {} };

function optionsAt(seed: number, suiteName = 'quick'): RunOptions {
  const suite = suiteSpec(suiteName);
  return {
    suite,
    seed,
    runs: suite.runs,
    dims: [1, 2, 3],
    shard: { index: 1, count: 1 },
    timeoutMs: 10_000,
    determinismEvery: 0,
    progress: quiet,
  };
}

describe('a phase starts with the covering array', () => {
  it.each([currentPropertyConfig().seed, 1, 2, 3, 4])(
    'catches a depthwise-with-dilation bug and shrinks it to a problem that still has both (seed %i)',
    async (seed) => {
      const host = await openInProcessHost(depthwiseDilated);
      const target = { host, implFlags: '--impl x.mjs', tolerance: defaultTolerance() };
      const result = await runGeneratedPhase(target, 'exact', 0, optionsAt(seed));
      await host.close();
      expect(result.verdict).toBe('fail');
      const shown = featuresOf(result.failure!.problem);
      expect(shown.has('depthwise') && shown.has('dilation')).toBe(true);
      // Shrunk: the minimal depthwise layer, one dilated tap pair on one axis.
      expect(result.failure!.problem.inChannels).toBe(2);
      expect(result.failure!.problem.batch).toBe(1);
    },
  );
});

/** A kernel whose answer is NaN when every weight is zero (as an audited library's is). */
const nanOnZeroKernel: ConvKernel = {
  name: 'broken:zero-kernel-nan',
  dtype: 'float32',
  conv(p, x, w, b) {
    const y = Float32Array.from(referenceConv(p, x, w, b));
    return w.every((v) => v === 0) ? y.fill(Number.NaN) : y;
  },
};

/** A kernel wrong only for a 13×13 kernel (a size-switched path). */
const wrongAt13x13: ConvKernel = {
  name: 'broken:13x13',
  dtype: 'float32',
  conv(p, x, w, b) {
    const y = Float32Array.from(referenceConv(p, x, w, b));
    if (p.kernelSize.join('x') === '13x13') y[0]! += 1;
    return y;
  },
};

async function firstPhase(kernel: ConvKernel, seed: number) {
  const host = await openInProcessHost(kernel);
  const target = { host, implFlags: '--impl x.mjs', tolerance: defaultTolerance() };
  // The default run: the standard suite, every rank; its first phase is exact data.
  const result = await runGeneratedPhase(target, 'exact', 0, optionsAt(seed, 'standard'));
  await host.close();
  return result;
}

describe('data that reach rare bugs, at default settings', () => {
  const seeds = [currentPropertyConfig().seed, 1, 2, 3, 4];
  it.each(seeds)('an all-zero kernel that gives NaN is caught (seed %i)', async (seed) => {
    const result = await firstPhase(nanOnZeroKernel, seed);
    expect(result.verdict).not.toBe('pass');
    expect(result.failure?.message).toMatch(/NaN/);
  });

  it.each(seeds)('a bug only at 13×13 kernels is caught (seed %i)', async (seed) => {
    const result = await firstPhase(wrongAt13x13, seed);
    expect(result.verdict).toBe('fail');
    expect(result.failure?.problem.kernelSize).toEqual([13, 13]);
  });
});

describe('verdict bookkeeping', () => {
  it('a phase that checked fewer than the minimum is thin, not PASS', async () => {
    // Accepts its first five problems, then declines every other: redrawing
    // declined cases cannot reach the minimum.
    let accepted = 0;
    const fewOnly: ConvKernel = {
      name: 'five-only',
      dtype: 'float32',
      supports: () => (accepted++ < 5 ? true : 'quota of five problems reached'),
      conv: (p, x, w, b) => Float32Array.from(referenceConv(p, x, w, b)),
    };
    const host = await openInProcessHost(fewOnly);
    const target = { host, implFlags: '--impl x.mjs', tolerance: defaultTolerance() };
    const result = await runGeneratedPhase(target, 'real', 0, optionsAt(1));
    await host.close();
    expect(result.passed).toBeGreaterThan(0);
    expect(result.passed).toBeLessThan(THIN_MINIMUM);
    expect(result.verdict).toBe('thin');
    expect(phaseSummary(result)).toMatch(/^THIN .*thin: fewer than 20 cases checked/);
  });

  it('a phase that checked nothing says why in its summary line', async () => {
    const host = await openInProcessHost(nanOnZeroKernel);
    const twoD = { ...defaultTolerance(), constraints: { dims: [2] as 2[] } };
    const target = { host, implFlags: '--builtin scipy', tolerance: twoD };
    const result = await runGeneratedPhase(target, 'real', 0, { ...optionsAt(1), dims: [1] });
    await host.close();
    expect(result.verdict).toBe('skip');
    expect(phaseSummary(result)).toMatch(
      /^SKIP .*: --dims 1 is outside the kernel's domain \(2-D\)/,
    );
  });

  it('a NaN where the oracle has a number is a FAIL, not an ERROR', async () => {
    const result = await firstPhase(nanOnZeroKernel, 1);
    expect(result.verdict).toBe('fail');
    expect(result.failure?.message).toMatch(/NaN where the oracle gives a number/);
  });
});
