/**
 * Over 300 lines, on purpose: a unit's test file holds all of its tests: the sampled oracle's
 * positions, its strata and the bug confined to each stratum that it must catch.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ConvProblem,
  convGeometry,
  macs,
  referenceConv,
  referenceConvAt,
} from '../reference/index.ts';
import { convProblemArbitrary } from './arbitraries/convProblem.ts';
import { materializeConvCase } from './data.ts';
import {
  borderIndices,
  oracleOutputs,
  SAMPLING,
  samplePositions,
  specialIndices,
} from './sampling.ts';
import { type BoundModel, compareConvOutput, magnitudeFor } from './tolerance.ts';
import { winogradModel } from './winogradModel.ts';

/** A 2-D layer above the sampling threshold with a tile remainder in each spatial dimension. */
const LARGE: ConvProblem = {
  mode: 'cross-correlation',
  batch: 2,
  inChannels: 32,
  outChannels: 40,
  groups: 1,
  inputSize: [38, 45],
  kernelSize: [3, 3],
  stride: [1, 1],
  dilation: [1, 1],
  padBegin: [1, 1],
  padEnd: [1, 1],
  bias: true,
};

/** A strided, dilated, grouped 3-D layer above the threshold. */
const LARGE_3D: ConvProblem = {
  mode: 'convolution',
  batch: 2,
  inChannels: 16,
  outChannels: 24,
  groups: 2,
  inputSize: [12, 30, 31],
  kernelSize: [3, 3, 3],
  stride: [1, 2, 1],
  dilation: [1, 1, 2],
  padBegin: [1, 0, 2],
  padEnd: [2, 1, 2],
  bias: false,
};

const coords = (index: number, shape: readonly number[]): number[] => {
  let rest = index;
  return [...shape]
    .reverse()
    .map((extent) => {
      const c = rest % extent;
      rest = Math.floor(rest / extent);
      return c;
    })
    .reverse();
};

/** A correct float32 answer for a problem, computed once (the layers are large). */
function correctCase(problem: ConvProblem, data: 'real' | 'exact') {
  const operands = materializeConvCase({ problem, data, dataSeed: 5 }, 'float32');
  const good = Float32Array.from(
    referenceConv(problem, operands.input, operands.weight, operands.bias),
  );
  return { operands, good };
}

/** The verdict of the sampled oracle on `got`, and how many outputs it computed. */
function judge(
  problem: ConvProblem,
  operands: ReturnType<typeof correctCase>['operands'],
  got: Float32Array,
  model: BoundModel,
  seed = 1,
) {
  const answer = oracleOutputs({
    problem,
    operands,
    model,
    dtype: 'float32',
    got,
    constraints: { seed },
  });
  const comparison = compareConvOutput({ problem, got, dtype: 'float32', model, ...answer });
  return { verdict: comparison.verdict, sampled: answer.sampled, stats: comparison.stats };
}

/** `good` with every output where `wrong([n, oc, ...spatial])` holds pushed far off. */
function planted(good: Float32Array, problem: ConvProblem, wrong: (c: number[]) => boolean) {
  const shape = convGeometry(problem).outputShape;
  const got = good.slice();
  let touched = 0;
  for (let i = 0; i < got.length; i++) {
    if (wrong(coords(i, shape))) {
      got[i] = got[i]! + 0.5;
      touched++;
    }
  }
  expect(touched).toBeGreaterThan(0);
  return got;
}

