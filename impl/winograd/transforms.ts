/**
 * Exact Toom-Cook transforms for Winograd minimal filtering F(m, r), derived from
 * interpolation points in rational arithmetic (mathjs BigInt Fractions), the way
 * wincnn (andravin/wincnn) derives them with sympy.
 *
 * Derivation. Linear convolution s = u * g of a length-m signal u and a length-r
 * filter g is the product of two polynomials; the product has α = m + r − 1
 * coefficients and is fixed by its values at α points. With E_k the α×k
 * evaluation matrix (row for a finite point a: [1, a, …, a^(k−1)]; row for ∞:
 * [0, …, 0, 1], the leading coefficient) and C = E_α⁻¹ the interpolation matrix,
 *
 *   s = C · [(E_r g) ⊙ (E_m u)].
 *
 * The transposition principle turns this into the correlation
 * y[i] = Σ_k d[i + k] g[k] of a length-α input d (Σ_j d_j s_j = Σ_i u_i y_i):
 *
 *   y = E_mᵀ · [(E_r g) ⊙ (Cᵀ d)],
 *
 * so Aᵀ = E_mᵀ, G = diag(1/f) · E_r and Bᵀ = diag(f) · Cᵀ. The diagonal f moves the
 * Lagrange denominators f_ξ = Π_{finite ζ≠ξ} (a_ξ − a_ζ) (1 for ∞) out of Bᵀ into
 * G, as wincnn does; like wincnn, f_0 is made positive. Any such scaling leaves
 * the product unchanged; this one keeps Bᵀ integer for integer points.
 */
import type { Fraction } from 'mathjs';
import { exactFraction, fractionToNumber } from '../../reference/index.ts';
import { mathjs } from '../../reference/mathjs.ts';

/** An interpolation point: a rational number or the point at infinity. */
export type WinogradPoint = Fraction | 'inf';

/** The transforms of F(m, r): exact, and as correctly rounded row-major doubles. */
export interface WinogradTransforms {
  /** Outputs per tile. */
  m: number;
  /** Filter taps. */
  r: number;
  /** Tile (input) length m + r − 1, the number of points and of multiplies. */
  alpha: number;
  points: WinogradPoint[];
  /** Output transform, m × α. */
  AT: Fraction[][];
  /** Filter transform, α × r. */
  G: Fraction[][];
  /** Input transform, α × α. */
  BT: Fraction[][];
  /** `AT` as doubles, row-major m × α. */
  ATf: Float64Array;
  /** `G` as doubles, row-major α × r. */
  Gf: Float64Array;
  /** `BT` as doubles, row-major α × α. */
  BTf: Float64Array;
}

/** Largest m and r accepted: beyond them the transforms are numerically useless. */
const MAX_SIZE = 32;

/**
 * Builds an exact rational from two integers.
 *
 * @example
 * ```ts
 * rational(1, 2).toFraction(); // '1/2'
 * ```
 */
export function rational(numerator: number | bigint, denominator: number | bigint = 1n): Fraction {
  const math = mathjs();
  const f = math.fraction(BigInt(numerator), BigInt(denominator));
  if (math.typeOf(f) !== 'Fraction') throw new Error('rational: mathjs returned a non-Fraction');
  return f;
}

// Made on first use: building a Fraction loads mathjs.
const zero = () => rational(0);
const one = () => rational(1);

/**
 * The default points for α = m + r − 1: the α − 1 finite points
 * 0, 1, −1, 2, −2, 1/2, −1/2, 3, −3, 1/3, −1/3, … followed by ∞. This gives
 * Lavin & Gray's F(2,3) (0, ±1, ∞) and F(4,3) (0, ±1, ±2, ∞), and for F(6,3) the
 * ±1/2 choice that NNPACK found about 100× more accurate than ±3.
 *
 * @example
 * ```ts
 * defaultWinogradPoints(4).map(String); // ['0', '1', '-1', 'inf']
 * ```
 */
export function defaultWinogradPoints(alpha: number): WinogradPoint[] {
  const finite: Fraction[] = [zero()];
  for (let k = 1; finite.length < alpha - 1; k++) {
    const candidates = [rational(k), rational(-k)];
    if (k > 1) candidates.push(rational(1, k), rational(-1, k));
    for (const c of candidates) if (finite.length < alpha - 1) finite.push(c);
  }
  return [...finite.slice(0, alpha - 1), 'inf'];
}

function checkSize(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > MAX_SIZE) {
    throw new RangeError(
      `winogradTransforms: ${name} must be an integer in [${min}, ${MAX_SIZE}], got ${value}`,
    );
  }
}

function checkPoints(points: readonly WinogradPoint[], alpha: number): void {
  if (points.length !== alpha) {
    throw new RangeError(
      `winogradTransforms: points must have α = m + r − 1 = ${alpha} entries, got ${points.length}`,
    );
  }
  let infinities = 0;
  points.forEach((p, i) => {
    if (p === 'inf') {
      infinities++;
      return;
    }
    if (mathjs().typeOf(p) !== 'Fraction') {
      throw new TypeError(`winogradTransforms: points[${i}] must be a Fraction or 'inf'`);
    }
    for (let j = 0; j < i; j++) {
      const q = points[j]!;
      if (q !== 'inf' && q.equals(p)) {
        throw new RangeError(`winogradTransforms: points[${i}] = ${p.toFraction()} repeats`);
      }
    }
  });
  if (infinities > 1) throw new RangeError("winogradTransforms: 'inf' may appear only once");
}

