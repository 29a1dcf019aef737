/**
 * The op registry: every operation convcheck can check a kernel on, in one
 * table. An entry says what problem the op takes and how it is validated, the
 * operands a kernel receives (names, roles and shapes, from the one geometry
 * record of the problem), the output, how many products one output sums (the
 * term count the error bound and the exact-data range are derived from), the
 * float64 and the exact oracle, the descriptor kind, and which kernel-contract
 * method implements it.
 *
 * Everything above this layer — data generation, the judge, hosts, the wire,
 * the CLI's phase groups — reads an op through its entry, never through its
 * name. Adding an op is adding an entry (and its generator in properties/ops.ts):
 * an op whose operands are not floats (ONNX ConvInteger, QLinearConv) states
 * their `dtype` in its {@link OperandSpec}s.
 *
 * | op | operands (call order) | output |
 * |---|---|---|
 * | `conv` | input [N, C, …I], weight [O, C/G, …K], bias [O]? | [N, O, …out] |
 * | `convtranspose` | input [N, C, …I], weight [C, O/G, …K], bias [O]? | [N, O, …out] |
 * | `conv-backward-data` | outputGradient [N, O, …out], weight [O, C/G, …K] | inputGradient [N, C, …I] |
 * | `conv-backward-weights` | input [N, C, …I], outputGradient [N, O, …out] | weightGradient [O, C/G, …K] |
 * | `conv-integer`, `qlinear-conv` | ONNX's inputs (reference/ops-quantized.ts) | int32 / int8 or uint8 |
 *
 * The backward passes take the ConvProblem of the forward convolution they
 * differentiate; they have no bias operand (its gradient is a plain sum) and,
 * like ConvTranspose, only zero padding.
 *
 * Over 300 lines, on purpose: the op registry is one table by design: every op's entry with
 * the validators and geometry it names.
 */
import type { Fraction } from 'mathjs';
import {
  exactConvBackwardData,
  exactConvBackwardWeights,
  referenceConvBackwardData,
  referenceConvBackwardWeights,
} from './backward.ts';
import { referenceConv } from './conv.ts';
import {
  type ConvTransposeProblem,
  convTransposeGeometry,
  exactConvTranspose,
  referenceConvTranspose,
} from './convTranspose.ts';
import { ProblemError } from './errors.ts';
import { exactConv } from './exact.ts';
import { type ConvGeometry, convGeometry } from './geometry.ts';
import type { ConvOp } from './opDescriptor.ts';
import { convIntegerEntry, qlinearConvEntry } from './ops-quantized.ts';
import { zeroPaddingOnly } from './padding-mode.ts';
import type { ConvKernel, ConvProblem, FloatArray } from './problem.ts';

/** The names of the ops, as `--ops`, the wire's `"op"` and reports spell them. */
export const OP_NAMES = [
  'conv',
  'convtranspose',
  'conv-backward-data',
  'conv-backward-weights',
  'conv-integer',
  'qlinear-conv',
] as const;

/**
 * The ops on float operands (the kernel's dtype): the float data kinds, error
 * bounds and precision ladder apply to these. The others are 'quantized'
 * (reference/ops-quantized.ts): 8-bit operands, exact integer oracles.
 */
export const FLOAT_OP_NAMES = [
  'conv',
  'convtranspose',
  'conv-backward-data',
  'conv-backward-weights',
] as const satisfies readonly OpName[];

/** One op's name. */
export type OpName = (typeof OP_NAMES)[number];

/** The kernel-contract method that implements an op (docs/kernel-contract.md). */
export type OpMethod =
  | 'conv'
  | 'convTranspose'
  | 'convBackwardData'
  | 'convBackwardWeights'
  | 'convInteger'
  | 'qlinearConv';

/**
 * How generated data treats an operand: 'data' gets the special values of the
 * special-data phase, 'weight' the rare all-zero variants, 'bias' the bias range;
 * 'quantization' is a scale or zero point of the quantized ops.
 */
export type OperandRole = 'data' | 'weight' | 'bias' | 'quantization';

/**
 * An operand's element type: 'float' is the kernel's dtype (float32 or float64);
 * the quantized ops add 'quantized' (Int8Array or Uint8Array, chosen per case),
 * 'int32' (a bias) and 'float32' (a scale).
 */
