/**
 * Mutation-testing additions for kernel.ts: where the kernel rounds. The float32
 * kernel stores U, V, M and the output as float32 values and sums each M over the
 * whole depth in float64 (docs/winograd.md, "The kernel"); the float64 kernel never
 * rounds to float32. An independent emulation of one 1-D tile, written from the
 * transform matrices with plain loops in the kernel's summation order, must agree
 * with the kernel bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { convProblem } from '../../reference/testing.ts';
import { createWinogradKernel } from './kernel.ts';
import { type Random, randomInteger, seededRandom } from './random.ts';
import { winogradTransforms } from './transforms.ts';

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
  x: Float32Array,
  w: Float32Array,
  channels: number,
  store: (v: number) => number,
): number[] {
  const { ATf, Gf, BTf, alpha } = winogradTransforms(m, r);
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
