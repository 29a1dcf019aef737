/**
 * The quantized entries of the op registry (reference/ops.ts): ONNX ConvInteger
 * and QLinearConv, with their operands in ONNX's input order and the dtypes they
 * carry. The oracles are the exact integer ones of reference/quantized.ts; the
 * "exact" oracle is the same integers as fractions (there is no rounding to undo).
 *
 * | op | operands (call order) | output |
 * |---|---|---|
 * | `conv-integer` | x [N, C, …I], w [O, C/G, …K], xZeroPoint [], wZeroPoint [] or [O] | int32 [N, O, …out] |
 * | `qlinear-conv` | x, xScale [], xZeroPoint [], w, wScale [] or [O], wZeroPoint [] or [O], yScale [], yZeroPoint [], bias [O]? | int8/uint8 [N, O, …out] |
 *
 * x, w and the zero points are Int8Array or Uint8Array (the typed array is the
 * dtype; y's type is yZeroPoint's, as in ONNX), scales Float32Array, bias Int32Array.
 */
import type { Fraction } from 'mathjs';
import { ProblemError } from './errors.ts';
import { exactFraction } from './exact.ts';
import { convGeometry } from './geometry.ts';
import type { OpEntry, OperandSpec, OpGeometry } from './ops.ts';
import { zeroPaddingOnly } from './padding-mode.ts';
import type { ConvProblem } from './problem.ts';
import {
  type PerChannel,
  type QLinearConvParameters,
  type QuantizedArray,
  referenceConvInteger,
  referenceQLinearConv,
} from './quantized.ts';

function refuse(problem: ConvProblem, field: string, value: unknown, expected: string): never {
  throw new ProblemError(`ConvProblem.${field}`, value, expected, problem);
}

function checkZeroPadding(problem: ConvProblem, op: string): void {
  if (zeroPaddingOnly(problem) !== true) {
    refuse(problem, 'paddingMode', problem.paddingMode, `'zeros' for ${op} (it pads with x_zp)`);
  }
}

const spec = (
  name: string,
  role: OperandSpec['role'],
  shape: readonly number[],
  dtype: OperandSpec['dtype'],
  perChannel = false,
): OperandSpec => ({ name, role, shape, dtype, ...(perChannel ? { perChannel } : {}) });

/** A zero-point or scale operand: a scalar, or one value per output channel. */
const parameterOf = (values: ArrayLike<number>): PerChannel =>
  values.length === 1 ? values[0]! : Array.from(values);

function quantized(name: string, a: ArrayLike<number> | undefined): QuantizedArray {
  if (a instanceof Int8Array || a instanceof Uint8Array) return a;
  throw new ProblemError(name, a, 'an Int8Array or a Uint8Array');
}

const asFractions = (values: ArrayLike<number>): Fraction[] => Array.from(values, exactFraction);

/** The operands of ConvInteger, in call order. */
function convIntegerGeometry(problem: ConvProblem): OpGeometry {
  checkZeroPadding(problem, 'conv-integer');
  if (problem.bias !== false) {
    refuse(problem, 'bias', problem.bias, 'false for conv-integer (ConvInteger has no bias input)');
  }
  const g = convGeometry(problem);
  return {
    op: 'conv-integer',
    operands: [
      spec('x', 'data', g.inputShape, 'quantized'),
      spec('w', 'weight', g.weightShape, 'quantized'),
      spec('xZeroPoint', 'quantization', [], 'quantized'),
      spec('wZeroPoint', 'quantization', [], 'quantized', true),
    ],
    outputName: 'output',
    outputShape: g.outputShape,
    outputLength: g.outputLength,
    outputDtype: 'int32',
    terms: g.reductionLength,
    bias: false,
  };
}

function convIntegerOracle(p: ConvProblem, operands: readonly ArrayLike<number>[]) {
  const [x, w, xz, wz] = operands;
  const y = referenceConvInteger(
    p,
    quantized('x', x),
    quantized('w', w),
    xz![0]!,
    parameterOf(wz!),
  );
  return Float64Array.from(y);
}

/** The operands of QLinearConv, in ONNX's input order (bias last, only when p.bias). */
function qlinearGeometry(problem: ConvProblem): OpGeometry {
  checkZeroPadding(problem, 'qlinear-conv');
  const g = convGeometry(problem);
  const operands = [
    spec('x', 'data', g.inputShape, 'quantized'),
    spec('xScale', 'quantization', [], 'float32'),
    spec('xZeroPoint', 'quantization', [], 'quantized'),
    spec('w', 'weight', g.weightShape, 'quantized'),
    spec('wScale', 'quantization', [], 'float32', true),
    spec('wZeroPoint', 'quantization', [], 'quantized', true),
    spec('yScale', 'quantization', [], 'float32'),
    spec('yZeroPoint', 'quantization', [], 'quantized'),
  ];
  if (problem.bias) operands.push(spec('bias', 'bias', [g.outChannels], 'int32'));
  return {
    op: 'qlinear-conv',
    operands,
    outputName: 'output',
    outputShape: g.outputShape,
    outputLength: g.outputLength,
    outputDtype: 'quantized',
    terms: g.reductionLength,
    bias: problem.bias,
  };
}

/**
 * QLinearConv's operands in call order as the oracle's arguments.
 *
 * @example
 * ```ts
 * const { x, w, params, bias } = qlinearArguments(p, operands);
 * ```
 */
export function qlinearArguments(
  p: ConvProblem,
  operands: readonly ArrayLike<number>[],
): { x: QuantizedArray; w: QuantizedArray; params: QLinearConvParameters; bias?: Int32Array } {
  const [x, xs, xz, w, ws, wz, ys, yz, b] = operands;
  const yZeroPoint = quantized('yZeroPoint', yz);
  const params: QLinearConvParameters = {
    xScale: xs![0]!,
    xZeroPoint: xz![0]!,
    wScale: parameterOf(ws!),
    wZeroPoint: parameterOf(wz!),
    yScale: ys![0]!,
    yZeroPoint: yZeroPoint[0]!,
    yType: yZeroPoint instanceof Int8Array ? 'int8' : 'uint8',
  };
  const args = { x: quantized('x', x), w: quantized('w', w), params };
  if (!p.bias) return args;
  return { ...args, bias: b instanceof Int32Array ? b : Int32Array.from(b ?? []) };
}

function qlinearOracle(p: ConvProblem, operands: readonly ArrayLike<number>[]) {
  const { x, w, params, bias } = qlinearArguments(p, operands);
  return Float64Array.from(referenceQLinearConv(p, x, w, params, bias));
}

/** ONNX ConvInteger (opset 10): exact int32. */
export const convIntegerEntry: OpEntry = {
  name: 'conv-integer',
  title: 'quantized convolution, int32 accumulators (ONNX ConvInteger)',
  problemKind: 'ConvProblem',
  descriptorOp: 'conv-integer',
  method: 'convInteger',
  family: 'quantized',
  geometry: convIntegerGeometry,
  oracle: convIntegerOracle,
  exact: (p, operands) => asFractions(convIntegerOracle(p, operands)),
};

/** ONNX QLinearConv (opset 10): exact rescale, round half to even, saturation. */
export const qlinearConvEntry: OpEntry = {
  name: 'qlinear-conv',
  title: 'quantized convolution, requantized to 8 bits (ONNX QLinearConv)',
  problemKind: 'ConvProblem',
  descriptorOp: 'qlinear-conv',
  method: 'qlinearConv',
  family: 'quantized',
  geometry: qlinearGeometry,
  oracle: qlinearOracle,
  exact: (p, operands) => asFractions(qlinearOracle(p, operands)),
};