export type OperandDType = 'float' | 'quantized' | 'int32' | 'float32';

/** One operand a kernel receives, in call order. */
export interface OperandSpec {
  /** Its name in the contract, on the wire and in reports ('input', 'outputGradient', …). */
  name: string;
  role: OperandRole;
  shape: readonly number[];
  /** 'float': the kernel's dtype (float32 or float64), the only one the float ops use. */
  dtype: OperandDType;
  /** A quantization parameter that is a scalar ([]) or one value per output channel ([O]). */
  perChannel?: true;
}

/** What an op's geometry says about one problem: its operands, output and term count. */
export interface OpGeometry {
  op: OpName;
  /** The operands in call order; the bias (when present) is last. */
  operands: readonly OperandSpec[];
  /** The output's name ('output', 'inputGradient', 'weightGradient'). */
  outputName: string;
  outputShape: readonly number[];
  outputLength: number;
  /** The output's element type when it is not the kernel's float dtype (quantized ops). */
  outputDtype?: Exclude<OperandDType, 'float' | 'float32'>;
  /**
   * The most products any one output sums (bias excluded): the ksb of the error
   * bound and the reduction length the exact-data range is chosen for
   * (docs/tolerance.md, "Transposed convolution and the backward passes").
   */
  terms: number;
  /** Whether the last operand is a bias added to every output of its channel. */
  bias: boolean;
}

/** One registered op. */
export interface OpEntry {
  name: OpName;
  /** One line for reports and --help. */
  title: string;
  /** The problem type the op takes (ConvTransposeProblem extends ConvProblem). */
  problemKind: 'ConvProblem' | 'ConvTransposeProblem';
  /** The descriptor kind suffix (reference/opDescriptor.ts): '' for conv, 'T', 'BD', 'BW'. */
  descriptorOp: ConvOp;
  method: OpMethod;
  /** 'quantized' for ConvInteger and QLinearConv (8-bit operands); absent means 'float'. */
  family?: 'float' | 'quantized';
  /** Validates the problem (a ProblemError names the field) and derives the op's geometry. */
  geometry(problem: ConvProblem): OpGeometry;
  /** The float64 oracle on operands in call order. */
  oracle(problem: ConvProblem, operands: readonly ArrayLike<number>[]): Float64Array;
  /** The exact rational oracle (finite operands, small problems). */
  exact(problem: ConvProblem, operands: readonly ArrayLike<number>[]): Fraction[];
}

const product = (values: readonly number[]) => values.reduce((a, b) => a * b, 1);

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Per axis, the most kernel taps that can land on one output of a scatter with
 * stride S and dilation D from I inputs: tap k reaches output o from input i
 * when i·S = o + Pb − k·D, so the taps that reach one output are spaced
 * S / gcd(S, D) apart: at most ⌈K / (S / gcd(S, D))⌉ of them, and never more
 * than I (each comes from a different input).
 */
function scatterTaps(input: number, kernel: number, stride: number, dilation: number): number {
  const spacing = stride / gcd(stride, dilation);
  return Math.min(kernel, Math.ceil(kernel / spacing), input);
}

function refuse(problem: ConvProblem, field: string, value: unknown, expected: string): never {
  throw new ProblemError(`ConvProblem.${field}`, value, expected, problem);
}

/** The backward passes and ConvTranspose model zero padding only, and no bias for the backward passes. */
function checkZeroPadding(problem: ConvProblem, op: OpName): void {
  const zeros = zeroPaddingOnly(problem);
  if (zeros !== true) refuse(problem, 'paddingMode', problem.paddingMode, `'zeros' for ${op}`);
}

function checkNoBias(problem: ConvProblem, op: OpName): void {
  if (problem.bias !== false) {
    refuse(problem, 'bias', problem.bias, `false for ${op} (a backward pass has no bias operand)`);
  }
}

function operand(name: string, role: OperandRole, shape: readonly number[]): OperandSpec {
  return { name, role, shape, dtype: 'float' };
}

