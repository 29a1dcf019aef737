/**
 * The runner's pieces, one behaviour per test: the stats recorder stops at the
 * first failure, the verdict rules, the failure and result builders.
 */
import { describe, expect, it } from 'vitest';
import type { ConvCase } from '../../../properties/data.ts';
import { type ConvProblem, formatDescriptor } from '../../../reference/index.ts';
import type { CaseOutcome } from '../evaluate.ts';
import { reproFor, toFailure } from './failure.ts';
import { phaseResult } from './result.ts';
import { PhaseStats } from './stats.ts';
import { phaseVerdict } from './verdict.ts';

const outcome = (verdict: CaseOutcome['verdict'], boundRatio = 0, message = ''): CaseOutcome => ({
  verdict,
  message,
  details: '',
  boundRatio,
});

describe('PhaseStats', () => {
  it('counts passes, declines (by reason) and the worst bound ratio', () => {
    const stats = new PhaseStats(0);
    stats.record(outcome('pass', 0.25));
    stats.record(outcome('skip', 0, 'declined: 3-D'));
    stats.record(outcome('skip', 0, 'declined: 3-D'));
    stats.record(outcome('pass', 0.5));
    expect(stats).toMatchObject({ cases: 4, passed: 2, skipped: 2, worstBoundRatio: 0.5 });
    expect(stats.skipReasons).toEqual({ 'declined: 3-D': 2 });
    expect(stats.checked).toBe(2);
  });

  it('stops counting at the first failure: shrink candidates are not counted', () => {
    const stats = new PhaseStats(100);
    stats.record(outcome('pass', 0.1));
    stats.record(outcome('fail'), 130);
    expect(stats.counting).toBe(false);
    stats.record(outcome('pass', 0.9));
    stats.record(outcome('skip', 0, 'declined'));
    stats.record(outcome('error'), 999);
    expect(stats).toMatchObject({ cases: 2, passed: 1, skipped: 0, worstBoundRatio: 0.1 });
    expect(stats.detectionMs).toBe(30);
  });
});

describe('phaseVerdict', () => {
  it("is the failure's verdict when there is one", () => {
    expect(phaseVerdict({ verdict: 'error' }, { passed: 150, skipped: 0 }, 150)).toBe('error');
  });
  it('is SKIP when every case was declined and ERROR when nothing ran', () => {
    expect(phaseVerdict(undefined, { passed: 0, skipped: 4 }, 150)).toBe('skip');
    expect(phaseVerdict(undefined, { passed: 0, skipped: 0 }, 150)).toBe('error');
  });
  it('is THIN under the minimum, PASS when every requested case was checked', () => {
    expect(phaseVerdict(undefined, { passed: 3, skipped: 200 }, 150)).toBe('thin');
    expect(phaseVerdict(undefined, { passed: 3, skipped: 0 }, 3)).toBe('pass');
  });
});

const problem: ConvProblem = {
  mode: 'cross-correlation',
  batch: 1,
  inChannels: 1,
  outChannels: 1,
  groups: 1,
  inputSize: [4],
  kernelSize: [3],
  stride: [1],
  dilation: [1],
  padBegin: [0],
  padEnd: [0],
  bias: false,
};
const c: ConvCase = { problem, data: 'real', dataSeed: 7 };

describe('toFailure and reproFor', () => {
  it('reports a wrong value as FAIL with its replay parameters and repro', () => {
    const repro = reproFor('--impl k.mjs', c, true);
    expect(repro).toContain(`--data real --data-seed 7`);
    expect(repro.endsWith(' --full')).toBe(true);
    const f = toFailure(
      c,
      outcome('fail', 3, 'y[0] off'),
      { seed: 5, path: '2:1', numShrinks: 4, error: undefined },
      repro,
      '',
    );
    expect(f).toMatchObject({
      verdict: 'fail',
      descriptor: formatDescriptor(problem),
      seed: 5,
      path: '2:1',
      message: 'y[0] off',
      repro,
    });
    expect(f.details).toContain('shrunk 4 times');
  });

  it('reports anything that is not a judged wrong value as ERROR, with what was thrown', () => {
    const f = toFailure(
      c,
      undefined,
      { seed: 5, path: '0', numShrinks: 0, error: new Error('boom') },
      'r',
      '',
    );
    expect(f.verdict).toBe('error');
    expect(f.message).toContain('boom');
  });
});

describe('phaseResult', () => {
  it('builds the result from the counts and carries the failure with its detection time', () => {
    const stats = new PhaseStats(0);
    stats.record(outcome('fail'), 40);
    const failure = toFailure(
      c,
      outcome('fail'),
      { seed: 1, path: '0', numShrinks: 2, error: undefined },
      'r',
      '',
    );
    const r = phaseResult({
      kernel: 'k',
      phase: 'real data',
      seed: 1,
      stats,
      requested: 150,
      failure,
      numShrinks: 2,
      durationMs: 50,
    });
    expect(r).toMatchObject({ verdict: 'fail', cases: 1, requested: 150, detectionMs: 40 });
    expect(r.failure).toBe(failure);
  });
});
