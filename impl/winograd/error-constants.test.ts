import type { Fraction } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { fractionToNumber, referenceConv } from '../../reference/index.ts';
import { randomFloat32, seededRandom } from '../../reference/random.ts';
import { winogradErrorBound } from './error-bound.ts';
import { unitRoundoff, winogradErrorConstants, winogradRoundingFactor } from './error-constants.ts';
import { winogradMagnitudes } from './kernel.ts';
import { rational, winogradTransforms } from './transforms.ts';

describe('winogradErrorConstants', () => {
  it("reads F(4,3)'s norms off Lavin & Gray's matrices", () => {
    const k = winogradErrorConstants(4, 3);
    expect(k.alpha).toBe(6);
    expect(k.normAT).toBe(19); // row [0, 1, −1, 8, −8, 1]
    expect(k.normG).toBe(1); // row [0, 0, 1]; the 1/6 rows sum to 1/2
    expect(k.normBT).toBe(10); // rows [4, 0, −5, 0, 1, 0] and [0, 4, 0, −5, 0, 1]
    expect(k.dotLengths).toEqual({ AT: 5, G: 3, BT: 4 });
    expect(k.exact.float32).toEqual({ AT: true, G: false, BT: true });
    expect(k.nested2D.normProduct).toBe((19 * 1 * 10) ** 2);
  });

  it('amp_i is the exact W_i of all-ones data, and bounds it for any data', () => {
    for (const [m, r] of [
      [2, 3],
      [4, 3],
      [6, 3],
      [3, 2],
    ] as const) {
      const t = winogradTransforms(m, r);
      const k = winogradErrorConstants(m, r);
      const absMatVec = (a: Fraction[][], v: Fraction[]) =>
        a.map((row) => row.reduce((s, x, j) => s.add(x.abs().mul(v[j]!)), rational(0)));
      const ones = (n: number) => Array.from({ length: n }, () => rational(1));
      const u = absMatVec(t.G, ones(r));
      const v = absMatVec(t.BT, ones(t.alpha));
      const W = absMatVec(
        t.AT,
        u.map((x, i) => x.mul(v[i]!)),
      );
      expect(k.amplification).toEqual(W.map((w) => w.valueOf()));
      expect(k.maxAmplification).toBe(Math.max(...k.amplification));
      expect(k.nested2D.amplification[m + 1]).toBe(k.amplification[1]! ** 2);
      expect(k.maxAmplification).toBeLessThanOrEqual(k.normAT * k.normG * k.normBT);
    }
  });

  it('grows fast past α = 8 (why maxAlpha defaults to 8)', () => {
    const amp = (m: number) => winogradErrorConstants(m, 3).nested2D.maxAmplification;
    expect(amp(7) / amp(6)).toBeGreaterThan(15);
    // ±1/2 instead of ±3 for F(6,3): about 100× smaller (NNPACK#8).
    const pm3 = [0, 1, -1, 2, -2, 3, -3].map((v) => rational(v));
    const withThree = winogradErrorConstants(6, 3, [...pm3, 'inf']).nested2D.maxAmplification;
    expect(withThree / amp(6)).toBeGreaterThan(50);
  });

  it('treats F(1,1) as exact: no rounding terms', () => {
    const k = winogradErrorConstants(1, 1);
    expect(k.dotLengths).toEqual({ AT: 0, G: 0, BT: 0 });
    expect(k.maxAmplification).toBe(1);
  });
});

