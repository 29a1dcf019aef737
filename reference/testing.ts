/** The test helpers shared by every layer's tests: problem and operand builders, seeded data, errorOf. */
import fc from 'fast-check';
import { ProblemError } from './errors.ts';
import { convGeometry } from './geometry.ts';
import type { ConvMode, ConvProblem, PoolProblem } from './problem.ts';
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

/** Limits of {@link smallConvProblemArbitrary}. */
export interface SmallConvProblemConstraints {
  /** Modes to draw from. Default both. */
  modes?: readonly ConvMode[];
  /** Largest input beyond the smallest the window needs. Default 3. */
  maxSlack?: number;
  /** Largest input and output channel count per group. Default 3. */
  maxChannelsPerGroup?: number;
}

/**
 * Small valid problems for exact-arithmetic tests: 1-D or 2-D, batch, groups,
 * stride, dilation and asymmetric padding up to 2, kernels up to 3.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(smallConvProblemArbitrary({ modes: ['cross-correlation'] }), (p) => { ... }));
 * ```
 */
export function smallConvProblemArbitrary(
  constraints: SmallConvProblemConstraints = {},
): fc.Arbitrary<ConvProblem> {
  const perGroup = constraints.maxChannelsPerGroup ?? 3;
  return fc
    .record({
      rank: fc.integer({ min: 1, max: 2 }),
      batch: fc.integer({ min: 1, max: 2 }),
      groups: fc.integer({ min: 1, max: 2 }),
      cig: fc.integer({ min: 1, max: perGroup }),
      cog: fc.integer({ min: 1, max: perGroup }),
      k: fc.integer({ min: 1, max: 3 }),
      s: fc.integer({ min: 1, max: 2 }),
      d: fc.integer({ min: 1, max: 2 }),
      pb: fc.integer({ min: 0, max: 2 }),
      pe: fc.integer({ min: 0, max: 2 }),
      slack: fc.integer({ min: 0, max: constraints.maxSlack ?? 3 }),
      mode: fc.constantFrom(...(constraints.modes ?? ['cross-correlation', 'convolution'])),
    })
    .map((r) => {
      const span = r.d * (r.k - 1) + 1;
      const axes = (v: number) => new Array<number>(r.rank).fill(v);
      return convProblem({
        mode: r.mode,
        batch: r.batch,
        groups: r.groups,
        inChannels: r.groups * r.cig,
        outChannels: r.groups * r.cog,
        inputSize: axes(Math.max(1, span - r.pb - r.pe) + r.slack),
        kernelSize: axes(r.k),
        stride: axes(r.s),
        dilation: axes(r.d),
        padBegin: axes(r.pb),
        padEnd: axes(r.pe),
      });
    });
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
