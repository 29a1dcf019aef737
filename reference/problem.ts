/**
 * The problem model: the public contract shared by the oracle, the kernels,
 * fixtures and reports. Field names are stable; do not rename them.
 *
 * Tensors are dense and row-major (C order):
 * - input:  [batch, inChannels, ...inputSize]
 * - weight: [outChannels, inChannels / groups, ...kernelSize]
 * - bias:   [outChannels]
 * - output: [batch, outChannels, ...outputSize]
 *
 * Spatial arrays have 1 to 3 entries: [W], [H, W] or [D, H, W].
 */

/**
 * 'cross-correlation' is what deep-learning frameworks call convolution:
 * y[o] = Σ x[o·s + k·d] w[k]. 'convolution' is the textbook (true) convolution:
 * the kernel is flipped in every spatial dimension, y[o] = Σ x[o·s + k·d] w[K−1−k].
 */
export type ConvMode = 'cross-correlation' | 'convolution';

/**
 * What the padded border of the input holds (reference/padding-mode.ts):
 * 'zeros' (the default), or PyTorch's `padding_mode` 'reflect' (mirror without
 * the edge; pad < size), 'replicate' (the edge element) and 'circular' (wrap
 * around; pad ≤ size).
 */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/**
 * One convolution layer, fully explicit: every pad is given at both ends.
 *
 * @example
 * ```ts
 * const p: ConvProblem = {
 *   mode: 'cross-correlation', batch: 1, inChannels: 3, outChannels: 8, groups: 1,
 *   inputSize: [32, 32], kernelSize: [5, 5], stride: [1, 1], dilation: [1, 1],
 *   padBegin: [0, 0], padEnd: [0, 0], bias: true,
 * };
 * ```
 */
export interface ConvProblem {
  mode: ConvMode;
  batch: number;
  inChannels: number;
  outChannels: number;
  groups: number;
  inputSize: number[];
  kernelSize: number[];
  stride: number[];
  dilation: number[];
  padBegin: number[];
  padEnd: number[];
  bias: boolean;
  /** What the padding holds; absent means 'zeros'. */
  paddingMode?: PaddingMode;
}

/** The pooling operators of the oracle. */
export type PoolOp = 'maxpool' | 'avgpool';

/**
 * One pooling layer. Input and output are [batch, channels, ...spatial].
 *
 * - `ceilMode`: output size uses ⌈⌉, but a window that would start inside the end
 *   padding is dropped (PyTorch and ONNX semantics).
 * - `countIncludePad`: average pooling divides by the window size including the
 *   explicit padding (never the extra ceil-mode overhang), instead of by the
 *   number of real input elements.
 *
 * @example
 * ```ts
 * const p: PoolProblem = {
 *   op: 'maxpool', batch: 1, channels: 64, inputSize: [55, 55], kernelSize: [3, 3],
 *   stride: [2, 2], dilation: [1, 1], padBegin: [0, 0], padEnd: [0, 0],
 *   ceilMode: false, countIncludePad: false,
 * };
 * ```
 */
export interface PoolProblem {
  op: PoolOp;
  batch: number;
  channels: number;
  inputSize: number[];
  kernelSize: number[];
  stride: number[];
  dilation: number[];
  padBegin: number[];
  padEnd: number[];
  ceilMode: boolean;
  countIncludePad: boolean;
}

import type { FloatDType } from './float.ts';
import type { HalfDType } from './float16.ts';
import type { ActivationLayout, WeightLayout } from './layout.ts';
import type { OpName } from './ops.ts';

/** Element type a kernel computes in. */
export type DType = FloatDType;

/** A typed array of either supported dtype. */
export type FloatArray = Float32Array | Float64Array;

/**
 * What a tap that lands in the padding contributes. 'zeros' (the default, and
 * the oracle's rule): it multiplies a real zero, so 0 · ±Inf = NaN there, as for
 * an explicitly zero-padded input. 'skip-taps': the tap is left out of the sum,
 * as many direct kernels do; a kernel must declare it to be judged so.
 */
export type PaddingRule = 'zeros' | 'skip-taps';

/**
 * The contract every kernel under test implements: built-in ones, third-party JS
 * modules (their default export) and, through the subprocess protocol, programs
 * in any language.
 *
 * @example
 * ```ts
 * const kernel: ConvKernel = {
 *   name: 'my-conv',
 *   dtype: 'float32',
 *   supports: (p) => (p.inputSize.length === 2 ? true : 'only 2-D'),
 *   conv: (p, input, weight, bias) => myConv2d(p, input, weight, bias),
 * };
 * ```
 */
