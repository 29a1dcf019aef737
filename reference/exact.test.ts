import { describe, expect, it } from 'vitest';
import { referenceConv } from './conv.ts';
import { exactConv, exactFraction, fractionToNumber } from './exact.ts';
import { convGeometry } from './geometry.ts';
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
