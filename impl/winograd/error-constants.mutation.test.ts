/**
 * Mutation-testing additions for error-constants.ts: F(2, 3)'s constants read off
 * Lavin & Gray's matrices by hand, the unit roundoffs, the γ_n domain check, and
 * rounding counts and exactness for points chosen to tell the cases apart.
 */
import { describe, expect, it } from 'vitest';
import { unitRoundoff, winogradErrorConstants, winogradRoundingFactor } from './error-constants.ts';
import { rational } from './transforms.ts';

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