describe('winogradRoundingFactor', () => {
  /** Rows of Aᵀ, G, Bᵀ: the γ_n of each, and whether it is rounded when stored (δ_S). */
  type Stage = { n: number; stored: boolean };
  // Read off the matrices (winogradTransforms tests): F(2,3) is dyadic, F(4,3)'s G holds 1/6.
  const f23: Stage[] = [
    { n: 3, stored: false },
    { n: 3, stored: false },
    { n: 2, stored: false },
  ];
  const f43: Stage[] = [
    { n: 5, stored: false },
    { n: 3, stored: true },
    { n: 4, stored: false },
  ];

  /** (1+u)(1+γ_K) Π_S (1+δ_S)(1+γ_{n_S}) − 1 in exact rationals, δ_S = u + 2^-53 when stored. */
  function exactFactor(u: Fraction, channels: number, stages: readonly Stage[]): number {
    const one = rational(1);
    const gammaOf = (n: number) => u.mul(rational(n)).div(one.sub(u.mul(rational(n))));
    const delta = u.add(rational(1, 2n ** 53n));
    let product = one.add(u).mul(one.add(gammaOf(channels)));
    for (const { n, stored } of stages) {
      product = product.mul(one.add(stored ? delta : rational(0))).mul(one.add(gammaOf(n)));
    }
    return fractionToNumber(product.sub(one));
  }
  const float32 = rational(1, 2n ** 24n);
  const float64 = rational(1, 2n ** 53n);
  const within = (c: number, exact: number) =>
    expect(Math.abs(c - exact)).toBeLessThanOrEqual(1e-14 * exact);

  it('is the product formula of the module comment, to 10^-14 of its exact value', () => {
    const factor = (m: number, dims: number, dtype: 'float32' | 'float64', channels: number) =>
      winogradRoundingFactor({
        dimensions: Array.from({ length: dims }, () => ({ m, r: 3 })),
        dtype,
        channelsPerGroup: channels,
      });
    within(factor(2, 1, 'float32', 5), exactFactor(float32, 5, f23));
    // F(4,3)'s G holds 1/6: one storage rounding u + 2^-53 per dimension.
    within(factor(4, 1, 'float32', 5), exactFactor(float32, 5, f43));
    within(factor(4, 2, 'float32', 64), exactFactor(float32, 64, [...f43, ...f43]));
    within(factor(4, 2, 'float64', 64), exactFactor(float64, 64, [...f43, ...f43]));
  });

  it('keeps every term of order u in float64 (1 + 2^-53 would round to 1)', () => {
    // (1 + u)(1 + γ_2) − 1 ≈ 3u; multiplying out 1 + u in double gives 2u.
    const c = winogradRoundingFactor({ dimensions: [], dtype: 'float64', channelsPerGroup: 2 });
    within(c, exactFactor(float64, 2, []));
    expect(c / 2 ** -53).toBeCloseTo(3, 12);
  });
});

describe('winogradErrorBound', () => {
  it('uses the tile of each output: W of one tile equals the exact absolute Winograd', () => {
    const random = seededRandom(3);
    const p = {
      mode: 'cross-correlation' as const,
      batch: 1,
      inChannels: 2,
      outChannels: 1,
      groups: 1,
      inputSize: [6],
      kernelSize: [3],
      stride: [1],
      dilation: [1],
      padBegin: [0],
      padEnd: [0],
      bias: false,
    };
    const x = randomFloat32(random, 12, -1, 1);
    const w = randomFloat32(random, 6, -1, 1);
    const W = winogradMagnitudes(p, x, w, { m: 4 });
    const t = winogradTransforms(4, 3);
    const abs = (a: Fraction[][]) => a.map((row) => row.map((v) => Math.abs(v.valueOf())));
    const [AT, G, BT] = [abs(t.AT), abs(t.G), abs(t.BT)];
    const expected = [0, 1, 2, 3].map((i) => {
      let sum = 0;
      for (let xi = 0; xi < 6; xi++) {
        for (let c = 0; c < 2; c++) {
          let gu = 0;
          let dv = 0;
          for (let k = 0; k < 3; k++) gu += G[xi]![k]! * Math.abs(w[c * 3 + k]!);
          for (let j = 0; j < 6; j++) dv += BT[xi]![j]! * Math.abs(x[c * 6 + j]!);
          sum += AT[i]![xi]! * gu * dv;
        }
      }
      return sum;
    });
    for (const [i, e] of expected.entries()) expect(W[i]).toBeCloseTo(e, 12);
    const bound = winogradErrorBound(p, x, w, undefined, { m: 4, dtype: 'float32' });
    const sums = referenceConv(p, x.map(Math.abs), w.map(Math.abs));
    // The tile holds more than each output's window: W exceeds Σ|x·w|.
    for (let i = 0; i < 4; i++) expect(W[i]).toBeGreaterThan(sums[i]!);
    expect(bound.absolute[3]! / (bound.factor * W[3]!)).toBeCloseTo(1 + 1e-12, 14);
  });
});

