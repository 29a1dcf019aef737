/**
 * A deliberately broken pooling implementation, for the pooling laws.
 */

import { referenceConv } from '../../reference/conv.ts';
import { poolGeometry } from '../../reference/geometry.ts';
import { referencePool } from '../../reference/pool.ts';
import { depthwiseForPool } from '../laws/pooling.ts';
import type { PoolKernel } from '../pooling.ts';

/**
 * Average pooling as a depthwise convolution with the constant kernel 1/ΠK:
 * the textbook formula, right only when every tap of every window counts
 * (countIncludePad without ceil overhang). Elsewhere its divisor is too large.
 *
 * @example
 * ```ts
 * await fc.check(maxAtLeastAvgLaw(avgDividesByKernelVolume)); // fails
 * ```
 */
export const avgDividesByKernelVolume: PoolKernel = {
  name: 'broken:avgpool-divides-by-kernel-volume',
  pool(p, input) {
    if (p.op !== 'avgpool') return referencePool(p, input);
    const g = poolGeometry(p);
    const weight = new Float64Array(p.channels * g.kernelVolume).fill(1 / g.kernelVolume);
    return referenceConv(depthwiseForPool(p), input, weight);
  },
};
