/**
 * The test-case arbitrary: a problem, a data kind and a data seed. The seed
 * shrinks toward 0 along with the problem, so a reported case is small in every
 * part; its tensors are a pure function of the three (see data.ts).
 */
import fc from 'fast-check';
import type { ConvCase, DataKind } from '../data.ts';
import { type ConvProblemConstraints, convProblemArbitrary } from './convProblem.ts';

/**
 * Arbitrary of {@link ConvCase}s of one data kind.
 *
 * @example
 * ```ts
 * fc.assert(fc.asyncProperty(convCaseArbitrary('exact', { dims: [2] }), async (c) => {
 *   const { input, weight, bias } = materializeConvCase(c, 'float32');
 *   // ...
 * }));
 * ```
 */
export function convCaseArbitrary(
  data: DataKind,
  constraints: ConvProblemConstraints = {},
): fc.Arbitrary<ConvCase> {
  return fc.record({
    problem: convProblemArbitrary(constraints),
    data: fc.constant(data),
    dataSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
}