/**
 * Mutation-testing additions (formerly error-constants.mutation.test.ts):
 * Mutation-testing additions for error-constants.ts: F(2, 3)'s constants read off
 * Lavin & Gray's matrices by hand, the unit roundoffs, the γ_n domain check, and
 * rounding counts and exactness for points chosen to tell the cases apart.
 */
describe('mutation-testing additions', () => {
  describe('winogradErrorConstants for F(2, 3)', () => {
    // Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
    // Aᵀ = [1 1 1 0; 0 1 −1 −1].
    it('gives the norms and amplifications of the matrices', () => {
      const k = winogradErrorConstants(2, 3);
      expect([k.m, k.r, k.alpha]).toEqual([2, 3, 4]);
      expect([k.normAT, k.normG, k.normBT]).toEqual([3, 1.5, 2]);
      // Row i of Aᵀ: Σ |a_ij| · ‖G_j‖₁ · ‖Bᵀ_j‖₁ = 1·1·2 + 1·1.5·2 + 1·1.5·2 = 8 for both rows.
      expect(k.amplification).toEqual([8, 8]);
      expect(k.maxAmplification).toBe(8);
      expect(k.nested2D).toEqual({
        normProduct: 81,
        amplification: [64, 64, 64, 64],
        maxAmplification: 64,
      });
    });

    it('counts rounding terms per row; a lone power-of-two entry rounds nothing', () => {
      // Aᵀ rows have 3 non-zeros; G's first and last rows are a lone 1; Bᵀ rows have 2.
      expect(winogradErrorConstants(2, 3).dotLengths).toEqual({ AT: 3, G: 3, BT: 2 });
    });

    it('finds every F(2, 3) entry exact in both precisions', () => {
      const exact = { AT: true, G: true, BT: true };
      expect(winogradErrorConstants(2, 3).exact).toEqual({ float32: exact, float64: exact });
    });
  });

  describe('rounding factor', () => {
    it('uses u = 2^−24 and 2^−53', () => {
      expect(unitRoundoff('float32')).toBe(2 ** -24);
      expect(unitRoundoff('float64')).toBe(2 ** -53);
    });

    it('refuses a dot product so long that γ_n is undefined (n·u ≥ 1)', () => {
      expect(() =>
        winogradRoundingFactor({ dimensions: [], dtype: 'float32', channelsPerGroup: 2 ** 24 }),
      ).toThrow(new RangeError('winogradRoundingFactor: γ_16777216 undefined for this dtype'));
    });
  });

  describe('winogradErrorConstants for other points', () => {
    it('counts a lone entry that is not a power of two as one rounding: F(2, 1) at 0 and 3', () => {
      // f = [|0 − 3|, 3 − 0] = [3, 3]: G = [1/3; 1/3], each row a lone 1/3 (the product
      // rounds). Aᵀ = [1 1; 0 3] and Bᵀ = diag(f)·E⁻ᵀ = [3 −1; 0 1] have a row of 2.
      const k = winogradErrorConstants(2, 1, [rational(0), rational(3)]);
      expect(k.dotLengths).toEqual({ AT: 2, G: 1, BT: 2 });
    });

    it('finds a = 1 + 2^-30 exact in float64 only, 1/a in neither: F(2, 1) at 0 and a', () => {
      // Aᵀ = [1 1; 0 a], G = [1/a; 1/a], Bᵀ = [a −1; 0 1].
      const a = rational(2 ** 30 + 1, 2 ** 30);
      const { exact } = winogradErrorConstants(2, 1, [rational(0), a]);
      expect(exact).toEqual({
        float32: { AT: false, G: false, BT: false },
        float64: { AT: true, G: false, BT: true },
      });
    });
  });
});
