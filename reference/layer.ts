/**
 * Whole-layer counts read from the geometry record: parameters, MACs, FLOPs and
 * the receptive field through a stack of layers.
 */

import { effectiveKernel } from './formulas.ts';
import type { ConvGeometry } from './geometry.ts';

/**
 * Learnable parameters of a convolution: ΠK · (C_in / groups) · C_out weights,
 * plus C_out biases when the layer has a bias.
 *
 * @example
 * ```ts
 * parameterCount(convGeometry(p3x3from128to64)); // 73728 without bias
 * ```
 */
export function parameterCount(g: ConvGeometry): number {
  return g.weightLength + g.biasLength;
}

/**
 * Multiply-accumulates of a convolution: N · C_out · ΠO · (C_in / groups) · ΠK.
 *
 * @example
 * ```ts
 * macs(convGeometry(p)); // e.g. 105415200 for AlexNet conv1
 * ```
 */
export function macs(g: ConvGeometry): number {
  return g.batch * g.outChannels * g.outputVolume * g.reductionLength;
}

/**
 * FLOPs as benchmarks count them: 2 · MACs (bias additions not counted).
 *
 * @example
 * ```ts
 * flops(convGeometry(p)) === 2 * macs(convGeometry(p)); // true
 * ```
 */
export function flops(g: ConvGeometry): number {
  return 2 * macs(g);
}

/** One layer's contribution to the receptive field along one dimension. */
export interface ReceptiveLayer {
  kernel: number;
  stride: number;
  dilation: number;
  padBegin: number;
}

/** Receptive field of one output along one dimension, in input coordinates. */
export interface ReceptiveField {
  /** Number of input positions one output sees. */
  size: number;
  /** Distance in input positions between neighbouring outputs. */
  jump: number;
  /** Input position of the first tap of output 0 (negative inside the padding). */
  start: number;
}

/**
 * The receptive field after a stack of layers along one dimension:
 * size_l = size_{l−1} + (D(K−1)+1 − 1)·jump_{l−1}, jump_l = jump_{l−1}·S,
 * start_l = start_{l−1} − Pb·jump_{l−1}.
 *
 * @example
 * ```ts
 * // The seed's example: a 3×3 conv at stride 1, then a 2×2 pool at stride 1.
 * receptiveField([{ kernel: 3, stride: 1, dilation: 1, padBegin: 0 },
 *                 { kernel: 2, stride: 1, dilation: 1, padBegin: 0 }]).size; // 4
 * ```
 */
export function receptiveField(layers: readonly ReceptiveLayer[]): ReceptiveField {
  let size = 1;
  let jump = 1;
  let start = 0;
  for (const layer of layers) {
    size += (effectiveKernel(layer.kernel, layer.dilation) - 1) * jump;
    start -= layer.padBegin * jump;
    jump *= layer.stride;
  }
  return { size, jump, start };
}
