/**
 * The exact polynomial-product oracle against the direct-definition oracle:
 * bit for bit on integer data, over the property suite's random problems
 * (1-D to 3-D, groups, depthwise, stride, dilation, asymmetric and oversized
 * padding, both modes, bias). And the check must be able to fail.
 */
import { describe, expect, it } from 'vitest';
import { referenceConv } from '../../reference/conv.ts';
import type { ConvProblem } from '../../reference/problem.ts';
import { convProblem } from '../../reference/testing.ts';
import {
  assertAgreement,
  type ConvOracle,
  type CrossCheckCase,
  crossCheckOperands,
  findsDisagreement,
  firstMismatch,
  modeSwapped,
} from './compare.ts';
import { polynomialConv } from './polynomial.ts';

/** undefined when `oracle` equals the polynomial oracle exactly on the case's integer data. */
function exactDisagreement(oracle: ConvOracle, c: CrossCheckCase): string | undefined {
  const { input, weight, bias } = crossCheckOperands(c.problem, 'integer', c.dataSeed);
  return firstMismatch(
    oracle(c.problem, input, weight, bias),
    polynomialConv(c.problem, input, weight, bias),
    () => 0,
  );
}

const conv1d = (mode: ConvProblem['mode'], pad: [number, number]): ConvProblem =>
  convProblem({ mode, inputSize: [3], kernelSize: [2], padBegin: [pad[0]], padEnd: [pad[1]] });

describe('polynomialConv (exact, by polynomial multiplication)', () => {
  it('multiplies (1 + 2z + 3z²) by the kernel polynomial', () => {
    const x = Float64Array.of(1, 2, 3);
    const w = Float64Array.of(1, 10);
    // True convolution is the product (1 + 2z + 3z²)(1 + 10z) = 1 + 12z + 23z² + 30z³;
    // 'valid' keeps z¹ and z², padding 1 at both ends keeps every coefficient.
    expect([...polynomialConv(conv1d('convolution', [0, 0]), x, w)]).toEqual([12, 23]);
    expect([...polynomialConv(conv1d('convolution', [1, 1]), x, w)]).toEqual([1, 12, 23, 30]);
    // Cross-correlation multiplies by the reversed kernel 10 + z: 10 + 21z + 32z² + 3z³.
    expect([...polynomialConv(conv1d('cross-correlation', [0, 0]), x, w)]).toEqual([21, 32]);
  });

  it('agrees with referenceConv bit for bit on integer data', () => {
    assertAgreement((c) => exactDisagreement(referenceConv, c));
  });

  it('catches a wrong oracle (referenceConv with the mode swapped)', () => {
    const wrong = modeSwapped(referenceConv);
    expect(findsDisagreement((c) => exactDisagreement(wrong, c), { kernelSizes: [2, 3] })).toBe(
      true,
    );
  });

  it('refuses data it cannot sum exactly', () => {
    const p = conv1d('convolution', [0, 0]);
    expect(() => polynomialConv(p, Float64Array.of(1, 0.5, 3), Float64Array.of(1, 1))).toThrow(
      /input\[1\] = 0.5 is not an integer/,
    );
    expect(() => polynomialConv(p, Float64Array.of(2 ** 52, 1, 1), Float64Array.of(2, 1))).toThrow(
      /2\^53/,
    );
  });
});
