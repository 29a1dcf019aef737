/** Small builders shared by the reference tests. */
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
