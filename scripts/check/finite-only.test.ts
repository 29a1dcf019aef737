/**
 * `finiteOnly`: a kernel that does not support non-finite data (an FFT spreads
 * one NaN over its whole plane) says so, and its special-data phase becomes a
 * skip with that reason instead of a failure; undeclared, the same kernel fails.
 */
import { describe, expect, it } from 'vitest';
import { checkKernel } from '../../index.ts';
import { type ConvKernel, referenceConv } from '../../reference/index.ts';
import { runCli } from '../run-cli.ts';
import { FINITE_ONLY_REASON } from './evaluate.ts';

/** The oracle, except that any non-finite operand turns the whole output into NaN. */
function nanSpreading(overrides: Partial<ConvKernel> = {}): ConvKernel {
  return {
    name: 'nan-spreading',
    dtype: 'float64',
    conv(p, x, w, b) {
      const y = referenceConv(p, x, w, b);
      const poisoned = [...x, ...w, ...(b ?? [])].some((v) => !Number.isFinite(v));
      return poisoned ? y.fill(Number.NaN) : y;
    },
    ...overrides,
  };
}

const quick = { suite: 'quick', seed: 5, runs: 8 } as const;

describe('finiteOnly', () => {
  it('undeclared, a kernel that spreads NaN fails the special-data phase (so the skip below is earned)', async () => {
    const report = await checkKernel(nanSpreading(), quick);
    const verdicts = report.phases.map((p) => p.verdict);
    expect(verdicts).toEqual(['pass', 'pass', 'fail']);
    expect(report.exitCode).toBe(1);
  });

  it('declared, the special-data phase is a skip with the reason, and the run passes', async () => {
    const report = await checkKernel(nanSpreading({ finiteOnly: true }), quick);
    const special = report.phases.find((p) => p.phase === 'special data');
    expect(special?.verdict).toBe('skip');
    expect(special?.skipReasons).toEqual({ [FINITE_ONLY_REASON]: 1 });
    expect(report.exitCode).toBe(0);
    expect(report.kernels[0]).toMatchObject({ finiteOnly: true });
  });

  it('a finiteOnly that is not a boolean breaks the contract (exit 2, one line)', async () => {
    const bad = { ...nanSpreading(), finiteOnly: 'yes' } as unknown as ConvKernel;
    const report = await checkKernel(bad, quick);
    expect(report.exitCode).toBe(2);
    expect(report.error).toMatch(/finiteOnly must be a boolean, got/);
  });

  it('a program declares it with --finite-only; a module or built-in may not (exit 2, one line)', () => {
    const program = runCli([
      'check',
      '--impl-cmd',
      'python3 scripts/clients/reference_client.py',
      '--finite-only',
      '--only',
      'special',
      '--suite',
      'quick',
      '--seed',
      '1',
      '--json',
      '-',
    ]);
    const report = JSON.parse(program.stdout) as {
      kernels: { finiteOnly?: boolean }[];
      phases: { verdict: string; skipReasons: Record<string, number> }[];
    };
    expect(report.kernels[0]?.finiteOnly).toBe(true);
    expect(report.phases[0]?.skipReasons).toEqual({ [FINITE_ONLY_REASON]: 1 });
    const refused = runCli(['check', '--builtin', 'im2col', '--finite-only']);
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/--finite-only applies to --impl-cmd only/);
  });
});
