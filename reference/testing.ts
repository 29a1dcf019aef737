/** The test helpers shared by every layer's tests: problem and operand builders, seeded data, errorOf. */
import { ProblemError } from './errors.ts';
import { convGeometry } from './geometry.ts';
import type { ConvProblem, PoolProblem } from './problem.ts';
import { randomInteger, seededRandom } from './random.ts';

/**
 * A ConvProblem with defaults for every field not given: 2-D, 1 channel,
 * stride 1, dilation 1, no padding, no bias, cross-correlation.
 *
 * @example
 * ```ts
 * convProblem({ inputSize: [5, 5], kernelSize: [3, 3] });
 * ```
 */
export function convProblem(
  over: Partial<ConvProblem> & Pick<ConvProblem, 'inputSize' | 'kernelSize'>,
): ConvProblem {
  const rank = over.inputSize.length;
  const ones = new Array<number>(rank).fill(1);
  const zeros = new Array<number>(rank).fill(0);
  return {
    mode: 'cross-correlation',
    batch: 1,
    inChannels: 1,
    outChannels: 1,
    groups: 1,
    stride: ones,
    dilation: ones,
    padBegin: zeros,
    padEnd: zeros,
    bias: false,
    ...over,
  };
}

/**
 * A PoolProblem with defaults: 1 channel, stride = kernel, dilation 1, no
 * padding, floor mode, countIncludePad false.
 *
 * @example
 * ```ts
 * poolProblem({ op: 'maxpool', inputSize: [6], kernelSize: [3] });
 * ```
 */
export function poolProblem(
  over: Partial<PoolProblem> & Pick<PoolProblem, 'op' | 'inputSize' | 'kernelSize'>,
): PoolProblem {
  const rank = over.inputSize.length;
  return {
    batch: 1,
    channels: 1,
    stride: [...over.kernelSize],
    dilation: new Array<number>(rank).fill(1),
    padBegin: new Array<number>(rank).fill(0),
    padEnd: new Array<number>(rank).fill(0),
    ceilMode: false,
    countIncludePad: false,
    ...over,
  };
}

/**
 * `length` seeded integers in [−max, max] (mulberry32), for tests that need
 * exact sums: with small `max` every partial sum stays far below 2^24.
 *
 * @example
 * ```ts
 * integerData(6, 7); // six integers in [−8, 8], the same on every run
 * ```
 */
export function integerData(length: number, seed: number, max = 8): number[] {
  const random = seededRandom(seed);
  return Array.from({ length }, () => randomInteger(random, -max, max));
}

/**
 * `length` seeded reals uniform in [−1, 1) (mulberry32).
 *
 * @example
 * ```ts
 * Float32Array.from(uniformData(6, 7));
 * ```
 */
export function uniformData(length: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length }, () => 2 * random() - 1);
}

/** The operands of one test case: input, weight and (when the problem has one) bias. */
export interface TestOperands<T extends Float32Array | Float64Array = Float32Array> {
  x: T;
  w: T;
  b: T | undefined;
}

/**
 * The one operand builder of the tests: input, weight and bias of `p`'s shapes,
 * each element drawn from `draw` (in that order), in a typed array of `Type`.
 *
 * @example
 * ```ts
 * const random = seededRandom(7);
 * const { x, w, b } = testOperands(p, () => randomInteger(random, -8, 8));
 * ```
 */
export function testOperands<T extends Float32Array | Float64Array = Float32Array>(
  p: ConvProblem,
  draw: () => number,
  Type: { from(values: Iterable<number>): T } = Float32Array as unknown as {
    from(values: Iterable<number>): T;
  },
): TestOperands<T> {
  const g = convGeometry(p);
  const fill = (length: number) => Type.from(Array.from({ length }, draw));
  return {
    x: fill(g.inputLength),
    w: fill(g.weightLength),
    b: p.bias ? fill(g.outChannels) : undefined,
  };
}

/**
 * The ProblemError `f` throws; fails the test when it throws nothing or another error.
 *
 * @example
 * ```ts
 * expect(errorOf(() => convGeometry(bad)).field).toBe('ConvProblem.stride[0]');
 * ```
 */
export function errorOf(f: () => unknown): ProblemError {
  try {
    f();
  } catch (e) {
    if (e instanceof ProblemError) return e;
    throw e;
  }
  throw new Error('expected a ProblemError');
}
