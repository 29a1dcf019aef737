import { describe, expect, it } from 'vitest';
import { computeRatios, formatRatios, formatReport } from './report.ts';
import type { CellResult } from './run.ts';
import { benchShapes } from './shapes.ts';
import { summarizeTimes, timeInterleaved } from './timing.ts';

function measured(shape: string, impl: string, gflops: number, ok = true): CellResult {
  const timing = { runs: 3, medianMs: 1, minMs: 1, maxMs: 1 };
  const check = { ok, failures: ok ? 0 : 5, worstRatio: ok ? 0.1 : 9, bound: 'test bound' };
  return { shape, impl, status: 'measured', timing, gflops, check };
}

describe('bench timing', () => {
  it('summarizes median, min and max of odd and even counts', () => {
    expect(summarizeTimes([5, 1, 3])).toEqual({ runs: 3, medianMs: 3, minMs: 1, maxMs: 5 });
    expect(summarizeTimes([4, 1, 3, 2]).medianMs).toBe(2.5);
    expect(() => summarizeTimes([])).toThrow(/no run times/);
  });

  it('stops starting runs once over budget, but always times at least one', async () => {
    let calls = 0;
    const run = () => {
      calls++;
    };
    const [timing] = await timeInterleaved([{ run, elapsedMs: 1e6 }], {
      warmups: 5,
      repetitions: 10,
      budgetMs: 10,
    });
    expect(calls).toBe(1);
    expect(timing).toMatchObject({ runs: 1 });
    calls = 0;
    await timeInterleaved([{ run, elapsedMs: 0 }], {
      warmups: 2,
      repetitions: 4,
      budgetMs: 60_000,
    });
    expect(calls).toBe(6);
  });

  it('warms every cell up first, then times the cells in rounds', async () => {
    const order: string[] = [];
    const cell = (name: string) => ({ run: () => void order.push(name), elapsedMs: 0 });
    const plan = { warmups: 1, repetitions: 3, budgetMs: 60_000 };
    const timings = await timeInterleaved([cell('a'), cell('b')], plan);
    expect(order.join('')).toBe('ab' + 'ababab');
    expect(timings.map((t) => ('runs' in t ? t.runs : -1))).toEqual([3, 3]);
  });

  it('stops timing a cell whose run throws, and goes on with the others', async () => {
    let calls = 0;
    const failing = {
      run: () => {
        if (++calls === 2) throw new Error('out of memory');
      },
      elapsedMs: 0,
    };
    const fine = { run: () => undefined, elapsedMs: 0 };
    const plan = { warmups: 0, repetitions: 4, budgetMs: 60_000 };
    const [bad, good] = await timeInterleaved([failing, fine], plan);
    expect(bad).toEqual({ error: new Error('out of memory') });
    expect(calls).toBe(2);
    expect(good).toMatchObject({ runs: 4 });
  });
});

describe('bench ratios and report', () => {
  it('computes target ratios from GFLOP/s, and refuses them for wrong or missing cells', () => {
    const cells: CellResult[] = [
      measured('a', 'im2col', 3),
      measured('a', 'tfjs-cpu', 0.5),
      measured('b', 'im2col', 3),
      measured('b', 'tfjs-cpu', 0.5, false),
      measured('a', 'winograd-f4', 4),
      { shape: 'b', impl: 'winograd-f4', status: 'n/a', reason: 'not yet' },
    ];
    const ratios = computeRatios(cells);
    const find = (n: string, s: string) => ratios.find((r) => r.numerator === n && r.shape === s);
    expect(find('im2col', 'a')).toMatchObject({ ratio: 6, met: true });
    expect(find('im2col', 'b')).toMatchObject({ ratio: null, why: 'tfjs-cpu output wrong' });
    expect(find('winograd-f4', 'a')?.ratio).toBeCloseTo(4 / 3);
    expect(find('winograd-f4', 'a')?.met).toBe(false);
    expect(find('winograd-f4', 'b')).toMatchObject({ ratio: null, why: 'winograd-f4 n/a' });
  });

  it('takes the fastest correct built-in for a fastest-built-in target, and names it', () => {
    const cells: CellResult[] = [
      measured('a', 'im2col-simd', 5),
      measured('a', 'winograd-f4-simd', 12),
      measured('a', 'winograd-f2-simd', 20, false),
      measured('a', 'tfjs-wasm', 10),
      measured('b', 'tfjs-wasm', 10),
    ];
    const ratios = computeRatios(cells);
    const find = (d: string, s: string) =>
      ratios.find(
        (r) => r.numerator === 'fastest built-in' && r.denominator === d && r.shape === s,
      );
    // The wrong (✗) winograd-f2-simd cell is not a candidate.
    expect(find('tfjs-wasm', 'a')).toMatchObject({ fastest: 'winograd-f4-simd', met: true });
    expect(find('tfjs-wasm', 'a')?.ratio).toBeCloseTo(1.2);
    expect(find('tfjs-wasm', 'b')).toMatchObject({ ratio: null });
    expect(find('tfjs-wasm', 'b')?.why).toMatch(/^none of im2col, .* measured correct$/);
    expect(formatRatios(ratios).join('\n')).toMatch(
      /fastest built-in \(winograd-f4-simd\) \/ tfjs-wasm on a: 1\.20× \(meets target ≥ 1×\)/,
    );
  });

  it('marks wrong outputs with ✗ and n/a cells with a footnoted reason', () => {
    const cells: CellResult[] = [
      measured('a', 'im2col', 3, false),
      { shape: 'a', impl: 'ort', status: 'n/a', reason: 'package missing' },
    ];
    const text = formatReport(benchShapes.slice(0, 1), ['im2col', 'ort'], cells).join('\n');
    expect(text).toMatch(/3\.00 ✗/);
    expect(text).toMatch(/n\/a \[1\]/);
    expect(text).toMatch(/\[1\] package missing/);
    expect(text).toMatch(/✗ a × im2col: 5 elements outside test bound/);
  });
});
