/**
 * Compute-precision bound models: what a kernel that computes a convolution in
 * TF32, float16 or bfloat16 may get wrong, in the form of the float32
 * dot-product model (properties/tolerance.ts). Derivation: docs/tolerance.md,
 * "Precision classes".
 *
 * Each class is three roundings: of the operands (u_op), of every product and
 * addition (u_acc), and of the result to the storage type (u_out). With ksb the
 * number of roundings on a path (reduction length, +1 with a bias) and mag the
 * dot-product magnitude Σ|x·w| + |b| of the operands the oracle was given:
 *
 *   |got − ref| ≤ factor · max(c · mag, ksb · normalMin),   c = 2·u_op + ksb·u_acc + u_out
 *
 * which for fp32 (u_op = u_out = 0, u_acc = 2^−24) is exactly today's
 * factor · ksb · max(u · mag, normalMin).
 */
import { floatFormat, HALF_FORMATS, type HalfFormat } from '../../reference/float16.ts';
import { convGeometry } from '../../reference/geometry.ts';
import type { ConvProblem } from '../../reference/problem.ts';

/** The precision classes, tightest first (for reductions of 24 taps or more; see {@link tightestModel}). */
export const PRECISION_MODEL_NAMES = [
  'fp32',
  'tf32',
  'fp16-acc32',
  'bf16-acc32',
  'fp16-acc16',
] as const;

/** One precision class. */
export type PrecisionModelName = (typeof PRECISION_MODEL_NAMES)[number];

/** The arithmetic a precision class performs. */
export interface PrecisionModel {
  name: PrecisionModelName;
  /** What a kernel of this class does, in words. */
  description: string;
  /** Format the operands are rounded to before multiplying (undefined: not rounded). */
  operandFormat?: HalfFormat;
  /** Format every product and partial sum is rounded to. */
  accumulatorFormat: HalfFormat;
  /** Format the result is stored in (undefined: the accumulator's). */
  outputFormat?: HalfFormat;
}

const FLOAT32 = floatFormat(8, 23);
/** TF32: float32's exponent, 10 stored fraction bits (11 significant). */
export const TF32 = floatFormat(8, 10);
const { float16: FLOAT16, bfloat16: BFLOAT16 } = HALF_FORMATS;

/**
 * The ladder of precision classes.
 *
 * @example
 * ```ts
 * PRECISION_MODELS['bf16-acc32'].operandFormat?.unitRoundoff; // 2^-8
 * ```
 */
export const PRECISION_MODELS: Readonly<Record<PrecisionModelName, PrecisionModel>> = {
  fp32: {
    name: 'fp32',
    description: 'float32 operands, products and sums (any order, FMA allowed)',
    accumulatorFormat: FLOAT32,
  },
  tf32: {
    name: 'tf32',
    description: 'operands rounded to TF32 (11 significant bits), float32 accumulation',
    operandFormat: TF32,
    accumulatorFormat: FLOAT32,
  },
  'fp16-acc32': {
    name: 'fp16-acc32',
    description: 'float16 storage, float32 accumulation, result rounded to float16',
    operandFormat: FLOAT16,
    accumulatorFormat: FLOAT32,
    outputFormat: FLOAT16,
  },
  'bf16-acc32': {
    name: 'bf16-acc32',
    description: 'bfloat16 storage, float32 accumulation, result rounded to bfloat16',
    operandFormat: BFLOAT16,
    accumulatorFormat: FLOAT32,
    outputFormat: BFLOAT16,
  },
  'fp16-acc16': {
    name: 'fp16-acc16',
    description: 'float16 storage, products and sums rounded to float16',
    operandFormat: FLOAT16,
    accumulatorFormat: FLOAT16,
  },
};

/** The precision class of each 16-bit storage type: its storage, float32 accumulation. */
export const STORAGE_CLASS: Readonly<Record<'float16' | 'bfloat16', PrecisionModelName>> = {
  float16: 'fp16-acc32',
  bfloat16: 'bf16-acc32',
};

/** Safety factor: second-order terms and the oracle's own float64 error (docs/tolerance.md). */
export const PRECISION_FACTOR = 2;