/** α × k evaluation matrix: row ξ holds the powers of point ξ, or e_(k−1) for ∞. */
function evaluationMatrix(points: readonly WinogradPoint[], k: number): Fraction[][] {
  return points.map((p) =>
    Array.from({ length: k }, (_, j) => {
      if (p === 'inf') return j === k - 1 ? one() : zero();
      return p.pow(j);
    }),
  );
}

/** Exact inverse by Gauss-Jordan elimination; throws when singular. */
function invert(matrix: readonly Fraction[][]): Fraction[][] {
  const n = matrix.length;
  const a = matrix.map((row, i) => [
    ...row,
    ...Array.from({ length: n }, (_, j) => (i === j ? one() : zero())),
  ]);
  for (let col = 0; col < n; col++) {
    const pivot = a.findIndex((row, i) => i >= col && !row[col]!.equals(zero()));
    if (pivot < 0) throw new RangeError('winogradTransforms: the points give a singular system');
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const pivotRow = a[col]!;
    const scale = pivotRow[col]!.inverse();
    for (let j = 0; j < 2 * n; j++) pivotRow[j] = pivotRow[j]!.mul(scale);
    for (let i = 0; i < n; i++) {
      const row = a[i]!;
      const factor = row[col]!;
      if (i === col || factor.equals(zero())) continue;
      for (let j = 0; j < 2 * n; j++) row[j] = row[j]!.sub(factor.mul(pivotRow[j]!));
    }
  }
  return a.map((row) => row.slice(n));
}

function transpose(matrix: readonly Fraction[][]): Fraction[][] {
  const cols = matrix[0]?.length ?? 0;
  return Array.from({ length: cols }, (_, j) => matrix.map((row) => row[j]!));
}

/** Lagrange denominators Π_{finite ζ≠ξ} (a_ξ − a_ζ), 1 for ∞, with f_0 > 0. */
function lagrangeScales(points: readonly WinogradPoint[]): Fraction[] {
  const f = points.map((p, i) => {
    if (p === 'inf') return one();
    let product = one();
    points.forEach((q, j) => {
      if (j !== i && q !== 'inf') product = product.mul(p.sub(q));
    });
    return product;
  });
  if (f[0]!.s < 0n) f[0] = f[0]!.neg();
  return f;
}

function toDoubles(matrix: readonly Fraction[][]): Float64Array {
  return Float64Array.from(matrix.flat(), fractionToNumber);
}

const cache = new Map<string, WinogradTransforms>();
/** The same transforms for the default points, by `m,r`. */
const defaultCache = new Map<string, WinogradTransforms>();

/**
 * The exact transforms Aᵀ (m×α), G (α×r), Bᵀ (α×α) of F(m, r), with
 * y = Aᵀ·[(G·g) ⊙ (Bᵀ·d)] the correlation y[i] = Σ_k d[i+k]·g[k] of a length-α
 * input d. Results are cached per (m, r, points); treat them as read-only.
 *
 * @param points α = m + r − 1 distinct points (Fractions, at most one 'inf');
 *   default {@link defaultWinogradPoints}.
 *
 * @example
 * ```ts
 * const t = winogradTransforms(2, 3);
 * t.BT.map((row) => row.map((f) => f.toFraction())); // [['1','0','-1','0'], …]
 * t.Gf; // Float64Array [1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1]
 * ```
 */
export function winogradTransforms(
  m: number,
  r: number,
  points?: readonly WinogradPoint[],
): WinogradTransforms {
  checkSize('m', m, 1);
  checkSize('r', r, 1);
  // Every plan asks for the default points' transforms: found without building the points
  // (mathjs Fractions), which cost ~30 µs per call, several times per convolution.
  const byDefault = points ? undefined : defaultCache.get(`${m},${r}`);
  if (byDefault) return byDefault;
  const alpha = m + r - 1;
  const chosen = points ? [...points] : defaultWinogradPoints(alpha);
  checkPoints(chosen, alpha);
  const key = `${m},${r}:${chosen.map((p) => (p === 'inf' ? p : p.toFraction())).join(',')}`;
  const cached = cache.get(key);
  if (cached) {
    if (!points) defaultCache.set(`${m},${r}`, cached);
    return cached;
  }

  const f = lagrangeScales(chosen);
  const interpolation = invert(evaluationMatrix(chosen, alpha));
  const AT = transpose(evaluationMatrix(chosen, m));
  const G = evaluationMatrix(chosen, r).map((row, xi) => row.map((v) => v.div(f[xi]!)));
  const BT = transpose(interpolation).map((row, xi) => row.map((v) => v.mul(f[xi]!)));
  const result: WinogradTransforms = {
    m,
    r,
    alpha,
    points: chosen,
    AT,
    G,
    BT,
    ATf: toDoubles(AT),
    Gf: toDoubles(G),
    BTf: toDoubles(BT),
  };
  cache.set(key, result);
  if (!points) defaultCache.set(`${m},${r}`, result);
  return result;
}

/**
 * Whether every entry of a matrix is exactly representable in the dtype, so that
 * storing it adds no rounding error.
 *
 * @example
 * ```ts
 * exactlyRepresentable(winogradTransforms(4, 3).G, 'float64'); // false: −1/6
 * ```
 */
export function exactlyRepresentable(
  matrix: readonly Fraction[][],
  dtype: 'float32' | 'float64',
): boolean {
  return matrix.every((row) =>
    row.every((v) => {
      const double = fractionToNumber(v);
      if (!exactFraction(double).equals(v)) return false;
      return dtype === 'float64' || Math.fround(double) === double;
    }),
  );
}
