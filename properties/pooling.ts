/**
 * Pooling implementations as the laws see them: a small interface like
 * ConvKernel, and the oracle wrapped in it.
 */
import { referencePool } from '../reference/pool.ts';
import type { FloatArray, PoolProblem } from '../reference/problem.ts';

/** A pooling implementation (float64 in and out). */
export interface PoolKernel {
  name: string;
  pool(p: PoolProblem, input: Float64Array): FloatArray | Promise<FloatArray>;
}

/**
 * The pooling oracle as a {@link PoolKernel}.
 *
 * @example
 * ```ts
 * await referencePoolKernel.pool(p, x); // = referencePool(p, x)
 * ```
 */
export const referencePoolKernel: PoolKernel = {
  name: 'reference-pool',
  pool: (p, input) => referencePool(p, input),
};
