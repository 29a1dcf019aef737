import { describe, expect, it } from 'vitest';
import type { PlacedSpecial } from '../../properties/data.ts';
import {
  formatSpecials,
  parseSpecials,
  shrinkPlacement,
} from '../../properties/special-placement.ts';
import { referenceConv } from '../../reference/conv.ts';
import type { ConvKernel } from '../../reference/problem.ts';
import { defaultTolerance, evaluateCase } from './evaluate.ts';
import { openInProcessHost } from './hosts/index.ts';
import { runGeneratedPhase } from './runner.ts';
import { suiteSpec } from './suites.ts';

describe('special-value placement', () => {
  it('formats and parses --specials, naming a bad entry', () => {
    const list: PlacedSpecial[] = [
      { tensor: 'input', index: 0, value: 'inf' },
      { tensor: 'weight', index: 3, value: 'nan' },
    ];
    expect(formatSpecials(list)).toBe('input:0=inf,weight:3=nan');
    expect(parseSpecials('input:0=inf,weight:3=nan')).toEqual(list);
    expect(() => parseSpecials('bias:0=inf')).toThrow(/got 'bias:0=inf'/);
  });

  it('keeps the fewest values at the earliest positions that still fail', async () => {
    const start: PlacedSpecial[] = [
      { tensor: 'input', index: 5, value: 'nan' },
      { tensor: 'weight', index: 7, value: 'inf' },
      { tensor: 'input', index: 9, value: '-inf' },
    ];
    // The failure needs any infinity in the weight.
    const needs = async (p: PlacedSpecial[]) => p.some((s) => s.tensor === 'weight');
    expect(await shrinkPlacement(start, needs)).toEqual([
      { tensor: 'weight', index: 0, value: 'inf' },
    ]);
  });
});

/** A kernel that reads NaN inputs as zero (a clamp or a max that drops NaN). */
const nanAsZero: ConvKernel = {
  name: 'broken:nan-as-zero',
  dtype: 'float32',
  conv: (p, x, w, b) =>
    Float32Array.from(
      referenceConv(
        p,
        Array.from(x, (v) => (Number.isNaN(v) ? 0 : v)),
        w,
        b,
      ),
    ),
};

describe('a special-data failure is shrunk to a minimal placement', () => {
  it('one NaN, at the first input element, replayable with --specials', async () => {
    const host = await openInProcessHost(nanAsZero);
    const target = { host, implFlags: '--impl k.mjs', tolerance: defaultTolerance() };
    const suite = suiteSpec('quick');
    const result = await runGeneratedPhase(target, 'special', 2, {
      suite,
      seed: 5,
      runs: suite.runs,
      dims: [1, 2, 3],
      shard: { index: 0, count: 1 },
      timeoutMs: 10_000,
      determinismEvery: 0,
      progress: { phaseStart() {}, tick() {}, phaseEnd() {} },
    });
    const f = result.failure!;
    expect(result.verdict).toBe('fail');
    expect(f.specials).toBe('input:0=nan');
    expect(f.details).toMatch(/special values: 1 non-finite \(input:0=nan\), shrunk from \d+/);
    expect(f.repro).toMatch(/--specials 'input:0=nan'$|--specials input:0=nan$/);
    // The repro's case fails again on its own.
    const replay = await evaluateCase(
      host,
      {
        problem: f.problem,
        data: 'special',
        dataSeed: f.dataSeed,
        specials: parseSpecials(f.specials!),
      },
      target.tolerance,
      { timeoutMs: 10_000, checkDeterminism: false },
    );
    await host.close();
    expect(replay.verdict).toBe('fail');
  });
});
