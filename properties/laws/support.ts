/**
 * Shared machinery of the laws: the law case (a ConvCase plus a few small
 * integer parameters, so every law has the same shape and reports render its
 * problem), exact integer operands, and exact tensor equality.
 *
 * Laws run on integer data small enough that every partial sum stays below
 * 2^24: for any kernel that is exact on integers (direct, im2col, GEMM, and the
 * oracle) both sides of a law are then computed without rounding, and the law
 * holds bit for bit. A law that needs a tolerance says so.
 */
import fc from 'fast-check';
import { formatDescriptor } from '../../reference/descriptor.ts';
import { convGeometry } from '../../reference/geometry.ts';
import type { ConvKernel, ConvProblem } from '../../reference/problem.ts';
import { convCaseArbitrary } from '../arbitraries/convCase.ts';
import type { ConvProblemConstraints } from '../arbitraries/convProblem.ts';
import { currentPropertyConfig } from '../config.ts';
import { type ConvCase, EXACT_LIMIT, integerTensor } from '../data.ts';
import { referenceKernel } from '../kernels.ts';

/** A law's input: a case (its problem is what a report shows) and law-specific small integers. */
export interface LawCase extends ConvCase {
  params: number[];
}

/** Options every law accepts. */
export interface LawOptions {
  /** Problem limits, over the run configuration's with a quarter of its MAC budget (laws run kernels several times). */
  constraints?: ConvProblemConstraints;
}

/** A law as a property over law cases. */
export type LawProperty = fc.IAsyncPropertyWithHooks<[LawCase]>;

/**
 * Thrown when a law does not hold; the message names the law, the problem and the first difference.
 *
 * @example
 * ```ts
 * throw new LawViolation('linearity in the input: element 3 is 5 on the left and 4 on the right');
 * ```
 */
export class LawViolation extends Error {
  override readonly name = 'LawViolation';
}

/**
 * The default kernel of the laws: the float64 oracle.
 *
 * @example
 * ```ts
 * await fc.assert(flipLaw(oracleKernel));
 * ```
 */
export const oracleKernel: ConvKernel = referenceKernel('float64');

/**
 * The constraints a law generates problems with: the run configuration's with
 * a quarter of its MAC budget, then the caller's, then the law's own.
 *
 * @example
 * ```ts
 * lawConstraints(options, { allowGroups: false, kernelSizes: [1] });
 * ```
 */
export function lawConstraints(
  options: LawOptions | undefined,
  own: ConvProblemConstraints = {},
): ConvProblemConstraints {
  const config = currentPropertyConfig().problemConstraints;
  const base = { ...config, maxMacs: Math.floor((config.maxMacs ?? 40_000) / 4) };
  return { ...base, ...options?.constraints, ...own };
}

/**
 * Arbitrary of law cases: a problem, a seed and `count` integers in [min, max].
 *
 * @example
 * ```ts
 * lawCaseArbitrary(lawConstraints(options, { bias: false }), 2, -3, 3); // params = [α, β]
 * ```
 */
export function lawCaseArbitrary(
  constraints: ConvProblemConstraints,
  count = 0,
  min = 0,
  max = 0,
): fc.Arbitrary<LawCase> {
  return fc
    .tuple(
      convCaseArbitrary('exact', constraints),
      fc.array(fc.integer({ min, max }), { minLength: count, maxLength: count }),
    )
    .map(([c, params]) => ({ ...c, params }));
}

/**
 * The largest integer range R ≤ 16 for which `terms` products of values up to
 * `growth`·R times R stay below 2^24, so that no partial sum can round.
 *
 * @example
 * ```ts
 * safeRange(27);          // 16 (the cap)
 * safeRange(200_000, 6);  // 3: 200 000 · 6 · 3² < 2^24
 * ```
 */
export function safeRange(terms: number, growth = 1): number {
  return Math.max(1, Math.min(16, Math.floor(Math.sqrt((EXACT_LIMIT - 1) / (terms * growth)))));
}

/**
 * Integer operands of a problem, in [−range, range] (nonzero).
 *
 * @example
 * ```ts
 * const { input, weight, bias } = integerOperands(p, 7, safeRange(g.reductionLength + 1));
 * ```
 */
export function integerOperands(
  problem: ConvProblem,
  seed: number,
  range: number,
): { input: Float64Array; weight: Float64Array; bias?: Float64Array } {
  const g = convGeometry(problem);
  const input = integerTensor(g.inputLength, seed, range);
  const weight = integerTensor(g.weightLength, seed + 1, range);
  return problem.bias
    ? { input, weight, bias: integerTensor(g.outChannels, seed + 2, range * range) }
    : { input, weight };
}

function same(a: number, b: number): boolean {
  // ±0 are equal (summation order decides the sign of a zero); NaN equals NaN.
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Throws a {@link LawViolation} unless the two tensors are equal element for
 * element (±0 equal, NaN equal to NaN).
 *
 * @example
 * ```ts
 * assertSameTensor('linearity in x', problem, lhs, rhs);
 * ```
 */
export function assertSameTensor(
  law: string,
  problem: ConvProblem,
  lhs: ArrayLike<number>,
  rhs: ArrayLike<number>,
  mask?: ArrayLike<number>,
): void {
  if (lhs.length !== rhs.length) {
    throw new LawViolation(
      `${law}: sides have ${lhs.length} and ${rhs.length} elements on ${formatDescriptor(problem)}`,
    );
  }
  for (let i = 0; i < lhs.length; i++) {
    if (mask && mask[i] !== 1) continue;
    if (!same(lhs[i]!, rhs[i]!)) {
      throw new LawViolation(
        `${law}: element ${i} is ${lhs[i]} on the left and ${rhs[i]} on the right on ${formatDescriptor(problem)}`,
      );
    }
  }
}

/**
 * The geometry and integer operands of a law case, in a range safe for its
 * reduction (plus bias).
 *
 * @example
 * ```ts
 * const { g, input, weight, bias } = caseOperands(c);
 * ```
 */
export function caseOperands(c: LawCase) {
  const g = convGeometry(c.problem);
  return { g, ...integerOperands(c.problem, c.dataSeed, safeRange(g.reductionLength + 1)) };
}
