/**
 * A direct-loop convolution with hooks, written like the loops of a real
 * kernel: one hook per decision where real kernels go wrong (which input
 * coordinate a tap reads, which weight tap, which input channel, how products
 * are summed, which outputs are computed). The deliberately broken kernels and
 * the correct-but-different ones each override one hook with one line.
 *
 * Products are rounded to the dtype and zero-padding taps are skipped, as an
 * optimized kernel does; under a reflect, replicate or circular paddingMode a
 * padded coordinate reads the input element the mode names, so every kernel
 * built here is checked on those modes too.
 */
import { type ConvGeometry, convGeometry, lift3 } from '../../reference/geometry.ts';
import { paddedIndex } from '../../reference/padding-mode.ts';
import type { ConvKernel, ConvProblem, DType, FloatArray } from '../../reference/problem.ts';

/** The decisions a direct kernel makes; each defaults to the correct one. */
export interface DirectKernelHooks {
  /** Output extents [D, H, W]; default the geometry's. */
  outputSize?(g: ConvGeometry): [number, number, number];
  /** Input coordinate read by tap k of output o along axis a (0..2 of [D, H, W]). */
  inputCoordinate?(g: ConvGeometry, axis: number, o: number, k: number): number;
  /** Weight index of tap k along axis a (the flip of true convolution lives here). */
  weightTap?(g: ConvGeometry, axis: number, k: number): number;
  /** Input channel read by the ci-th channel of output channel oc's group. */
  inputChannel?(g: ConvGeometry, oc: number, ci: number): number;
  /** Sums the products (already rounded to the dtype) and adds the bias. */
  reduce?(
    products: Float64Array,
    count: number,
    bias: number | undefined,
    round: (v: number) => number,
  ): number;
  /** Whether the output at [d, h, w] is computed at all (else it stays 0). */
  computes?(g: ConvGeometry, spatial: [number, number, number]): boolean;
  /** Applied to each finished output (a fused activation, say). */
  finish?(value: number): number;
}

/** Axis a of [D, H, W] in the geometry's own arrays (which have rank entries). */
function geometryAxis(g: ConvGeometry, axis: number): number {
  return axis - (3 - g.rank);
}

function get(values: readonly number[], g: ConvGeometry, axis: number, fill: number): number {
  const i = geometryAxis(g, axis);
  return i < 0 ? fill : values[i]!;
}

/**
 * The correct input coordinate: o·S − Pb + k·D.
 *
 * @example
 * ```ts
 * defaultInputCoordinate(convGeometry(p), 2, o, k); // W coordinate of tap k of output o
 * ```
 */
export function defaultInputCoordinate(
  g: ConvGeometry,
  axis: number,
  o: number,
  k: number,
): number {
  return (
    o * get(g.stride, g, axis, 1) - get(g.padBegin, g, axis, 0) + k * get(g.dilation, g, axis, 1)
  );
}

/**
 * The correct weight tap: k, or K − 1 − k when the kernel is flipped.
 *
 * @example
 * ```ts
 * defaultWeightTap(g, 2, 0); // K − 1 for true convolution, 0 for cross-correlation
 * ```
 */
export function defaultWeightTap(g: ConvGeometry, axis: number, k: number): number {
  return g.flipKernel ? get(g.kernelSize, g, axis, 1) - 1 - k : k;
}

/**
 * Sequential summation in the dtype, bias last: what a plain loop does.
 *
 * @example
 * ```ts
 * sequentialReduce(Float64Array.of(1, 2, 3), 3, 0.5, Math.fround); // 6.5
 * ```
 */
export function sequentialReduce(
  products: Float64Array,
  count: number,
  bias: number | undefined,
  round: (v: number) => number,
): number {
  let acc = 0;
  for (let i = 0; i < count; i++) acc = round(acc + products[i]!);
  return bias === undefined ? acc : round(acc + bias);
}

function rounder(dtype: DType): (v: number) => number {
  return dtype === 'float32' ? Math.fround : (v) => v;
}

function directConv(
  p: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  dtype: DType,
  hooks: DirectKernelHooks,
): FloatArray {
  const g = convGeometry(p);
  const round = rounder(dtype);
  const inSize = lift3(g.inputSize, 1);
  const kSize = lift3(g.kernelSize, 1);
  const outSize = hooks.outputSize?.(g) ?? lift3(g.outputSize, 1);
  const coordinate = hooks.inputCoordinate ?? defaultInputCoordinate;
  const tap = hooks.weightTap ?? defaultWeightTap;
  const channel =
    hooks.inputChannel ??
    ((gg, oc, ci) => Math.floor(oc / gg.outChannelsPerGroup) * gg.inChannelsPerGroup + ci);
  const reduce = hooks.reduce ?? sequentialReduce;
  const mode = p.paddingMode ?? 'zeros';
  // −1 for a coordinate outside the input (a hook may compute one no mode maps back in).
  const read = (c: number, size: number) => {
    const i = paddedIndex(mode, c, size);
    return i >= 0 && i < size ? i : -1;
  };
  const cig = g.inChannelsPerGroup;
  const out =
    dtype === 'float32'
      ? new Float32Array(g.batch * g.outChannels * outSize[0] * outSize[1] * outSize[2])
      : new Float64Array(g.batch * g.outChannels * outSize[0] * outSize[1] * outSize[2]);
  const products = new Float64Array(g.reductionLength);
  let index = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oc = 0; oc < g.outChannels; oc++) {
      for (let od = 0; od < outSize[0]; od++) {
        for (let oh = 0; oh < outSize[1]; oh++) {
          for (let ow = 0; ow < outSize[2]; ow++, index++) {
            if (hooks.computes && !hooks.computes(g, [od, oh, ow])) continue;
            let count = 0;
            for (let ci = 0; ci < cig; ci++) {
              const c = channel(g, oc, ci);
              for (let kd = 0; kd < kSize[0]; kd++) {
                const d = read(coordinate(g, 0, od, kd), inSize[0]!);
                if (d < 0) continue;
                for (let kh = 0; kh < kSize[1]; kh++) {
                  const h = read(coordinate(g, 1, oh, kh), inSize[1]!);
                  if (h < 0) continue;
                  for (let kw = 0; kw < kSize[2]; kw++) {
                    const w = read(coordinate(g, 2, ow, kw), inSize[2]!);
                    if (w < 0) continue;
                    const x =
                      input[
                        (((n * g.inChannels + c) * inSize[0] + d) * inSize[1] + h) * inSize[2] + w
                      ]!;
                    const wi =
                      (((oc * cig + ci) * kSize[0] + tap(g, 0, kd)) * kSize[1] + tap(g, 1, kh)) *
                        kSize[2] +
                      tap(g, 2, kw);
                    products[count++] = round(x * weight[wi]!);
                  }
                }
              }
            }
            const value = reduce(products, count, bias?.[oc], round);
            out[index] = hooks.finish ? hooks.finish(value) : value;
          }
        }
      }
    }
  }
  return out;
}

/**
 * A direct-loop kernel with the given hooks (all correct by default).
 *
 * @example
 * ```ts
 * // The classic: true convolution computed without flipping the kernel.
 * const flipMissing = directKernel('flip-missing', { weightTap: (_g, _axis, k) => k });
 * ```
 */
export function directKernel(
  name: string,
  hooks: DirectKernelHooks = {},
  dtype: DType = 'float32',
): ConvKernel {
  return {
    name,
    dtype,
    // It skips padding taps (as optimized kernels do) and declares it.
    padding: 'skip-taps',
    conv: (p, input, weight, bias) => directConv(p, input, weight, bias, dtype, hooks),
  };
}
