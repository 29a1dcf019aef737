/**
 * convcheck: a conformance harness for convolution kernels.
 *
 * @example
 * ```ts
 * import type { ConvProblem, PoolProblem, ConvKernel } from 'convcheck';
 * import { referenceConv, convGeometry } from 'convcheck';
 * ```
 */
export * from './reference/index.ts';
