import type { Fraction } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { fractionToNumber } from '../../reference/index.ts';
import { randomInteger, seededRandom } from '../../reference/random.ts';
import {
  defaultWinogradPoints,
  exactlyRepresentable,
  rational,
  type WinogradPoint,
  winogradTransforms,
} from './transforms.ts';

const random = seededRandom(0x5eed);

/** A random rational with numerator in [−50, 50] and denominator in [1, 12]. */
function randomRational(): Fraction {
  return rational(randomInteger(random, -50, 50), randomInteger(random, 1, 12));
}

function matVec(matrix: readonly Fraction[][], vector: readonly Fraction[]): Fraction[] {
  return matrix.map((row) => row.reduce((sum, a, j) => sum.add(a.mul(vector[j]!)), rational(0)));
}

function matMul(a: readonly Fraction[][], b: readonly Fraction[][]): Fraction[][] {
  return a.map((row) =>
    b[0]!.map((_, j) => row.reduce((sum, v, k) => sum.add(v.mul(b[k]![j]!)), rational(0))),
  );
}

function transpose(matrix: readonly Fraction[][]): Fraction[][] {
  return matrix[0]!.map((_, j) => matrix.map((row) => row[j]!));
}

function show(matrix: readonly Fraction[][]): string[][] {
  return matrix.map((row) => row.map((v) => v.toFraction()));
}

/** Aᵀ·[(G·g) ⊙ (Bᵀ·d)] for one tile, exactly. */
function winograd1d(m: number, r: number, d: Fraction[], g: Fraction[], points?: WinogradPoint[]) {
  const t = winogradTransforms(m, r, points);
  const u = matVec(t.G, g);
  const v = matVec(t.BT, d);
  return matVec(
    t.AT,
    u.map((x, i) => x.mul(v[i]!)),
  );
}

/** y[i] = Σ_k d[i+k]·g[k], exactly. */
function correlate1d(m: number, d: Fraction[], g: Fraction[]): Fraction[] {
  return Array.from({ length: m }, (_, i) =>
    g.reduce((sum, gk, k) => sum.add(d[i + k]!.mul(gk)), rational(0)),
  );
}

describe('winogradTransforms: exact 1-D identity on random rationals', () => {
  const cases: [number, number][] = [
    [2, 3],
    [4, 3],
    [6, 3],
    [2, 5],
    [3, 2],
    [4, 5],
    [1, 3],
    [3, 3],
    [2, 7],
    [5, 1],
  ];
  it.each(cases)('F(%i,%i): Aᵀ[(Gg) ⊙ (Bᵀd)] equals the correlation exactly', (m, r) => {
    for (let trial = 0; trial < 5; trial++) {
      const d = Array.from({ length: m + r - 1 }, randomRational);
      const g = Array.from({ length: r }, randomRational);
      const got = winograd1d(m, r, d, g);
      const want = correlate1d(m, d, g);
      expect(got.map((v) => v.toFraction())).toEqual(want.map((v) => v.toFraction()));
      expect(got.every((v, i) => v.equals(want[i]!))).toBe(true);
    }
  });

  it('holds for other points too: F(6,3) with 0, ±1, ±2, ±3, ∞ and F(2,3) without ∞', () => {
    const pm3: WinogradPoint[] = [0, 1, -1, 2, -2, 3, -3].map((v) => rational(v));
    const noInfinity: WinogradPoint[] = [0, 1, -1, 2].map((v) => rational(v));
    for (const [m, points] of [
      [6, [...pm3, 'inf']],
      [2, noInfinity],
    ] as const) {
      const d = Array.from({ length: m + 2 }, randomRational);
      const g = Array.from({ length: 3 }, randomRational);
      const got = winograd1d(m, 3, d, g, [...points]);
      const want = correlate1d(m, d, g);
      expect(got.every((v, i) => v.equals(want[i]!))).toBe(true);
    }
  });
});

describe('winogradTransforms: exact nested 2-D identity', () => {
  it.each([2, 4])('F(%i×%i,3×3): Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A equals the 2-D correlation', (m) => {
    const t = winogradTransforms(m, 3);
    const alpha = t.alpha;
    const d = Array.from({ length: alpha }, () => Array.from({ length: alpha }, randomRational));
    const g = Array.from({ length: 3 }, () => Array.from({ length: 3 }, randomRational));
    const U = matMul(matMul(t.G, g), transpose(t.G));
    const V = matMul(matMul(t.BT, d), transpose(t.BT));
    const M = U.map((row, i) => row.map((u, j) => u.mul(V[i]![j]!)));
    const Y = matMul(matMul(t.AT, M), transpose(t.AT));
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let want = rational(0);
        for (let a = 0; a < 3; a++) {
          for (let b = 0; b < 3; b++) want = want.add(d[i + a]![j + b]!.mul(g[a]![b]!));
        }
        expect(Y[i]![j]!.equals(want)).toBe(true);
      }
    }
  });
});