export interface ConvKernel {
  /** Shown in reports. */
  name: string;
  /** Element type of every array passed and returned; default 'float32'. */
  dtype?: DType;
  /**
   * How padding taps are treated; default 'zeros'. A kernel that skips them
   * declares 'skip-taps' and is judged by that rule (reports say so).
   */
  padding?: PaddingRule;
  /**
   * Memory layout of the input and output; default 'nchw'. A channels-last
   * kernel ('nhwc': NWC, NHWC, NDHWC) gets its input, and returns its output,
   * in that order; the harness transposes at the call (reference/layout.ts).
   */
  layout?: ActivationLayout;
  /**
   * Memory layout of the weight; default 'oihw' ([O, I/groups, ...K]); 'ohwi',
   * 'hwio' or 'ihwo' (depthwise in TF and WebNN) as reference/layout.ts defines them.
   */
  weightLayout?: WeightLayout;
  /**
   * `true` when the kernel does not support non-finite data (NaN, ±Inf), as an
   * FFT cannot: one NaN spreads over its whole plane. The special-data phase is
   * then a skip with that reason rather than a failure. Default false.
   */
  finiteOnly?: boolean;
  /**
   * `true` when the problem is supported; otherwise the reason it is skipped.
   * `op` says which operation the problem is posed for (reference/ops.ts):
   * 'conv', or an op whose optional method below the kernel implements.
   */
  supports?(p: ConvProblem, op?: OpName): true | string;
  /**
   * Computes the output, [batch, outChannels, ...outputSize] row-major in the
   * declared `layout` (operands likewise in `layout` and `weightLayout`).
   * `bias` is given only when `p.bias` is true. Must not write into its inputs.
   */
  conv(
    p: ConvProblem,
    input: FloatArray,
    weight: FloatArray,
    bias?: FloatArray,
  ): FloatArray | Promise<FloatArray>;
  /**
   * Optional: transposed convolution (op 'convtranspose'). `p` is a
   * ConvTransposeProblem (reference/convTranspose.ts); weight [inChannels,
   * outChannels/groups, ...kernelSize]; returns [batch, outChannels, ...outputSize].
   */
  convTranspose?(
    p: ConvProblem & { outputPadding: number[] },
    input: FloatArray,
    weight: FloatArray,
    bias?: FloatArray,
  ): FloatArray | Promise<FloatArray>;
  /**
   * Optional: the gradient of conv `p` with respect to its input (op
   * 'conv-backward-data'): from outputGradient [batch, outChannels, ...outputSize]
   * and the weight, returns [batch, inChannels, ...inputSize].
   */
  convBackwardData?(
    p: ConvProblem,
    outputGradient: FloatArray,
    weight: FloatArray,
  ): FloatArray | Promise<FloatArray>;
  /**
   * Optional: the gradient of conv `p` with respect to its weight (op
   * 'conv-backward-weights'): from the input and outputGradient, returns
   * [outChannels, inChannels/groups, ...kernelSize].
   */
  convBackwardWeights?(
    p: ConvProblem,
    input: FloatArray,
    outputGradient: FloatArray,
  ): FloatArray | Promise<FloatArray>;
}

/**
 * A kernel that stores its tensors in 16 bits (float16 or bfloat16): the
 * ConvKernel contract with every operand and the output as a `Uint16Array` of
 * raw patterns, little-endian in memory like any typed array (reference/storage.ts
 * converts; reference/float16.ts rounds to nearest, ties to even).
 *
 * @example
 * ```ts
 * const kernel: HalfConvKernel = {
 *   name: 'my-f16-conv',
 *   dtype: 'float16',
 *   conv: (p, input, weight, bias) => myHalfConv(p, input, weight, bias),
 * };
 * ```
 */
export interface HalfConvKernel extends Omit<ConvKernel, 'dtype' | 'conv'> {
  dtype: HalfDType;
  conv(
    p: ConvProblem,
    input: Uint16Array,
    weight: Uint16Array,
    bias?: Uint16Array,
  ): Uint16Array | Promise<Uint16Array>;
}

/** Any kernel the hosts accept: float32/float64 ({@link ConvKernel}) or 16-bit storage. */
export type AnyConvKernel = ConvKernel | HalfConvKernel;