/** The geometry of a forward op (conv, ConvTranspose): input, weight, bias? → output. */
function forwardGeometry(
  op: OpName,
  problem: ConvProblem,
  g: Pick<
    ConvGeometry,
    'inputShape' | 'weightShape' | 'outputShape' | 'outputLength' | 'outChannels'
  >,
  terms: number,
): OpGeometry {
  const operands = [
    operand('input', 'data', g.inputShape),
    operand('weight', 'weight', g.weightShape),
  ];
  if (problem.bias) operands.push(operand('bias', 'bias', [g.outChannels]));
  const { outputShape, outputLength } = g;
  return {
    op,
    operands,
    outputName: 'output',
    outputShape,
    outputLength,
    terms,
    bias: problem.bias,
  };
}

const conv: OpEntry = {
  name: 'conv',
  title: 'convolution (forward)',
  problemKind: 'ConvProblem',
  descriptorOp: 'conv',
  method: 'conv',
  geometry(problem) {
    const g = convGeometry(problem);
    return forwardGeometry('conv', problem, g, g.reductionLength);
  },
  oracle: (p, [x, w, b]) => referenceConv(p, x!, w!, b),
  exact: (p, [x, w, b]) => exactConv(p, x!, w!, b),
};

const convtranspose: OpEntry = {
  name: 'convtranspose',
  title: 'transposed convolution (ONNX/PyTorch ConvTranspose)',
  problemKind: 'ConvTransposeProblem',
  descriptorOp: 'convtranspose',
  method: 'convTranspose',
  geometry(problem) {
    checkZeroPadding(problem, 'convtranspose');
    const g = convTransposeGeometry(problem as ConvTransposeProblem);
    const taps = g.inputSize.map((i, d) =>
      scatterTaps(i, g.kernelSize[d]!, g.stride[d]!, g.dilation[d]!),
    );
    return forwardGeometry('convtranspose', problem, g, g.inChannelsPerGroup * product(taps));
  },
  oracle: (p, [x, w, b]) => referenceConvTranspose(p as ConvTransposeProblem, x!, w!, b),
  exact: (p, [x, w, b]) => exactConvTranspose(p as ConvTransposeProblem, x!, w!, b),
};

const backwardData: OpEntry = {
  name: 'conv-backward-data',
  title: 'gradient of a convolution with respect to its input',
  problemKind: 'ConvProblem',
  descriptorOp: 'bwd-data',
  method: 'convBackwardData',
  geometry(problem) {
    checkZeroPadding(problem, 'conv-backward-data');
    checkNoBias(problem, 'conv-backward-data');
    const g = convGeometry(problem);
    // dx sums, per input element, the output gradients of the windows that read
    // it: a scatter of the output gradient through the kernel (ConvTranspose).
    const taps = g.outputSize.map((o, d) =>
      scatterTaps(o, g.kernelSize[d]!, g.stride[d]!, g.dilation[d]!),
    );
    return {
      op: 'conv-backward-data',
      operands: [
        operand('outputGradient', 'data', g.outputShape),
        operand('weight', 'weight', g.weightShape),
      ],
      outputName: 'inputGradient',
      outputShape: g.inputShape,
      outputLength: g.inputLength,
      terms: g.outChannelsPerGroup * product(taps),
      bias: false,
    };
  },
  oracle: (p, [dy, w]) => referenceConvBackwardData(p, dy!, w!),
  exact: (p, [dy, w]) => exactConvBackwardData(p, dy!, w!),
};

const backwardWeights: OpEntry = {
  name: 'conv-backward-weights',
  title: 'gradient of a convolution with respect to its weight',
  problemKind: 'ConvProblem',
  descriptorOp: 'bwd-weights',
  method: 'convBackwardWeights',
  geometry(problem) {
    checkZeroPadding(problem, 'conv-backward-weights');
    checkNoBias(problem, 'conv-backward-weights');
    const g = convGeometry(problem);
    return {
      op: 'conv-backward-weights',
      // The output gradient plays the weight's part: its all-zero variant would zero dw.
      operands: [
        operand('input', 'data', g.inputShape),
        operand('outputGradient', 'weight', g.outputShape),
      ],
      outputName: 'weightGradient',
      outputShape: g.weightShape,
      outputLength: g.weightLength,
      // dw sums dy·x over the batch and every output position.
      terms: g.batch * g.outputVolume,
      bias: false,
    };
  },
  oracle: (p, [x, dy]) => referenceConvBackwardWeights(p, x!, dy!),
  exact: (p, [x, dy]) => exactConvBackwardWeights(p, x!, dy!),
};

