/**
 * Mutation-testing additions for error-bound.ts: the tile maxima behind the coarse
 * bound, recomputed by brute force per output element on a padded, grouped, batched
 * 2-D problem; the amplification of each element's position in its tile; the rounding
 * factor of both nested dimensions; chosen points; the bias-rounding term.
 */
import { describe, expect, it } from 'vitest';
import { type ConvProblem, convGeometry } from '../../reference/index.ts';
import { randomInteger, seededRandom } from '../../reference/random.ts';
import { convProblem } from '../../reference/testing.ts';
import { winogradErrorBound } from './error-bound.ts';
import { winogradErrorConstants, winogradRoundingFactor } from './error-constants.ts';
import { rational, type WinogradPoint } from './transforms.ts';

/**
 * Batch 2, 2 groups of 2 input and 2 output channels; H: 7 rows, kernel 3, pads 1 and 2
 * (the last tile hangs past the input); W: 9 columns, kernel 2, pads 2 and 0. With m = 2
 * this is F(2, 3) along H (α = 4) and F(2, 2) along W (α = 3), output 8 × 10.
 */
const problem: ConvProblem = convProblem({
  batch: 2,
  inChannels: 4,
  outChannels: 4,
  groups: 2,
  inputSize: [7, 9],
  kernelSize: [3, 2],
  padBegin: [1, 2],
  padEnd: [2, 0],
});
const m = 2;
const g = convGeometry(problem);

/** Integers, so that every maximum is distinct enough and every Σ‖g‖·‖d‖ is exact. */
function integers(seed: number, length: number, bound: number): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length }, () => randomInteger(random, -bound, bound));
}
const input = integers(11, g.inputLength, 1000);
const weight = integers(12, g.weightLength, 50);

/** max |x| over rows [start, start + length) ∩ [0, size) of one axis, and likewise for columns. */
function windowMax(
  plane: number,
  rows: { start: number; length: number },
  cols: { start: number; length: number },
): number {
  const [IH, IW] = [g.inputSize[0]!, g.inputSize[1]!];
  let max = 0;
  for (let h = rows.start; h < rows.start + rows.length; h++) {
    for (let w = cols.start; w < cols.start + cols.length; w++) {
      if (h >= 0 && h < IH && w >= 0 && w < IW) {
        max = Math.max(max, Math.abs(input[(plane * IH + h) * IW + w]!));
      }
    }
  }
  return max;
}

/** max |w| over the taps of filter (co, c). */
function filterMax(co: number, c: number): number {
  const taps = g.kernelVolume;
  const offset = (co * g.inChannelsPerGroup + c) * taps;
  return Math.max(...Array.from(weight.subarray(offset, offset + taps), Math.abs));
}

/**
 * S of output (n, co, oh, ow) by its definition: Σ over the group's channels of the
 * filter's max times the max over the output's α_H × α_W input tile. A tile starts at
 * output (⌊oh/m⌋·m, ⌊ow/m⌋·m), i.e. at input row ⌊oh/m⌋·m − padBegin.
 */
function bruteForceScale(n: number, co: number, oh: number, ow: number): number {
  const alpha = [m + g.kernelSize[0]! - 1, m + g.kernelSize[1]! - 1];
  const rows = { start: Math.floor(oh / m) * m - g.padBegin[0]!, length: alpha[0]! };
  const cols = { start: Math.floor(ow / m) * m - g.padBegin[1]!, length: alpha[1]! };
  const group = Math.floor(co / g.outChannelsPerGroup);
  let scale = 0;
  for (let c = 0; c < g.inChannelsPerGroup; c++) {
    const plane = n * g.inChannels + group * g.inChannelsPerGroup + c;
    scale += filterMax(co, c) * windowMax(plane, rows, cols);
  }
  return scale;
}

/** Calls f(index, n, co, oh, ow) for every output element, in row-major order. */
function forEachOutput(f: (i: number, n: number, co: number, oh: number, ow: number) => void) {
  const [OH, OW] = [g.outputSize[0]!, g.outputSize[1]!];
  let i = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let co = 0; co < g.outChannels; co++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) f(i++, n, co, oh, ow);
      }
    }
  }
}

describe('winogradErrorBound on a padded, grouped, batched 2-D problem', () => {
  // Made in each test, not once: code run outside a test counts as module loading for
  // Stryker, which then reruns every test for each of its mutants.
  const boundOf = () =>
    winogradErrorBound(problem, input, weight, undefined, { m, dtype: 'float32' });

  it("scales each element by its group's filter maxima times its own input tile's maxima", () => {
    const expected = new Float64Array(g.outputLength);
    forEachOutput((i, n, co, oh, ow) => {
      expected[i] = bruteForceScale(n, co, oh, ow);
    });
    expect(boundOf().scale).toEqual(expected);
  });

  it("amplifies each element by amp_i · amp'_j of its position (i, j) in the tile", () => {
    const ampH = winogradErrorConstants(2, 3).amplification;
    const ampW = winogradErrorConstants(2, 2).amplification;
    const expected = new Float64Array(g.outputLength);
    forEachOutput((i, _n, _co, oh, ow) => {
      expected[i] = ampH[oh % 2]! * ampW[ow % 2]!;
    });
    expect(boundOf().amplification).toEqual(expected);
  });

  it('has the factor of F(2, 3) ⊗ F(2, 2) with a channel sum of C_in/groups = 2', () => {
    const factor = winogradRoundingFactor({
      dimensions: [
        { m: 2, r: 3 },
        { m: 2, r: 2 },
      ],
      dtype: 'float32',
      channelsPerGroup: 2,
    });
    expect(boundOf().factor).toBe(factor);
  });

  it('makes the coarse bound c · amp · S, and no tighter than the componentwise one', () => {
    const bound = boundOf();
    forEachOutput((i) => {
      expect(bound.coarse[i]).toBe(bound.factor * bound.amplification[i]! * bound.scale[i]!);
      expect(bound.coarse[i]).toBeGreaterThanOrEqual(bound.absolute[i]!);
    });
  });
});

describe('winogradErrorBound options', () => {
  it('uses the chosen points for F(2, 3): their amplification, not the default one', () => {
    const points: WinogradPoint[] = [rational(0), rational(1), rational(2), 'inf'];
    const chooser = (mm: number, r: number) => (mm === 2 && r === 3 ? points : undefined);
    const oneD = convProblem({ inputSize: [9], kernelSize: [3] });
    const x = integers(13, 9, 1000);
    const w = integers(14, 3, 50);
    const chosen = winogradErrorConstants(2, 3, points).amplification;
    expect(chosen).not.toEqual(winogradErrorConstants(2, 3).amplification);
    const bound = winogradErrorBound(oneD, x, w, undefined, {
      m,
      dtype: 'float64',
      points: chooser,
    });
    // 7 outputs in tiles of 2: output o sits at position o mod 2 of its tile.
    expect(Array.from(bound.amplification)).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((o) => chosen[o % 2]),
    );
  });

  it('adds the bias in the dtype: relative u = 2^-53 for float64, 2^-24 + 2^-53 for float32', () => {
    // float32 rounds twice: the double sum, then to float32 (the module comment).
    const oneD = convProblem({ inputSize: [4], kernelSize: [3], bias: true });
    const x = integers(15, 4, 10);
    const w = integers(16, 3, 10);
    const b = [1];
    expect(winogradErrorBound(oneD, x, w, b, { m, dtype: 'float64' }).relative).toBe(2 ** -53);
    expect(winogradErrorBound(oneD, x, w, b, { m, dtype: 'float32' }).relative).toBe(
      2 ** -24 + 2 ** -53,
    );
  });
});
