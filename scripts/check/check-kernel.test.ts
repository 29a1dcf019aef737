import { describe, expect, it } from 'vitest';
import { checkKernel } from '../../index.ts';
import { type ConvKernel, type ConvProblem, referenceConv } from '../../reference/index.ts';
import { groupFamily } from './families.ts';
import { toMarkdown } from './report-writers.ts';

/** The oracle as a float64 kernel: correct by definition. */
const oracle = (overrides: Partial<ConvKernel> = {}): ConvKernel => ({
  name: 'oracle-f64',
  dtype: 'float64',
  conv: (p, x, w, b) => referenceConv(p, x, w, b),
  ...overrides,
});

const quick = { suite: 'quick', seed: 11, runs: 12 } as const;

describe('checkKernel', () => {
  it('passes a correct kernel with the report --json writes (exit 0, every phase checked)', async () => {
    const report = await checkKernel(oracle(), quick);
    expect(report.exitCode).toBe(0);
    expect(report.phases.map((p) => p.phase)).toEqual(['exact data', 'real data', 'special data']);
    for (const p of report.phases) expect(p.passed).toBe(12);
  });

  it('fails a kernel with a planted bug, with a repro carrying --tolerance', async () => {
    const noBias = oracle({ name: 'bias-dropped', conv: (p, x, w) => referenceConv(p, x, w) });
    const report = await checkKernel(noBias, { ...quick, tolerance: 'dot-product' });
    expect(report.exitCode).toBe(1);
    const failure = report.phases.find((p) => p.failure)?.failure;
    expect(failure?.descriptor).toMatch(/_bias$/);
    expect(failure?.repro).toContain('--tolerance dot-product');
  });

  it('exits 1 with nothingChecked when the kernel declines every case, 0 with allowEmpty', async () => {
    const declines = oracle({ name: 'declines', supports: () => 'never' });
    const report = await checkKernel(declines, { ...quick, runs: 3 });
    expect(report.nothingChecked).toBe(true);
    expect(report.exitCode).toBe(1);
    expect(report.phases[0]?.skipReasons).toEqual({ never: report.phases[0]?.skipped });
    expect(toMarkdown(report)).toContain('**Nothing was checked**');
    const allowed = await checkKernel(declines, { ...quick, runs: 3, allowEmpty: true });
    expect(allowed.exitCode).toBe(0);
  });

  it('redraws declined cases so that runs counts checked cases', async () => {
    const xcorrOnly = oracle({
      supports: (p) => (p.mode === 'convolution' ? 'no true convolution' : true),
    });
    const report = await checkKernel(xcorrOnly, { ...quick, runs: 20 });
    expect(report.exitCode).toBe(0);
    for (const p of report.phases) {
      expect(p.passed).toBe(20);
      expect(p.skipped).toBeGreaterThan(0);
      expect(p.skipReasons['no true convolution']).toBe(p.skipped);
    }
  });

  it('generates only the asked modes and group families', async () => {
    const seen: ConvProblem[] = [];
    const recording = oracle({
      supports: (p) => {
        seen.push(p);
        return true;
      },
    });
    const report = await checkKernel(recording, {
      ...quick,
      modes: ['trueconv'],
      groups: ['depthwise'],
    });
    expect(report.exitCode).toBe(0);
    expect(report.filters).toEqual({ modes: ['trueconv'], groups: ['depthwise'] });
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen.map((p) => p.mode))).toEqual(new Set(['convolution']));
    expect(new Set(seen.map(groupFamily))).toEqual(new Set(['depthwise']));
  });

  it('returns exit 2 naming the option for a bad value, and for a kernel without the contract', async () => {
    const bad = await checkKernel(oracle(), { runs: 0 });
    expect(bad.exitCode).toBe(2);
    expect(bad.error).toMatch(/--runs.*'0'/);
    const badFilter = await checkKernel(oracle(), { modes: ['xcor' as 'xcorr'] });
    expect(badFilter.error).toMatch(/--modes .*'xcor'/);
    const noConv = await checkKernel({ name: 'nothing' } as unknown as ConvKernel);
    expect(noConv.exitCode).toBe(2);
  });
});