/** Every op, by name. */
export const OPS: Readonly<Record<OpName, OpEntry>> = {
  conv,
  convtranspose,
  'conv-backward-data': backwardData,
  'conv-backward-weights': backwardWeights,
  'conv-integer': convIntegerEntry,
  'qlinear-conv': qlinearConvEntry,
};

/**
 * Whether an op takes float operands (see {@link FLOAT_OP_NAMES}).
 *
 * @example
 * ```ts
 * isFloatOp('qlinear-conv'); // false
 * ```
 */
export function isFloatOp(name: OpName): boolean {
  return (OPS[name].family ?? 'float') === 'float';
}

/**
 * Whether a string names an op.
 *
 * @example
 * ```ts
 * isOpName('convtranspose'); // true
 * ```
 */
export function isOpName(text: unknown): text is OpName {
  return typeof text === 'string' && (OP_NAMES as readonly string[]).includes(text);
}

/**
 * The entry of an op; a ProblemError naming the field `op` for an unknown name.
 *
 * @example
 * ```ts
 * opEntry('conv-backward-data').method; // 'convBackwardData'
 * ```
 */
export function opEntry(name: unknown): OpEntry {
  if (!isOpName(name)) {
    throw new ProblemError('op', name, `one of ${OP_NAMES.join(', ')}`);
  }
  return OPS[name];
}

/**
 * The op a descriptor kind stands for (reference/opDescriptor.ts's ConvOp).
 *
 * @example
 * ```ts
 * opOfDescriptor('bwd-data'); // 'conv-backward-data'
 * ```
 */
export function opOfDescriptor(kind: ConvOp): OpName {
  return OP_NAMES.find((name) => OPS[name].descriptorOp === kind)!;
}

/**
 * Parses a comma-separated op list (`--ops conv,convtranspose`): known names,
 * each once, in registry order. Throws a ProblemError naming the field `ops`.
 *
 * @example
 * ```ts
 * parseOpList('convtranspose,conv'); // ['conv', 'convtranspose']
 * ```
 */
export function parseOpList(text: string): OpName[] {
  const names = text.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!isOpName(name)) {
      throw new ProblemError('ops', name, `a comma-separated list of ${OP_NAMES.join(', ')}`);
    }
  }
  return OP_NAMES.filter((name) => names.includes(name));
}

/**
 * The ops a program declares with `--ops`: those listed, and conv, which every
 * kernel implements (the contract's one required method).
 *
 * @example
 * ```ts
 * declaredOps(['convtranspose']); // ['conv', 'convtranspose']
 * ```
 */
export function declaredOps(ops: readonly OpName[]): OpName[] {
  return OP_NAMES.filter((op) => op === 'conv' || ops.includes(op));
}

/**
 * The ops a kernel object implements: those whose contract method it has.
 *
 * @example
 * ```ts
 * implementedOps({ name: 'k', conv() {}, convTranspose() {} }); // ['conv', 'convtranspose']
 * ```
 */
export function implementedOps(kernel: object): OpName[] {
  const k = kernel as Record<string, unknown>;
  return OP_NAMES.filter((name) => typeof k[OPS[name].method] === 'function');
}

/**
 * Calls the contract method that implements `op` on a kernel, with the op's
 * operands in call order. Throws a TypeError when the kernel lacks the method
 * (callers ask {@link implementedOps} first).
 *
 * @example
 * ```ts
 * await callKernelOp(kernel, 'conv-backward-data', p, [dy, w]); // kernel.convBackwardData(p, dy, w)
 * ```
 */
export function callKernelOp(
  kernel: ConvKernel,
  op: OpName,
  problem: ConvProblem,
  operands: readonly FloatArray[],
): FloatArray | Promise<FloatArray> {
  const method = OPS[op].method;
  const f = (kernel as unknown as Record<string, unknown>)[method];
  if (typeof f !== 'function') throw new TypeError(`the kernel has no ${method} method (op ${op})`);
  return (f as (...args: unknown[]) => FloatArray | Promise<FloatArray>).call(
    kernel,
    problem,
    ...operands,
  );
}
