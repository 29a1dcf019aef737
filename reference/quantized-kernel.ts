/**
 * The kernel contract of the quantized operators (ONNX ConvInteger and QLinearConv):
 * what a kernel under test implements, beside ConvKernel's `conv`. Semantics and
 * operand layouts are those of referenceConvInteger and referenceQLinearConv
 * (reference/quantized.ts; docs/kernel-contract.md, "Quantized operators").
 */
import type { ConvProblem } from './problem.ts';
import type {
  PerChannel,
  QLinearConvParameters,
  QuantizedArray,
  QuantizedDType,
} from './quantized.ts';

/** The quantized operators, by their names in `--ops` and the protocol. */
export type QuantizedOp = 'conv-integer' | 'qlinear-conv';

/** Every quantized operator. */
export const QUANTIZED_OPS: readonly QuantizedOp[] = ['conv-integer', 'qlinear-conv'];

/**
 * What a quantized case asks of a kernel, for `supportsQuantized`: the operator,
 * the problem and the types and granularity of the quantization parameters.
 */
export interface QuantizedSignature {
  op: QuantizedOp;
  problem: ConvProblem;
  xType: QuantizedDType;
  wType: QuantizedDType;
  /** QLinearConv's output type (that of y_zero_point); absent for ConvInteger. */
  yType?: QuantizedDType;
  /** Whether w_zero_point (and, for QLinearConv, w_scale) has one value per output channel. */
  perChannel: boolean;
}

/**
 * A kernel of the quantized operators. Each method is optional: a kernel that
 * lacks one is not run on that operator (reported as skipped, with the reason).
 *
 * @example
 * ```ts
 * const kernel: QuantizedKernel = {
 *   name: 'my-int8',
 *   supportsQuantized: (s) => (s.perChannel ? 'per-tensor zero points only' : true),
 *   convInteger: (p, x, w, xZeroPoint, wZeroPoint) => myConvInteger(p, x, w, xZeroPoint, wZeroPoint),
 * };
 * ```
 */
export interface QuantizedKernel {
  /** Shown in reports. */
  name: string;
  /** `true` when the case is supported; otherwise the reason it is skipped. */
  supportsQuantized?(s: QuantizedSignature): true | string;
  /**
   * ONNX ConvInteger: Σ (x − xZeroPoint)(w − wZeroPoint[oc]) in int32, layouts as
   * ConvKernel.conv's (NCHW input, OIHW weight), no bias. Must not write into its inputs.
   */
  convInteger?(
    p: ConvProblem,
    x: QuantizedArray,
    w: QuantizedArray,
    xZeroPoint: number,
    wZeroPoint: PerChannel,
  ): Int32Array | Promise<Int32Array>;
  /**
   * ONNX QLinearConv: the int32 accumulator plus the int32 bias, rescaled by
   * x_scale·w_scale[oc]/y_scale, rounded half to even, plus y_zero_point, saturated
   * to `params.yType` (an Int8Array or a Uint8Array). `bias` only when `p.bias`.
   */
  qlinearConv?(
    p: ConvProblem,
    x: QuantizedArray,
    w: QuantizedArray,
    params: QLinearConvParameters,
    bias?: Int32Array,
  ): QuantizedArray | Promise<QuantizedArray>;
}