describe('referenceConvAt: the direct definition at chosen outputs', () => {
  it('is bit-identical to referenceConv at every index asked for', () => {
    fc.assert(
      fc.property(
        convProblemArbitrary({ maxMacs: 20_000 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (problem, seed) => {
          const { input, weight, bias } = materializeConvCase({
            problem,
            data: 'special',
            dataSeed: seed,
          });
          const full = referenceConv(problem, input, weight, bias);
          const indices = full.map((_, i) => i).filter((i) => (i * 7 + seed) % 3 !== 0);
          const at = referenceConvAt(problem, input, weight, bias, indices);
          indices.forEach((index, i) => {
            expect(Object.is(at[i], full[index])).toBe(true);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('names an index outside the output', () => {
    const problem = { ...LARGE, batch: 1, inChannels: 1, outChannels: 1 };
    const { input, weight, bias } = materializeConvCase({ problem, data: 'real', dataSeed: 1 });
    expect(() => referenceConvAt(problem, input, weight, bias, [38 * 45])).toThrow(
      /indices\[0\] = 1710 is outside the output \(length 1710\)/,
    );
  });

  it('gives the dot-product and Winograd magnitudes at chosen outputs', () => {
    const problem = { ...LARGE, batch: 1, inChannels: 3, outChannels: 2 };
    const operands = materializeConvCase({ problem, data: 'real', dataSeed: 3 });
    const indices = [0, 17, 900, 3419];
    for (const model of [{ kind: 'dot-product' }, winogradModel(2, [3, 3])] as BoundModel[]) {
      const full = magnitudeFor(problem, operands, model, 'float32');
      const at = magnitudeFor(problem, operands, model, 'float32', indices);
      expect(Array.from(at)).toEqual(indices.map((i) => full[i]));
    }
  });
});

describe('samplePositions: the strata', () => {
  it('samples nothing below the threshold or with --full', () => {
    const small = { ...LARGE, inChannels: 1, outChannels: 1 };
    expect(macs(convGeometry(small))).toBeLessThanOrEqual(SAMPLING.thresholdMacs);
    expect(samplePositions(small, { seed: 1 })).toBeUndefined();
    expect(samplePositions(LARGE, { seed: 1, full: true })).toBeUndefined();
    expect(samplePositions(LARGE, { seed: 1 })).toBeDefined();
  });

  for (const problem of [LARGE, LARGE_3D]) {
    const g = convGeometry(problem);
    const at = samplePositions(problem, { seed: 9 })!;
    const sampled = Array.from(at, (i) => coords(i, g.outputShape));
    const name = `${g.rank}-D`;

    it(`${name}: holds at least ${SAMPLING.randomOutputs} outputs, sorted, unique, far fewer than all`, () => {
      expect(at.length).toBeGreaterThanOrEqual(1000);
      expect(at.length).toBeLessThan(g.outputLength * SAMPLING.maxFraction);
      for (let i = 1; i < at.length; i++) expect(at[i]!).toBeGreaterThan(at[i - 1]!);
    });

    it(`${name}: visits every special index of every dimension in every (n, oc) plane`, () => {
      for (let n = 0; n < g.batch; n++) {
        for (let oc = 0; oc < g.outChannels; oc++) {
          const plane = sampled.filter((c) => c[0] === n && c[1] === oc);
          g.outputSize.forEach((_, d) => {
            const seen = new Set(plane.map((c) => c[d + 2]));
            for (const s of specialIndices(g, d)) expect(seen.has(s)).toBe(true);
          });
        }
      }
    });

    it(`${name}: includes every output position whose window touches a border`, () => {
      const spatial = new Set(sampled.map((c) => c.slice(2).join(',')));
      const border = g.outputSize.map((_, d) => new Set(borderIndices(g, d)));
      for (let i = 0; i < g.outputVolume; i++) {
        const position = coords(i, g.outputSize);
        if (position.some((c, d) => border[d]!.has(c))) {
          expect(spatial.has(position.join(','))).toBe(true);
        }
      }
    });

    it(`${name}: special indices hold every residue mod 4, 8 and 16 at both ends`, () => {
      g.outputSize.forEach((extent, d) => {
        const special = specialIndices(g, d);
        for (const block of [4, 8, 16]) {
          const remainder = Array.from(
            { length: extent % block },
            (_, k) => Math.floor(extent / block) * block + k,
          );
          for (const r of remainder) expect(special).toContain(r);
          const residues = new Set(special.map((s) => s % block));
          expect(residues.size).toBe(Math.min(block, extent));
        }
      });
    });
  }
});

describe('the sampled oracle catches bugs confined to one stratum', () => {
  const model: BoundModel = { kind: 'dot-product' };
  const { operands, good } = correctCase(LARGE, 'real');
  const g = convGeometry(LARGE);
  const [OH, OW] = g.outputSize as [number, number];

  it('passes the correct output, sampled, with the statistical checks applied', () => {
    const r = judge(LARGE, operands, good, model);
    expect(r.verdict).toBe('pass');
    expect(r.sampled!.count).toBeLessThan(g.outputLength / 4);
    expect(r.stats!.applied).toBe(true);
  });

  const seeds = fc.integer({ min: 0, max: 2 ** 31 - 1 });
  const blocks = fc.constantFrom(4, 8, 16);

  it('a kernel wrong only in one tile-remainder column', () => {
    fc.assert(
      fc.property(blocks, fc.nat(), seeds, (block, pick, seed) => {
        fc.pre(OW % block !== 0);
        const column = Math.floor(OW / block) * block + (pick % (OW % block));
        const got = planted(good, LARGE, (c) => c[3] === column);
        expect(judge(LARGE, operands, got, model, seed).verdict).toBe('fail');
      }),
      { numRuns: 8 },
    );
  });

  it('a kernel wrong only in one output-channel block', () => {
    fc.assert(
      fc.property(blocks, fc.nat(), seeds, (block, pick, seed) => {
        const first = (pick % Math.ceil(g.outChannels / block)) * block;
        const got = planted(good, LARGE, (c) => c[1]! >= first && c[1]! < first + block);
        expect(judge(LARGE, operands, got, model, seed).verdict).toBe('fail');
      }),
      { numRuns: 8 },
    );
  });

  it('a kernel wrong only on the last row', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const got = planted(good, LARGE, (c) => c[2] === OH - 1);
        expect(judge(LARGE, operands, got, model, seed).verdict).toBe('fail');
      }),
      { numRuns: 4 },
    );
  });

  it('a kernel wrong only at batch index > 0', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const got = planted(good, LARGE, (c) => c[0]! > 0);
        expect(judge(LARGE, operands, got, model, seed).verdict).toBe('fail');
      }),
      { numRuns: 4 },
    );
  });

  it('a kernel wrong only in one remainder column of one channel block', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), seeds, (pickColumn, pickBlock, seed) => {
        const column = 40 + (pickColumn % (OW - 40));
        const first = (pickBlock % 5) * 8;
        const got = planted(
          good,
          LARGE,
          (c) => c[3] === column && c[1]! >= first && c[1]! < first + 8,
        );
        expect(judge(LARGE, operands, got, model, seed).verdict).toBe('fail');
      }),
      { numRuns: 8 },
    );
  });

  it('on exact data the sampled positions must match bit for bit', () => {
    const exact = correctCase(LARGE, 'exact');
    const exactModel: BoundModel = { kind: 'exact' };
    expect(judge(LARGE, exact.operands, exact.good, exactModel).verdict).toBe('pass');
    const sampled = samplePositions(LARGE, { seed: 1 })!;
    const got = exact.good.slice();
    const index = sampled[sampled.length >> 1]!;
    got[index] = Math.fround(got[index]! * (1 + 2 ** -22));
    expect(got[index]).not.toBe(exact.good[index]);
    expect(judge(LARGE, exact.operands, got, exactModel).verdict).toBe('fail');
  });
});
