/**
 * Mutation-testing additions for kernel.ts.
 *
 * - Where the kernel rounds. The float32 kernel stores U, V, M and the output as
 *   float32 values and sums each M over the whole depth in float64 (docs/winograd.md,
 *   "The kernel"); the float64 kernel never rounds to float32. An independent
 *   emulation of one 1-D tile, written from the transform matrices with plain loops in
 *   the kernel's summation order, must agree with the kernel bit for bit; so must
 *   `winogradMagnitudes`, emulated with |Aᵀ|, |G|, |Bᵀ|, and both with chosen points.
 * - Tiling. F(2×2, 3×3) in float64 on small integers is exact (its transforms hold
 *   only 0, ±1 and ±1/2), so there the kernel must equal the oracle bit for bit, for
 *   blocks that start in the middle of a tile row and for full panels of tiles.
 */
import { describe, expect, it } from 'vitest';
import { type ConvProblem, convGeometry, referenceConv } from '../../reference/index.ts';
import { type Random, randomInteger, seededRandom } from '../../reference/random.ts';
import { convProblem, type TestOperands, testOperands } from '../../reference/testing.ts';
import {
  createWinogradKernel,
  winogradF2Kernel,
  winogradF4Kernel,
  winogradMagnitudes,
} from './kernel.ts';
import { rational, type WinogradPoint, winogradTransforms } from './transforms.ts';

/** Σ_j matrix[row][j]·vector[j] over the nonzeros, in column order, as the transforms sum. */
function rowDot(matrix: Float64Array, cols: number, row: number, vector: ArrayLike<number>) {
  let sum: number | undefined;
  for (let j = 0; j < cols; j++) {
    const c = matrix[row * cols + j]!;
    if (c !== 0) sum = sum === undefined ? c * vector[j]! : sum + c * vector[j]!;
  }
  return sum ?? 0;
}

/**
 * One output tile of F(m, r), 1-D, no padding, C_in channels, one output channel:
 * y = Aᵀ[Σ_c (G g_c) ⊙ (Bᵀ d_c)], with `store` applied where the kernel stores.
 */
function emulateTile(
  m: number,
  r: number,
  x: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> },
  w: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> },
  channels: number,
  store: (v: number) => number,
  options: { points?: readonly WinogradPoint[]; absolute?: boolean } = {},
): number[] {
  const t = winogradTransforms(m, r, options.points);
  const abs = (a: Float64Array) => (options.absolute ? a.map(Math.abs) : a);
  const [ATf, Gf, BTf, alpha] = [abs(t.ATf), abs(t.Gf), abs(t.BTf), t.alpha];
  const M: number[] = [];
  for (let xi = 0; xi < alpha; xi++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const u = store(rowDot(Gf, r, xi, w.subarray(c * r, (c + 1) * r)));
      const v = store(rowDot(BTf, alpha, xi, x.subarray(c * alpha, (c + 1) * alpha)));
      sum += u * v;
    }
    M.push(store(sum));
  }
  return Array.from({ length: m }, (_, i) => store(rowDot(ATf, alpha, i, M)));
}

/** float32 values spread over 2^±12, so that every stored rounding matters. */
function spread(random: Random, length: number): Float32Array {
  return Float32Array.from(
    { length },
    () => (random() - 0.5) * 2 ** randomInteger(random, -12, 12),
  );
}

describe('winograd kernel: rounding where the stages store', () => {
  for (const [m, r] of [
    [2, 3],
    [4, 3],
  ] as const) {
    it(`F(${m}, ${r}) float32 rounds U, V, M and y to float32, M summed in float64`, async () => {
      const random = seededRandom(40 + m);
      const channels = 5;
      const alpha = m + r - 1;
      const p = convProblem({ inChannels: channels, inputSize: [alpha], kernelSize: [r] });
      const kernel = createWinogradKernel({ m });
      let differsFromFloat64 = 0;
      for (let trial = 0; trial < 200; trial++) {
        const x = spread(random, channels * alpha);
        const w = spread(random, channels * r);
        const y = Array.from(await kernel.conv(p, x, w));
        expect(y).toEqual(emulateTile(m, r, x, w, channels, Math.fround));
        const inFloat64 = emulateTile(m, r, x, w, channels, (v) => v).map(Math.fround);
        if (y.some((v, i) => v !== inFloat64[i])) differsFromFloat64++;
      }
      // The data must make the intermediate roundings visible, or the test proves nothing.
      expect(differsFromFloat64).toBeGreaterThan(20);
    });

    it(`F(${m}, ${r}) float64 does not round to float32 anywhere`, async () => {
      const random = seededRandom(50 + m);
      const channels = 5;
      const alpha = m + r - 1;
      const p = convProblem({ inChannels: channels, inputSize: [alpha], kernelSize: [r] });
      const kernel = createWinogradKernel({ m, dtype: 'float64' });
      for (let trial = 0; trial < 100; trial++) {
        const x = spread(random, channels * alpha);
        const w = spread(random, channels * r);
        const y = await kernel.conv(p, Float64Array.from(x), Float64Array.from(w));
        expect(Array.from(y)).toEqual(emulateTile(m, r, x, w, channels, (v) => v));
      }
    });
  }
});

