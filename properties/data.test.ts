import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { type ConvProblem, convGeometry, referenceConv } from '../reference/index.ts';
import { convCaseArbitrary } from './arbitraries/convCase.ts';
import {
  EXACT_LIMIT,
  exactDataRange,
  materializeConvCase,
  mistrustCheck,
  weightVariant,
} from './data.ts';
import { magnitudeConv } from './tolerance.ts';

const p2d: ConvProblem = {
  mode: 'cross-correlation',
  batch: 2,
  inChannels: 3,
  outChannels: 4,
  groups: 1,
  inputSize: [6, 5],
  kernelSize: [3, 2],
  stride: [1, 2],
  dilation: [1, 1],
  padBegin: [1, 0],
  padEnd: [0, 1],
  bias: true,
};

describe('materializeConvCase', () => {
  it('is a pure function of the case: same bits every time, other seeds other values', () => {
    const a = materializeConvCase({ problem: p2d, data: 'real', dataSeed: 9 });
    const b = materializeConvCase({ problem: p2d, data: 'real', dataSeed: 9 });
    const c = materializeConvCase({ problem: p2d, data: 'real', dataSeed: 10 });
    expect(a).toEqual(b);
    expect(a.input).not.toEqual(c.input);
  });

  it('gives each tensor its own stream: more output channels leave the input unchanged', () => {
    const a = materializeConvCase({ problem: p2d, data: 'exact', dataSeed: 3 });
    const b = materializeConvCase({
      problem: { ...p2d, outChannels: 7 },
      data: 'exact',
      dataSeed: 3,
    });
    expect(b.input).toEqual(a.input);
    expect(b.weight.subarray(0, a.weight.length)).toEqual(a.weight);
  });

  test.prop([convCaseArbitrary('exact')])(
    "'exact' data: nonzero integers (weights zero only in their rare variants) whose every partial sum stays below 2^24",
    (c) => {
      const { input, weight, bias } = materializeConvCase(c, 'float32');
      const g = convGeometry(c.problem);
      const { range } = exactDataRange(g.reductionLength + (c.problem.bias ? 1 : 0));
      const zeroWeights = weightVariant(c.dataSeed) !== 'usual';
      for (const v of input)
        expect(Number.isInteger(v) && v !== 0 && Math.abs(v) <= range).toBe(true);
      for (const v of weight) {
        expect(Number.isInteger(v) && (v !== 0 || zeroWeights) && Math.abs(v) <= range).toBe(true);
      }
      const magnitude = magnitudeConv(c.problem, input, weight, bias);
      expect(Math.max(0, ...magnitude)).toBeLessThan(EXACT_LIMIT);
    },
  );

  it('adapts the exact range to the reduction length instead of thinning the data', () => {
    expect(exactDataRange(9)).toEqual({ range: 32, density: 1 });
    const long = exactDataRange(100_000);
    expect(long.range).toBe(12);
    expect(100_000 * long.range ** 2).toBeLessThan(EXACT_LIMIT);
    expect(exactDataRange(2 ** 25)).toEqual({ range: 1, density: (EXACT_LIMIT - 1) / 2 ** 25 });
  });

  test.prop([convCaseArbitrary('real'), fc.constantFrom('float32' as const, 'float64' as const)])(
    "'real' data: finite, signed, in [−1, 1] (or a wide range one seed in four), stored exactly",
    (c, dtype) => {
      const { input, weight } = materializeConvCase(c, dtype);
      expect(input).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
      const limit = c.dataSeed % 4 === 3 ? 2 ** 13 : 1;
      for (const v of [...input, ...weight]) expect(Math.abs(v)).toBeLessThanOrEqual(limit);
    },
  );

  it("'special' data: NaN, ±Inf, −0 and subnormals in the input; in the weights −0, subnormals and ±Inf on a padding tap only", () => {
    const seen = new Set<string>();
    let paddingInfinities = 0;
    for (let seed = 0; seed < 40; seed++) {
      const { input, weight } = materializeConvCase({
        problem: p2d,
        data: 'special',
        dataSeed: seed,
      });
      for (const v of input) {
        if (Number.isNaN(v)) seen.add('nan');
        else if (v === Number.POSITIVE_INFINITY) seen.add('inf');
        else if (v === Number.NEGATIVE_INFINITY) seen.add('-inf');
        else if (Object.is(v, -0)) seen.add('-0');
        else if (v !== 0 && Math.abs(v) < 2 ** -126) seen.add('subnormal');
      }
      const infinite = Array.from(weight).filter((v) => !Number.isFinite(v));
      expect(infinite.every((v) => Math.abs(v) === Number.POSITIVE_INFINITY)).toBe(true);
      expect(infinite.length).toBeLessThanOrEqual(1);
      if (infinite.length === 1) {
        paddingInfinities++;
        // The infinite tap lands in the padding: 0·∞ = NaN there, unlike when padding taps are skipped.
        const ones = new Float64Array(input.length).fill(1);
        const noBias = { ...p2d, bias: false };
        const zeros = referenceConv(noBias, ones, weight);
        const skipped = referenceConv(noBias, ones, weight, undefined, 'skip-taps');
        expect(zeros.some((v, i) => Number.isNaN(v) && !Number.isNaN(skipped[i]!))).toBe(true);
      }
    }
    expect([...seen].sort()).toEqual(['-0', '-inf', 'inf', 'nan', 'subnormal']);
    expect(paddingInfinities).toBeGreaterThan(3);
  });
});

