import { describe, expect, it } from 'vitest';
import { featuresOf } from '../../properties/arbitraries/coverage.ts';
import { referenceConv } from '../../reference/conv.ts';
import type { ConvKernel, ConvProblem } from '../../reference/problem.ts';
import { defaultTolerance } from './evaluate.ts';
import { openInProcessHost } from './hosts/index.ts';
import { type RunOptions, runGeneratedPhase } from './runner.ts';
import { suiteSpec } from './suites.ts';

const quiet = { phaseStart() {}, tick() {}, phaseEnd() {} };
const options: RunOptions = {
  suite: suiteSpec('quick'),
  seed: 11,
  runs: 40,
  dims: [1, 2, 3],
  shard: { index: 0, count: 1 },
  timeoutMs: 10_000,
  determinismEvery: 0,
  progress: quiet,
};

/** The oracle, off by one in its last output wherever `wrong(p)` holds. */
function brokenWhere(name: string, wrong: (p: ConvProblem) => boolean): ConvKernel {
  return {
    name,
    dtype: 'float32',
    conv(p, x, w, b) {
      const y = Float32Array.from(referenceConv(p, x, w, b));
      if (wrong(p)) y[y.length - 1]! += 1;
      return y;
    },
  };
}

async function shrunkFailure(kernel: ConvKernel) {
  const host = await openInProcessHost(kernel);
  const result = await runGeneratedPhase(
    { host, implFlags: '--impl k.mjs', tolerance: defaultTolerance() },
    'exact',
    0,
    options,
  );
  await host.close();
  expect(result.verdict).toBe('fail');
  return result.failure!;
}

describe('diagnosis by experiment', () => {
  it('names exactly the features a failure needs, from re-runs', async () => {
    const f = await shrunkFailure(
      brokenWhere('trueconv-dilated', (p) => {
        const s = featuresOf(p);
        return s.has('convolution') && s.has('dilation');
      }),
    );
    expect(f.needs).toEqual(['mode', 'dilation']);
    expect(f.details).toMatch(
      /diagnosis \(re-runs\): fails only with true convolution and dilation > 1 \(each simplified variant passes\)/,
    );
    // Every claim is backed by a run: one experiment per feature the shrunk case has.
    expect(f.experiments!.map((e) => e.need)).toEqual(expect.arrayContaining(['mode', 'dilation']));
  });

  it('a depthwise-only bug needs groups (and not what the shrunk case lacks)', async () => {
    const f = await shrunkFailure(brokenWhere('depthwise', (p) => featuresOf(p).has('depthwise')));
    expect(f.needs).toEqual(['groups']);
  });

  it('a bug everywhere needs nothing: every simplified variant still fails', async () => {
    const f = await shrunkFailure(brokenWhere('always', () => true));
    expect(f.needs).toEqual([]);
    expect(f.experiments!.every((e) => e.verdict === 'fail')).toBe(true);
    if (f.experiments!.length > 0) expect(f.details).toMatch(/still fails without/);
  });
});