/** The explicit parameters of a class's bound for one problem. */
export interface PrecisionBound {
  model: PrecisionModelName;
  /** Roundings along any path: reduction length, +1 with a bias. */
  ksb: number;
  factor: number;
  /** u_op, 0 when the operands are not rounded (or arrive already stored in the format). */
  operandRoundoff: number;
  accumulatorRoundoff: number;
  /** u_out, 0 when the result stays in the accumulator's format. */
  outputRoundoff: number;
  /** c = 2·u_op + ksb·u_acc + u_out: the bound per unit of magnitude. */
  coefficient: number;
  /** Smallest normal of the narrowest format involved: the underflow floor per rounding. */
  normalMin: number;
  /**
   * Largest finite value of the narrowest format a partial result passes
   * through: beyond it a magnitude sets no requirement. For stored operands only
   * the accumulator's counts: the operands are finite already, and the output's
   * overflow is judged in the kernel's storage type (tolerance/storage-overflow.ts).
   */
  maxFinite: number;
}

/** Options of {@link precisionBound}. */
export interface PrecisionBoundConstraints {
  /**
   * The operands the oracle saw are already values of the class's operand format
   * (a float16 kernel given float16 data): their rounding is no error. Default false:
   * the kernel was given float32 data and rounds it itself.
   */
  operandsStored?: boolean;
}

/**
 * The bound parameters of a precision class for a problem.
 *
 * @example
 * ```ts
 * const b = precisionBound(p, 'tf32');
 * b.coefficient; // 2·2^-11 + ksb·2^-24
 * ```
 */
export function precisionBound(
  problem: ConvProblem,
  name: PrecisionModelName,
  constraints: PrecisionBoundConstraints = {},
): PrecisionBound {
  const model = PRECISION_MODELS[name];
  const g = convGeometry(problem);
  const ksb = g.reductionLength + (problem.bias ? 1 : 0);
  const operandRoundoff =
    model.operandFormat === undefined || constraints.operandsStored
      ? 0
      : model.operandFormat.unitRoundoff;
  const accumulatorRoundoff = model.accumulatorFormat.unitRoundoff;
  const outputRoundoff = model.outputFormat?.unitRoundoff ?? 0;
  const formats = [model.operandFormat, model.accumulatorFormat, model.outputFormat].filter(
    (f): f is HalfFormat => f !== undefined,
  );
  const ranges = constraints.operandsStored ? [model.accumulatorFormat] : formats;
  return {
    model: name,
    ksb,
    factor: PRECISION_FACTOR,
    operandRoundoff,
    accumulatorRoundoff,
    outputRoundoff,
    coefficient: 2 * operandRoundoff + ksb * accumulatorRoundoff + outputRoundoff,
    normalMin: Math.max(...formats.map((f) => f.minNormal)),
    maxFinite: Math.min(...ranges.map((f) => f.maxFinite)),
  };
}

/**
 * The bound on |got − ref| for one element: factor · max(c · mag, ksb · normalMin),
 * and 0 when the magnitude is 0 (every product is zero: the result must be ±0).
 *
 * @example
 * ```ts
 * precisionElementBound(precisionBound(p, 'fp16-acc32'), mag[i]);
 * ```
 */
export function precisionElementBound(bound: PrecisionBound, magnitude: number): number {
  if (magnitude === 0) return 0;
  return bound.factor * Math.max(bound.coefficient * magnitude, bound.ksb * bound.normalMin);
}

/**
 * The expected squared error of one element under the class's rounding model
 * (independent roundings, each uniform with variance ≤ u²/3):
 *
 *   v = (2·u_op²·Σ(x·w)² + u_acc²·ksb·mag² + u_out²·ref²) / 3,
 *
 * floored at ksb·normalMin². `squares` is Σ(x·w)² + b², the oracle on squared operands.
 *
 * @example
 * ```ts
 * const v = precisionVariance(bound, mag[i], squares[i], ref[i]);
 * ```
 */
export function precisionVariance(
  bound: PrecisionBound,
  magnitude: number,
  squares: number,
  reference: number,
): number {
  const operand = 2 * bound.operandRoundoff ** 2 * squares;
  const accumulation = bound.accumulatorRoundoff ** 2 * bound.ksb * magnitude ** 2;
  const output = bound.outputRoundoff ** 2 * reference ** 2;
  return Math.max((operand + accumulation + output) / 3, bound.ksb * bound.normalMin ** 2);
}
