/**
 * The FFT oracle against the direct-definition oracle: within the derived
 * bound on uniform data, and exactly (after rounding to integers) on integer
 * data. And the check must be able to fail.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceConv } from '../../reference/conv.ts';
import { gamma, unitRoundoff } from '../../reference/float.ts';
import {
  assertAgreement,
  type ConvOracle,
  type CrossCheckCase,
  crossCheckOperands,
  findsDisagreement,
  firstMismatch,
  modeSwapped,
  roundedToFloat32,
} from './compare.ts';
import { fft, fftConv } from './fft.ts';

const U = unitRoundoff('float64');

/**
 * undefined when `oracle` agrees with the FFT oracle on uniform data: the two
 * differ by at most the FFT's bound plus the other oracle's own rounding,
 * γ_n·(Σ|x·w| + |b|) for a float64 dot product of n = Cin/g·ΠK + 1 terms in
 * any order (Higham §3.1), with the magnitude bounded by fftConv's T + |b|.
 */
function boundedDisagreement(oracle: ConvOracle, c: CrossCheckCase): string | undefined {
  const { input, weight, bias } = crossCheckOperands(c.problem, 'uniform', c.dataSeed);
  const terms =
    (c.problem.inChannels / c.problem.groups) * c.problem.kernelSize.reduce((v, k) => v * k, 1) + 1;
  const gammaN = gamma(terms, U);
  const { output, bound, magnitude } = fftConv(c.problem, input, weight, bias);
  return firstMismatch(
    oracle(c.problem, input, weight, bias),
    output,
    (i) => bound[i]! + gammaN * magnitude[i]!,
  );
}

/** A naive O(N²) DFT, for checking the FFT itself. */
function naiveDft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const angle = (-2 * Math.PI * ((k * j) % n)) / n;
      outRe[k]! += re[j]! * Math.cos(angle) - im[j]! * Math.sin(angle);
      outIm[k]! += re[j]! * Math.sin(angle) + im[j]! * Math.cos(angle);
    }
  }
  return [outRe, outIm];
}

describe('fft (radix 2)', () => {
  it('matches a naive DFT and inverts back to the input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 256, maxLength: 256 }),
        (log2, values) => {
          const n = 2 ** log2;
          const re = Float64Array.from(values.slice(0, n));
          const im = Float64Array.from(values.slice(128, 128 + n));
          const [wantRe, wantIm] = naiveDft(re, im);
          const gotRe = re.slice();
          const gotIm = im.slice();
          fft(gotRe, gotIm, false);
          // Both transforms err by O(n·u·‖x‖₁); 1e-12 is far below any indexing or sign error.
          expect(firstMismatch(gotRe, wantRe, () => 1e-12)).toBeUndefined();
          expect(firstMismatch(gotIm, wantIm, () => 1e-12)).toBeUndefined();
          fft(gotRe, gotIm, true);
          const back = gotRe.map((v) => v / n);
          expect(firstMismatch(back, re, () => 1e-13)).toBeUndefined();
        },
      ),
    );
  });

  it('refuses a length that is not a power of two', () => {
    expect(() => fft(new Float64Array(6), new Float64Array(6), false)).toThrow(/power of two/);
  });
});

describe('fftConv (float64 FFT oracle)', () => {
  it('agrees with referenceConv within the derived bound on uniform data', () => {
    assertAgreement((c) => boundedDisagreement(referenceConv, c));
  });

  it('rounds to exactly referenceConv on integer data, its bound being below 1/2', () => {
    assertAgreement((c) => {
      const { input, weight, bias } = crossCheckOperands(c.problem, 'integer', c.dataSeed);
      const { output, bound } = fftConv(c.problem, input, weight, bias);
      const worst = Math.max(0, ...bound);
      if (worst >= 0.5) return `bound ${worst} ≥ 1/2: rounding would not be exact`;
      const rounded = output.map((v) => Math.round(v));
      return firstMismatch(rounded, referenceConv(c.problem, input, weight, bias), () => 0);
    });
  });

  it('catches a wrong oracle: referenceConv with the mode swapped', () => {
    const wrong = modeSwapped(referenceConv);
    expect(findsDisagreement((c) => boundedDisagreement(wrong, c), { kernelSizes: [2, 3] })).toBe(
      true,
    );
  });

  it('catches a wrong oracle: referenceConv rounded to float32 (the bound is tight enough)', () => {
    const wrong = roundedToFloat32(referenceConv);
    expect(findsDisagreement((c) => boundedDisagreement(wrong, c))).toBe(true);
  });
});
