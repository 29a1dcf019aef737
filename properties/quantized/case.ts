/**
 * Quantized test cases (ONNX ConvInteger and QLinearConv), generated as the float
 * cases are: a problem, the operand types, the granularity of the weight's
 * quantization and a data seed; every tensor and parameter is a pure function of
 * them (properties/quantized/data.ts), so the problem shrinks and the data follows.
 */
import fc from 'fast-check';
import type { QuantizedDType } from '../../reference/quantized.ts';
import type { QuantizedOp, QuantizedSignature } from '../../reference/quantized-kernel.ts';
import { rarely } from '../arbitraries/axis.ts';
import type { ConvProblemConstraints } from '../arbitraries/convProblem.ts';
import { opProblemArbitrary } from '../ops.ts';

/**
 * What a quantized case's data leans toward (properties/quantized/data.ts):
 * 'ties' — power-of-two scales with a rescale of 2^−1..2^−3 and values near the
 * zero points, so that many outputs are exact rounding ties (QLinearConv);
 * 'saturation' — y_scale chosen so that the largest rescaled accumulator is
 * 2, 8 or 64 times the output's half-range. Absent: the generator's mix of both
 * and of everything else.
 */
export type QuantizedFocus = 'ties' | 'saturation';

/** One quantized case: what is asked (the signature) and the seed of its data. */
export interface QuantizedCase extends QuantizedSignature {
  /** Seed of every tensor and quantization parameter; any 32-bit integer. */
  dataSeed: number;
  /** What the data leans toward; absent means the generator's mix. */
  focus?: QuantizedFocus;
}

/**
 * The quantized data kinds: one phase each in `convcheck check` (`--only`).
 * 'integer' is the generator's mix (range-end values and zero points, per-channel
 * parameters, ties and saturation now and then); 'ties' and 'saturation' are
 * its {@link QuantizedFocus}es, for QLinearConv only (ConvInteger neither rounds
 * nor saturates).
 */
export const QUANTIZED_DATA_KINDS = ['integer', 'ties', 'saturation'] as const;
export type QuantizedDataKind = (typeof QUANTIZED_DATA_KINDS)[number];

/**
 * The data kinds of an op's phases.
 *
 * @example
 * ```ts
 * quantizedDataKinds('conv-integer'); // ['integer']
 * ```
 */
export function quantizedDataKinds(op: QuantizedOp): readonly QuantizedDataKind[] {
  return op === 'conv-integer' ? ['integer'] : QUANTIZED_DATA_KINDS;
}

/**
 * Cap on outputLength · reductionLength: half the float cases' budget, and it keeps
 * every accumulator inside int32 (reduction ≤ 20 000 taps of at most 255² each,
 * 1.3·10^9 < 2^31, with room for the bias).
 */
export const QUANTIZED_MAX_MACS = 20_000;

/** Limits of {@link quantizedCaseArbitrary}: the problem's constraints, plus which types. */
export interface QuantizedCaseConstraints extends ConvProblemConstraints {
  /** Operand type pairs [x, w] to draw from. Default every pair. */
  types?: readonly (readonly [QuantizedDType, QuantizedDType])[];
  /** QLinearConv: 'x' gives y x's type (onnxruntime's only kernels); default either type. */
  yType?: 'any' | 'x';
  /** What the data leans toward (QLinearConv); default the generator's mix. */
  focus?: QuantizedFocus;
}

/**
 * The QLinearConv cases PyTorch's quantized conv2d takes as ONNX defines them
 * (docs/results/quantized.md): 2-D cross-correlation, quint8 x and y, qint8 w,
 * and no bias (PyTorch adds a float bias where ONNX adds an int32 one).
 */
export const TORCH_QLINEAR_CONSTRAINTS: QuantizedCaseConstraints = {
  dims: [2],
  modes: ['cross-correlation'],
  types: [['uint8', 'int8']],
  yType: 'x',
  bias: false,
};

/** Every x/w type pair; uint8 × int8 (ONNX's usual activation/weight pair) first. */
export const QUANTIZED_TYPE_PAIRS: readonly (readonly [QuantizedDType, QuantizedDType])[] = [
  ['uint8', 'int8'],
  ['uint8', 'uint8'],
  ['int8', 'int8'],
  ['int8', 'uint8'],
];

/**
 * Arbitrary of {@link QuantizedCase}s of one operator. One case in three has
 * per-output-channel weight zero points (and scales).
 *
 * @example
 * ```ts
 * fc.assert(fc.property(quantizedCaseArbitrary('qlinear-conv'), (c) => {
 *   const operands = materializeQuantizedCase(c);
 *   // ...
 * }));
 * ```
 */
export function quantizedCaseArbitrary(
  op: QuantizedOp,
  constraints: QuantizedCaseConstraints = {},
): fc.Arbitrary<QuantizedCase> {
  const { types = QUANTIZED_TYPE_PAIRS, yType: yRule = 'any', focus, ...problem } = constraints;
  return fc
    .record({
      op: fc.constant(op),
      // The registry's generator: no bias for ConvInteger, zero padding only.
      problem: opProblemArbitrary(op, { maxMacs: QUANTIZED_MAX_MACS, ...problem }),
      types: fc.constantFrom(...types),
      yType: fc.constantFrom<QuantizedDType>('uint8', 'int8'),
      perChannel: rarely(3),
      dataSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map(({ types: [xType, wType], yType, ...rest }) => ({
      ...rest,
      xType,
      wType,
      ...(op === 'qlinear-conv' ? { yType: yRule === 'x' ? xType : yType } : {}),
      ...(focus ? { focus } : {}),
    }));
}
