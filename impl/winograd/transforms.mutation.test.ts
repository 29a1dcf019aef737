/**
 * Mutation-testing additions for transforms.ts: the size and point checks and their
 * messages, ∞ anywhere among the points, the sign convention f_0 > 0, the cache key,
 * and which matrices count as exactly representable.
 */
import type { Fraction } from 'mathjs';
import { describe, expect, it } from 'vitest';
import {
  exactlyRepresentable,
  rational,
  type WinogradPoint,
  winogradTransforms,
} from './transforms.ts';

const points = (...values: (number | 'inf')[]): WinogradPoint[] =>
  values.map((v) => (v === 'inf' ? v : rational(v)));
const text = (matrix: readonly Fraction[][]) => matrix.map((row) => row.map((v) => v.toFraction()));

describe('winogradTransforms checks', () => {
  it('accepts m and r up to 32 and names the one that is larger', () => {
    const sizeError = (name: string, value: number) =>
      new RangeError(`winogradTransforms: ${name} must be an integer in [1, 32], got ${value}`);
    // The sizes are checked before the points (whose count would be wrong too).
    expect(() => winogradTransforms(33, 1, [])).toThrow(sizeError('m', 33));
    expect(() => winogradTransforms(32, 33)).toThrow(sizeError('r', 33));
    expect(() => winogradTransforms(2, 0)).toThrow(sizeError('r', 0));
  });

  it('rejects a point that is neither a Fraction nor ∞, naming its index', () => {
    const bad = [rational(0), 1, rational(-1), 'inf'] as unknown as WinogradPoint[];
    expect(() => winogradTransforms(2, 3, bad)).toThrow(
      new TypeError("winogradTransforms: points[1] must be a Fraction or 'inf'"),
    );
  });
});

describe('winogradTransforms with chosen points', () => {
  it('takes ∞ in first place: F(2, 3) at ∞, 0, 1, −1 still correlates exactly', () => {
    const t = winogradTransforms(2, 3, points('inf', 0, 1, -1));
    const d = [3, -1, 4, 1].map((v) => rational(v));
    const g = [2, 7, -5].map((v) => rational(v));
    const dot = (row: readonly Fraction[], v: readonly Fraction[]) =>
      row.reduce((sum, a, j) => sum.add(a.mul(v[j]!)), rational(0));
    const product = t.G.map((row, xi) => dot(row, g).mul(dot(t.BT[xi]!, d)));
    const y = t.AT.map((row) => dot(row, product).toFraction());
    // y[i] = Σ_k d[i+k]·g[k]: 3·2 − 1·7 + 4·(−5) = −21 and −1·2 + 4·7 + 1·(−5) = 21.
    expect(y).toEqual(['-21', '21']);
  });

  it('makes f_0 = |Π_ζ (a_0 − a_ζ)|: G[0] = [1, a_0, a_0²] / |f_0| whatever its sign', () => {
    // 0, 1, 2: f_0 = (0 − 1)(0 − 2) = 2 > 0. 0, 1, −2: f_0 = (0 − 1)(0 + 2) = −2 < 0.
    expect(text(winogradTransforms(2, 3, points(0, 1, 2, 'inf')).G)[0]).toEqual(['1/2', '0', '0']);
    expect(text(winogradTransforms(2, 3, points(0, 1, -2, 'inf')).G)[0]).toEqual(['1/2', '0', '0']);
  });

  it('caches transforms per point set, not just per (m, r)', () => {
    const tiny = (n: number): WinogradPoint => rational(n, 10n ** 16n);
    const lists: WinogradPoint[][] = [
      // Lists whose strings would run together without a separator: 1|23 and 12|3.
      points(1, 23, 'inf'),
      points(12, 3, 'inf'),
      points(0, 5, 'inf'),
      // Points that agree to 15 decimals (what a Fraction's toString() prints).
      [rational(0), tiny(1), 'inf'],
      [rational(0), tiny(2), 'inf'],
    ];
    for (const chosen of lists) {
      expect(winogradTransforms(2, 2, chosen).points).toEqual(chosen);
    }
  });
});

describe('exactlyRepresentable', () => {
  it('needs every entry of every row to be exact', () => {
    expect(exactlyRepresentable([[rational(1), rational(1, 3)]], 'float64')).toBe(false);
    expect(exactlyRepresentable([[rational(1), rational(-3, 4)]], 'float64')).toBe(true);
  });

  it('finds 1/3 exact in neither precision', () => {
    expect(exactlyRepresentable([[rational(1, 3)]], 'float64')).toBe(false);
    expect(exactlyRepresentable([[rational(1, 3)]], 'float32')).toBe(false);
  });

  it('finds 1 + 2^-30 exact in float64 only (float32 keeps 24 bits)', () => {
    const matrix = [[rational(2 ** 30 + 1, 2 ** 30)]];
    expect(exactlyRepresentable(matrix, 'float64')).toBe(true);
    expect(exactlyRepresentable(matrix, 'float32')).toBe(false);
  });
});