describe('winogradTransforms: points and published matrices', () => {
  it('uses Lavin & Gray points for F(2,3) and F(4,3), ±1/2 before ±3 for F(6,3)', () => {
    const text = (alpha: number) =>
      defaultWinogradPoints(alpha).map((p) => (p === 'inf' ? p : p.toFraction()));
    expect(text(4)).toEqual(['0', '1', '-1', 'inf']);
    expect(text(6)).toEqual(['0', '1', '-1', '2', '-2', 'inf']);
    expect(text(8)).toEqual(['0', '1', '-1', '2', '-2', '1/2', '-1/2', 'inf']);
    expect(text(10)).toEqual(['0', '1', '-1', '2', '-2', '1/2', '-1/2', '3', '-3', 'inf']);
  });

  it("reproduces Lavin & Gray's F(4,3) matrices (arXiv 1509.09308)", () => {
    const t = winogradTransforms(4, 3);
    expect(show(t.BT)).toEqual([
      ['4', '0', '-5', '0', '1', '0'],
      ['0', '-4', '-4', '1', '1', '0'],
      ['0', '4', '-4', '-1', '1', '0'],
      ['0', '-2', '-1', '2', '1', '0'],
      ['0', '2', '-1', '-2', '1', '0'],
      ['0', '4', '0', '-5', '0', '1'],
    ]);
    expect(show(t.G)).toEqual([
      ['1/4', '0', '0'],
      ['-1/6', '-1/6', '-1/6'],
      ['-1/6', '1/6', '-1/6'],
      ['1/24', '1/12', '1/6'],
      ['1/24', '-1/12', '1/6'],
      ['0', '0', '1'],
    ]);
    expect(show(t.AT)).toEqual([
      ['1', '1', '1', '1', '1', '0'],
      ['0', '1', '-1', '2', '-2', '0'],
      ['0', '1', '1', '4', '4', '0'],
      ['0', '1', '-1', '8', '-8', '1'],
    ]);
  });

  it("matches Lavin & Gray's F(2,3) up to the sign of the ∞ term (wincnn's convention)", () => {
    const t = winogradTransforms(2, 3);
    expect(show(t.G)).toEqual([
      ['1', '0', '0'],
      ['1/2', '1/2', '1/2'],
      ['1/2', '-1/2', '1/2'],
      ['0', '0', '1'],
    ]);
    // The paper's ∞ column of Aᵀ and ∞ row of Bᵀ are both negated; their product is the same.
    expect(show(t.AT)).toEqual([
      ['1', '1', '1', '0'],
      ['0', '1', '-1', '1'],
    ]);
    expect(show(t.BT)).toEqual([
      ['1', '0', '-1', '0'],
      ['0', '1', '1', '0'],
      ['0', '-1', '1', '0'],
      ['0', '-1', '0', '1'],
    ]);
  });

  it('gives correctly rounded doubles, row-major', () => {
    const t = winogradTransforms(6, 3);
    expect(t.Gf.length).toBe(8 * 3);
    t.G.forEach((row, i) => {
      row.forEach((v, j) => {
        expect(t.Gf[i * 3 + j]).toBe(fractionToNumber(v));
      });
    });
    expect(t.Gf[1 * 3]).toBe(-2 / 9);
    expect(t.BTf[0 * 8 + 2]).toBe(-21 / 4);
  });

  it('caches per (m, r, points)', () => {
    expect(winogradTransforms(4, 3)).toBe(winogradTransforms(4, 3));
    expect(winogradTransforms(4, 3)).not.toBe(winogradTransforms(3, 4));
  });

  it('rejects bad sizes and points, naming the field', () => {
    expect(() => winogradTransforms(0, 3)).toThrow(/m must be an integer/);
    expect(() => winogradTransforms(2, 3, [rational(0), 'inf'])).toThrow(/4 entries, got 2/);
    expect(() =>
      winogradTransforms(
        2,
        3,
        [0, 1, 1, 2].map((v) => rational(v)),
      ),
    ).toThrow(/points\[2\] = 1 repeats/);
    expect(() => winogradTransforms(2, 3, [rational(0), rational(1), 'inf', 'inf'])).toThrow(
      /'inf' may appear only once/,
    );
  });
});

/**
 * Mutation-testing additions (formerly transforms.mutation.test.ts):
 * Mutation-testing additions for transforms.ts: the size and point checks and their
 * messages, ∞ anywhere among the points, the sign convention f_0 > 0, the cache key,
 * and which matrices count as exactly representable.
 */
describe('mutation-testing additions', () => {
  const points = (...values: (number | 'inf')[]): WinogradPoint[] =>
    values.map((v) => (v === 'inf' ? v : rational(v)));
  const text = (matrix: readonly Fraction[][]) =>
    matrix.map((row) => row.map((v) => v.toFraction()));

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
      expect(text(winogradTransforms(2, 3, points(0, 1, 2, 'inf')).G)[0]).toEqual([
        '1/2',
        '0',
        '0',
      ]);
      expect(text(winogradTransforms(2, 3, points(0, 1, -2, 'inf')).G)[0]).toEqual([
        '1/2',
        '0',
        '0',
      ]);
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
});
