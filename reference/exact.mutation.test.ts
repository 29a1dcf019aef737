/**
 * Mutation-testing additions for exact.ts: rounding of fractions that are not
 * doubles (above half, exact ties, ties broken by a remainder beyond 64 bits),
 * signs, and the finite-input check.
 */
import { describe, expect, it } from 'vitest';
import { exactFraction, fractionToNumber } from './exact.ts';
import { mathjs } from './mathjs.ts';

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
