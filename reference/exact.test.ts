import { describe, expect, it } from 'vitest';
import { referenceConv } from './conv.ts';
import { exactConv, exactFraction, fractionToNumber } from './exact.ts';
import { convGeometry } from './geometry.ts';
import { mathjs } from './mathjs.ts';
import { seededRandom } from './random.ts';
import { convProblem } from './testing.ts';

const problems = [
  convProblem({
    inChannels: 3,
    outChannels: 2,
    inputSize: [5, 6],
    kernelSize: [3, 2],
    padBegin: [1, 0],
    padEnd: [0, 2],
    bias: true,
  }),
  convProblem({
    mode: 'convolution',
    inChannels: 4,
    outChannels: 4,
    groups: 2,
    inputSize: [7],
    kernelSize: [3],
    stride: [2],
    dilation: [2],
    padBegin: [2],
    padEnd: [1],
  }),
  convProblem({ batch: 2, inputSize: [3, 3, 4], kernelSize: [2, 2, 3], bias: true }),
];

describe('exactFraction / fractionToNumber', () => {
  it('converts doubles exactly, including 0.1 and subnormals', () => {
    expect(exactFraction(0.1).toFraction()).toBe('3602879701896397/36028797018963968');
    for (const v of [0.1, -1 / 3, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, 3]) {
      expect(fractionToNumber(exactFraction(v))).toBe(v);
    }
  });

  it('rounds a fraction to the nearest double, ties to even', () => {
    const one = exactFraction(1);
    const halfUlp = exactFraction(2 ** -53);
    expect(fractionToNumber(one.add(halfUlp))).toBe(1);
    expect(fractionToNumber(exactFraction(1 + 2 ** -52).add(halfUlp))).toBe(1 + 2 ** -51);
    expect(fractionToNumber(exactFraction(1).div(exactFraction(3)))).toBe(1 / 3);
  });

  it('refuses non-finite values', () => {
    expect(() => exactFraction(Number.NaN)).toThrow(/finite/);
  });
});

describe('exact mode certifies the float64 oracle', () => {
  problems.forEach((p, k) => {
    const g = convGeometry(p);
    const rnd = seededRandom(k + 1);

    it(`equals it bit for bit on integer data (${k})`, () => {
      const int = () => Math.round(rnd() * 20 - 10);
      const x = Array.from({ length: g.inputLength }, int);
      const w = Array.from({ length: g.weightLength }, int);
      const b = p.bias ? Array.from({ length: g.outChannels }, int) : undefined;
      expect(exactConv(p, x, w, b).map(fractionToNumber)).toEqual([...referenceConv(p, x, w, b)]);
    });

    it(`is within the float64 dot-product bound on real data (${k})`, () => {
      const real = () => rnd() * 2 - 1;
      const x = Array.from({ length: g.inputLength }, real);
      const w = Array.from({ length: g.weightLength }, real);
      const b = p.bias ? Array.from({ length: g.outChannels }, real) : undefined;
      const y = referenceConv(p, x, w, b);
      const magnitude = referenceConv(p, x.map(Math.abs), w.map(Math.abs), b?.map(Math.abs));
      const exact = exactConv(p, x, w, b).map(fractionToNumber);
      // Recursive summation of n terms: |fl − exact| ≤ γ_n·Σ|x·w| with γ_n ≈ n·2^−53.
      const n = g.reductionLength + 1;
      exact.forEach((e, i) => {
        expect(Math.abs(y[i]! - e)).toBeLessThanOrEqual(n * 2 ** -53 * magnitude[i]! * (1 + 1e-12));
      });
    });
  });
});

/**
 * Mutation-testing additions (formerly exact.mutation.test.ts):
 * Mutation-testing additions for exact.ts: rounding of fractions that are not
 * doubles (above half, exact ties, ties broken by a remainder beyond 64 bits),
 * signs, and the finite-input check.
 */
describe('mutation-testing additions', () => {
  const fraction = (n: bigint, d: bigint) => mathjs().fraction(n, d);
  const ULP1 = 2 ** -52;

  describe('fractionToNumber rounds to nearest, ties to even', () => {
    it('rounds a value 3/4 ulp above 1 up', () => {
      expect(fractionToNumber(fraction(4n * 2n ** 52n + 3n, 4n * 2n ** 52n))).toBe(1 + ULP1);
    });

    it('rounds a value 1/4 ulp above 1 down', () => {
      expect(fractionToNumber(fraction(4n * 2n ** 52n + 1n, 4n * 2n ** 52n))).toBe(1);
    });

    it('rounds an exact tie to the even neighbour', () => {
      // 1 + ulp/2 → 1 (even); 1 + 3·ulp/2 → 1 + 2·ulp (even).
      expect(fractionToNumber(fraction(2n ** 53n + 1n, 2n ** 53n))).toBe(1);
      expect(fractionToNumber(fraction(2n ** 53n + 3n, 2n ** 53n))).toBe(1 + 2 * ULP1);
    });

    it('rounds up a tie that a remainder beyond 64 bits puts above half', () => {
      // 1 + 2^−53 + 2^−200: the first 64 bits show an exact tie, the rest breaks it upwards.
      const d = 2n ** 200n;
      expect(fractionToNumber(fraction(d + 2n ** 147n + 1n, d))).toBe(1 + ULP1);
    });

    it('keeps the sign of negative values', () => {
      expect(fractionToNumber(fraction(-3n, 4n))).toBe(-0.75);
      expect(fractionToNumber(fraction(-(2n ** 53n) - 3n, 2n ** 53n))).toBe(-(1 + 2 * ULP1));
    });

    it('gives integers with a 53-bit mantissa exactly (exponent 0 of the mantissa)', () => {
      const big = 2 ** 52 + 12345;
      expect(fractionToNumber(exactFraction(big))).toBe(big);
      expect(exactFraction(big).toFraction()).toBe(String(big));
    });
  });

  describe('exactFraction', () => {
    it('refuses non-finite values, naming the value', () => {
      expect(() => exactFraction(Number.POSITIVE_INFINITY)).toThrow(
        new RangeError('exactFraction: value must be finite, got Infinity'),
      );
      expect(() => exactFraction(Number.NaN)).toThrow('got NaN');
    });
  });
});