describe('mistrustCheck (benchdnn MISTRUSTED)', () => {
  it('flags a result that is mostly zeros, not counting windows wholly in padding', () => {
    const p: ConvProblem = {
      ...p2d,
      batch: 1,
      inChannels: 1,
      outChannels: 1,
      bias: false,
      padBegin: [4, 0],
    };
    const x = new Float64Array(convGeometry(p).inputLength);
    const w = new Float64Array(convGeometry(p).weightLength).fill(1);
    x[0] = 1;
    const mostlyZero = referenceConv(p, x, w);
    expect(mistrustCheck(p, mostlyZero).mistrusted).toBe(true);
    const healthy = referenceConv(p, x.fill(1), w);
    const check = mistrustCheck(p, healthy);
    expect(check.mistrusted).toBe(false);
    // Rows 0..2 of the output read only the 4 rows of begin padding.
    expect(check.counted).toBeLessThan(convGeometry(p).outputLength);
  });
});

describe('weight variants', () => {
  const seeds = Array.from({ length: 20_000 }, (_, i) => i);
  const share = (v: string) => seeds.filter((s) => weightVariant(s) === v).length / seeds.length;

  it('zero the whole kernel in about one case in 64 and many weights in two', () => {
    expect(share('zero-kernel')).toBeGreaterThan(0.01);
    expect(share('zero-kernel')).toBeLessThan(0.025);
    expect(share('zero-weights')).toBeGreaterThan(0.02);
    expect(share('zero-weights')).toBeLessThan(0.045);
    // Shrinking ends at small seeds: they keep usual data.
    expect(seeds.slice(0, 32).every((s) => weightVariant(s) === 'usual')).toBe(true);
  });

  it.each(['exact', 'real', 'special'] as const)('reach %s data', (data) => {
    const zero = seeds.find((s) => weightVariant(s) === 'zero-kernel')!;
    const some = seeds.find((s) => weightVariant(s) === 'zero-weights')!;
    const all = materializeConvCase({ problem: p2d, data, dataSeed: zero }).weight;
    expect(Array.from(all).every((v) => v === 0)).toBe(true);
    const partial = Array.from(materializeConvCase({ problem: p2d, data, dataSeed: some }).weight);
    const perChannel = partial.length / p2d.outChannels;
    const channels = [0, 1, 2, 3].map((c) => partial.slice(c * perChannel, (c + 1) * perChannel));
    expect(channels.some((k) => k.every((v) => v === 0))).toBe(true);
    expect(partial.some((v) => v !== 0)).toBe(true);
  });
});
