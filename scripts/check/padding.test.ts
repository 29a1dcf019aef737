import { describe, expect, it } from 'vitest';
import { directKernel } from '../../properties/broken/direct.ts';
import { currentPropertyConfig } from '../../properties/config.ts';
import { referenceConv } from '../../reference/conv.ts';
import type { ConvKernel } from '../../reference/problem.ts';
import { convProblem } from '../../reference/testing.ts';
import { UsageError } from '../cli-error.ts';
import { defaultTolerance, paddingNote } from './evaluate.ts';
import { openInProcessHost } from './hosts/index.ts';
import { checkKernelContract } from './hosts/kernel-contract.ts';
import { type RunOptions, runGeneratedPhase } from './runner.ts';
import { suiteSpec } from './suites.ts';
import { openTargets } from './targets.ts';

const quiet = { phaseStart() {}, tick() {}, phaseEnd() {} };
const standard: Omit<RunOptions, 'seed'> = {
  suite: suiteSpec('standard'),
  runs: suiteSpec('standard').runs,
  dims: [1, 2, 3],
  shard: { index: 0, count: 1 },
  timeoutMs: 10_000,
  determinismEvery: 0,
  progress: quiet,
};
const SEEDS = [currentPropertyConfig().seed, 1, 2, 3, 4];

/** A direct kernel that skips padding taps; `declared` says whether it says so. */
function skipper(declared: boolean): ConvKernel {
  const k = directKernel(declared ? 'skips-and-declares' : 'skips-silently');
  return declared ? k : { ...k, padding: undefined };
}

async function specialPhase(kernel: ConvKernel, seed: number) {
  const host = await openInProcessHost(kernel);
  const target = { host, implFlags: '--impl k.mjs', tolerance: defaultTolerance() };
  const labels: string[] = [];
  const progress = { ...quiet, phaseStart: (label: string) => labels.push(label) };
  const result = await runGeneratedPhase(target, 'special', 2, { ...standard, seed, progress });
  await host.close();
  return { ...result, label: labels[0] };
}

describe('the padding rule', () => {
  const p = convProblem({ inputSize: [2], kernelSize: [2], padBegin: [1] });
  const x = [1, 2];
  const w = [Number.POSITIVE_INFINITY, 1];

  it("the oracle multiplies padding zeros (0·∞ = NaN); 'skip-taps' leaves those taps out", () => {
    expect(Array.from(referenceConv(p, x, w))).toEqual([Number.NaN, Number.POSITIVE_INFINITY]);
    expect(Array.from(referenceConv(p, x, w, undefined, 'skip-taps'))).toEqual([
      1,
      Number.POSITIVE_INFINITY,
    ]);
  });

  it.each(SEEDS)(
    'a kernel that skips padding taps without saying so fails the special phase (seed %i)',
    async (seed) => {
      const result = await specialPhase(skipper(false), seed);
      expect(result.verdict).toBe('fail');
      expect(result.failure!.details).toMatch(/expected NaN/);
    },
  );

  it.each(SEEDS)(
    'the same kernel declaring padding: skip-taps passes, and the report says so (seed %i)',
    async (seed) => {
      const result = await specialPhase(skipper(true), seed);
      expect(result.verdict).toBe('pass');
      expect(result.label).toBe('skips-and-declares (padding: skip-taps) / special data');
    },
  );

  it('the docs example multiplies padding zeros and passes the special phase', async () => {
    const url = new URL('../../docs/examples/naive-kernel.mjs', import.meta.url).href;
    const example = ((await import(url)) as { default: ConvKernel }).default;
    expect(example.padding).toBeUndefined();
    expect(
      Array.from(example.conv(p, Float32Array.from(x), Float32Array.from(w)) as Float32Array),
    ).toEqual([Number.NaN, Number.POSITIVE_INFINITY]);
    const result = await specialPhase(example, SEEDS[0]!);
    expect(result.verdict).toBe('pass');
  });

  it('a declared rule is named in failure reports; the default is not', () => {
    expect(paddingNote({ padding: 'skip-taps' })).toMatch(/skip-taps.*declared/);
    expect(paddingNote({ padding: 'zeros' })).toBe('');
  });

  it('the contract accepts zeros and skip-taps only', () => {
    const conv = () => new Float32Array(1);
    expect(checkKernelContract({ name: 'k', conv, padding: 'skip-taps' })).toHaveProperty('kernel');
    expect(checkKernelContract({ name: 'k', conv, padding: 'skip' })).toEqual({
      violation: expect.stringMatching(/^padding must be 'zeros' or 'skip-taps', got .*skip/),
    });
  });

  it('--padding declares the rule of an --impl-cmd program and travels in the repro flags', async () => {
    const [t] = await openTargets({ implCmd: 'cat', padding: 'skip-taps' });
    await t!.host.close();
    expect(t!.host.padding).toBe('skip-taps');
    expect(t!.implFlags).toMatch(/^--impl-cmd '?cat'? --padding skip-taps$/);
    await expect(openTargets({ implCmd: 'cat', padding: 'skip' })).rejects.toThrow(UsageError);
    await expect(openTargets({ impl: 'x.mjs', padding: 'skip-taps' })).rejects.toThrow(
      /--padding applies to --impl-cmd only/,
    );
  });
});
