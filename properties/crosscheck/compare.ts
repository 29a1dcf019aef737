/**
 * Support of the oracle cross-checks: operands for a problem (integer or
 * uniform data), the oracle signature, a deliberately wrong oracle, and the
 * element-wise comparison with a tolerance.
 */
import fc from 'fast-check';
import type { ConvProblem } from '../../reference/problem.ts';
import { type ConvProblemConstraints, convProblemArbitrary } from '../arbitraries/convProblem.ts';
import { integerTensor, uniformTensor } from '../data.ts';

/** Any convolution oracle: the problem and operands in, the float64 output out. */
export type ConvOracle = (
  p: ConvProblem,
  input: Float64Array,
  weight: Float64Array,
  bias?: Float64Array,
) => Float64Array;

/** The operands of one cross-check case. */
export interface CrossCheckOperands {
  input: Float64Array;
  weight: Float64Array;
  bias?: Float64Array;
}

/** One generated case: a problem and the seed of its data. */
export interface CrossCheckCase {
  problem: ConvProblem;
  dataSeed: number;
}

/** Problem limits of the cross-checks: small enough for a schoolbook product in milliseconds. */
export const CROSSCHECK_CONSTRAINTS: ConvProblemConstraints = {
  maxMacs: 20_000,
  largePlanes: false,
  // The FFT and polynomial embeddings pad with zeros; torch's agreement under
  // the other modes is tested per mode (torch-crosscheck.test.ts).
  paddingModes: ['zeros'],
};

/**
 * Cases of valid problems (the property suite's arbitrary) with a data seed.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(crossCheckCaseArbitrary(), (c) => check(c)));
 * ```
 */
export function crossCheckCaseArbitrary(
  constraints: ConvProblemConstraints = {},
): fc.Arbitrary<CrossCheckCase> {
  return fc.record({
    problem: convProblemArbitrary({ ...CROSSCHECK_CONSTRAINTS, ...constraints }),
    dataSeed: fc.noShrink(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
  });
}

/** Tensor lengths of a problem, counted here rather than taken from reference/. */
export function operandLengths(p: ConvProblem): { input: number; weight: number } {
  const volume = (a: readonly number[]) => a.reduce((v, n) => v * n, 1);
  return {
    input: p.batch * p.inChannels * volume(p.inputSize),
    weight: p.outChannels * (p.inChannels / p.groups) * volume(p.kernelSize),
  };
}

/**
 * The operands of a case: 'integer' data are nonzero integers in [−range, range]
 * (bias up to range²), 'uniform' data are uniform in [−1, 1].
 *
 * @example
 * ```ts
 * const { input, weight, bias } = crossCheckOperands(p, 'integer', 7);
 * ```
 */
export function crossCheckOperands(
  p: ConvProblem,
  kind: 'integer' | 'uniform',
  seed: number,
  range = 32,
): CrossCheckOperands {
  const lengths = operandLengths(p);
  const tensor = (length: number, stream: number, r: number) =>
    kind === 'integer'
      ? integerTensor(length, seed + stream, r)
      : uniformTensor(length, seed + stream);
  const input = tensor(lengths.input, 0, range);
  const weight = tensor(lengths.weight, 1, range);
  return p.bias
    ? { input, weight, bias: tensor(p.outChannels, 2, range * range) }
    : { input, weight };
}

/**
 * A deliberately wrong oracle: `oracle` with the mode swapped (the kernel
 * flipped where it must not be, and not where it must).
 *
 * @example
 * ```ts
 * const wrong = modeSwapped(referenceConv);
 * ```
 */
export function modeSwapped(oracle: ConvOracle): ConvOracle {
  return (p, x, w, b) =>
    oracle({ ...p, mode: p.mode === 'convolution' ? 'cross-correlation' : 'convolution' }, x, w, b);
}

/**
 * Another wrong oracle: `oracle` rounded to float32 (a float32 accumulator
 * pretending to be float64). Only a tolerance tight enough to be useful catches it.
 *
 * @example
 * ```ts
 * const wrong = roundedToFloat32(referenceConv);
 * ```
 */
export function roundedToFloat32(oracle: ConvOracle): ConvOracle {
  return (p, x, w, b) => Float64Array.from(oracle(p, x, w, b), Math.fround);
}

/**
 * The first element where |got − want| > tolerance(i), or a length mismatch,
 * described in one line; undefined when they agree.
 *
 * @example
 * ```ts
 * firstMismatch(a, b, () => 0); // undefined when a and b are equal element for element
 * ```
 */
export function firstMismatch(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tolerance: (index: number) => number,
): string | undefined {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    const error = Math.abs(got[i]! - want[i]!);
    // `!(error <= t)` also catches a NaN on either side.
    if (!(error <= tolerance(i))) {
      return `element ${i}: ${got[i]} vs ${want[i]} (|Δ| = ${error}, tolerance ${tolerance(i)})`;
    }
  }
  return undefined;
}

/**
 * Whether `disagreement` reports something on at least one generated case
 * (stopping at the first, without shrinking): how a test shows that a
 * cross-check can fail when fed a wrong oracle.
 *
 * @example
 * ```ts
 * expect(findsDisagreement((c) => check(modeSwapped(referenceConv), c), { kernelSizes: [2, 3] })).toBe(true);
 * ```
 */
export function findsDisagreement(
  disagreement: (c: CrossCheckCase) => string | undefined,
  constraints: ConvProblemConstraints = {},
): boolean {
  const details = fc.check(
    fc.property(crossCheckCaseArbitrary(constraints), (c) => disagreement(c) === undefined),
    { endOnFailure: true },
  );
  return details.failed;
}

/**
 * Asserts (fast-check, with the run's seed and runs) that `disagreement`
 * reports nothing on any generated case; a report becomes the counterexample.
 *
 * @example
 * ```ts
 * assertAgreement((c) => check(referenceConv, c));
 * ```
 */
export function assertAgreement(
  disagreement: (c: CrossCheckCase) => string | undefined,
  constraints: ConvProblemConstraints = {},
): void {
  fc.assert(
    fc.property(crossCheckCaseArbitrary(constraints), (c) => {
      const mismatch = disagreement(c);
      if (mismatch !== undefined) throw new Error(mismatch);
    }),
  );
}