describe('winograd kernel: chosen points and magnitudes', () => {
  const points: WinogradPoint[] = [rational(0), rational(2), rational(-1, 2), 'inf'];
  const chooser = (m: number, r: number) => (m === 2 && r === 3 ? points : undefined);
  const channels = 3;
  const p = convProblem({ inChannels: channels, inputSize: [4], kernelSize: [3] });

  it('the kernel computes with the chosen points', async () => {
    const random = seededRandom(60);
    const kernel = createWinogradKernel({ m: 2, points: chooser });
    for (let trial = 0; trial < 50; trial++) {
      const x = spread(random, channels * 4);
      const w = spread(random, channels * 3);
      const y = Array.from(await kernel.conv(p, x, w));
      expect(y).toEqual(emulateTile(2, 3, x, w, channels, Math.fround, { points }));
    }
  });

  it('winogradMagnitudes runs |Aᵀ|, |G|, |Bᵀ| of the chosen points on |x|, |w|', () => {
    const random = seededRandom(61);
    for (const chosen of [undefined, points]) {
      const x = spread(random, channels * 4);
      const w = spread(random, channels * 3);
      const W = winogradMagnitudes(p, x, w, { m: 2, ...(chosen ? { points: chooser } : {}) });
      const [ax, aw] = [Float64Array.from(x, Math.abs), Float64Array.from(w, Math.abs)];
      const expected = emulateTile(2, 3, ax, aw, channels, (v) => v, {
        ...(chosen ? { points: chosen } : {}),
        absolute: true,
      });
      expect(Array.from(W)).toEqual(expected);
    }
  });
});

/** Small integers: every F(2×2, 3×3) float64 product and sum is exact. */
function integerOperands(p: ConvProblem, seed: number): TestOperands<Float64Array> {
  const random = seededRandom(seed);
  return testOperands(p, () => randomInteger(random, -9, 9), Float64Array);
}

async function expectExactF2(p: ConvProblem, tilesPerBlock?: number) {
  const { x, w, b } = integerOperands(p, 70);
  const kernel = createWinogradKernel({
    m: 2,
    dtype: 'float64',
    ...(tilesPerBlock ? { tilesPerBlock } : {}),
  });
  expect(Array.from(await kernel.conv(p, x, w, b))).toEqual(Array.from(referenceConv(p, x, w, b)));
}

describe('winograd kernel: tiling, exact on integers (F(2×2, 3×3), float64)', () => {
  it('blocks that start in the middle of a tile row, next to border tiles', async () => {
    // 10 × 10 tiles, columns 1–8 interior: blocks of 6 and 7 start mid-row, and the
    // runs of interior tiles end at a block's edge or at the border column.
    const p = convProblem({
      inChannels: 2,
      outChannels: 3,
      inputSize: [20, 20],
      kernelSize: [3, 3],
      padBegin: [1, 1],
      padEnd: [1, 1],
      bias: true,
    });
    for (const tilesPerBlock of [6, 7]) await expectExactF2(p, tilesPerBlock);
  });

  it('full panels of 4 tiles with more than 4 input channels', async () => {
    // 4 × 4 = 16 tiles in one block: the last panel is full; 8 channels per group.
    const p = convProblem({
      inChannels: 16,
      outChannels: 6,
      groups: 2,
      inputSize: [10, 10],
      kernelSize: [3, 3],
    });
    await expectExactF2(p);
    await expectExactF2(p, 8);
  });
});

describe('winograd kernel: generic tile transforms', () => {
  it('equal the compiled ones when the last tile of a row is whole', async () => {
    // Output 8 × 8 with m = 4: every tile is whole, the last one ends the output row.
    const p = convProblem({
      inChannels: 2,
      outChannels: 2,
      inputSize: [10, 10],
      kernelSize: [3, 3],
      bias: true,
    });
    const random = seededRandom(80);
    const g = convGeometry(p);
    const x = spread(random, g.inputLength);
    const w = spread(random, g.weightLength);
    const b = spread(random, g.outChannels);
    const compiled = await createWinogradKernel({ m: 4 }).conv(p, x, w, b);
    const generic = await createWinogradKernel({ m: 4, tileTransforms: 'generic' }).conv(
      p,
      x,
      w,
      b,
    );
    expect(Array.from(generic)).toEqual(Array.from(compiled));
  });
});

describe('winograd kernel: built-in kernels', () => {
  it('the built-in kernels are named and float32', () => {
    expect([winogradF2Kernel.name, winogradF2Kernel.dtype]).toEqual(['winograd-f2', 'float32']);
    expect([winogradF4Kernel.name, winogradF4Kernel.dtype]).toEqual(['winograd-f4', 'float32']);
  });
});
