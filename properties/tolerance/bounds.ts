/**
 * The bound models and the parameters of the per-element bound
 * |got − ref| ≤ factor · ksb · max(u · mag, normalMin) (see ../tolerance.ts for
 * the whole model and docs/tolerance.md for the derivation of every constant).
 */
import { unitRoundoff } from '../../reference/float.ts';
import { convGeometry } from '../../reference/geometry.ts';
import { type OpName, opEntry } from '../../reference/ops.ts';
import type { ConvProblem, DType } from '../../reference/problem.ts';
import { type PrecisionModelName, precisionBound } from '../precision/models.ts';
import { type WinogradBoundModel, winogradStages } from '../winogradBound.ts';
import { fftCoefficient } from './fft.ts';

/**
 * What a kernel promises about its accuracy.
 * - 'exact': every output is the oracle's value rounded to the dtype.
 * - 'dot-product': each output is a dot product summed in any order, in the
 *   dtype or wider, optionally with FMA (direct, im2col, GEMM kernels). On
 *   'exact' data this implies bit-for-bit equality.
 * - 'winograd': a Winograd F(m, r) kernel, bounded through its transforms.
 * - 'precision': a reduced-precision class of the ladder (properties/precision/models.ts:
 *   tf32, fp16-acc32, bf16-acc32, fp16-acc16), its element bound factor · max(c · mag,
 *   ksb · normalMin) written in this form (u = c / ksb); its tensor-wide checks are the
 *   class's own (properties/precision/judge.ts), which the judge applies.
 * - 'wgsl': a dot product computed in WGSL f32, with what WGSL allows beyond IEEE
 *   float32: rounding to either neighbour, subnormals flushed to zero, and no
 *   requirement at outputs that meet an infinity or NaN (the finite-math assumption).
 * - 'fft': a convolution through FFTs, bounded norm-wise per output plane
 *   (./fft.ts, docs/tolerance.md "FFT kernels").
 */
export type BoundModel =
  | { kind: 'exact' }
  | { kind: 'dot-product' }
  | { kind: 'wgsl' }
  | { kind: 'fft' }
  | WinogradBoundModel
  | PrecisionBoundModel;

/** A reduced-precision class as a bound model. */
export interface PrecisionBoundModel {
  kind: 'precision';
  name: PrecisionModelName;
  /** The operands arrive stored in the class's format (a 16-bit storage kernel). */
  operandsStored?: boolean;
}

/** The explicit parameters of the per-element bound, for fixtures and other languages. */
export interface BoundParameters {
  /** The model actually applied (a Winograd model falls back to dot-product off its domain). */
  model: BoundModel['kind'];
  dtype: DType;
  /** u: 2^−24 for float32, 2^−53 for float64. */
  unitRoundoff: number;
  /** Roundings along any path (the kernel-size bound); 0 for 'exact'. */
  ksb: number;
  /** Safety factor of the derivation; 0 for 'exact'. */
  factor: number;
  /** Absolute floor per unit of ksb·factor: the dtype's smallest normal number. */
  normalMin: number;
  /** Which magnitude tensor the bound multiplies. */
  magnitude: 'dot-product' | 'winograd' | 'wgsl' | 'fft';
  /** Why the requested model was not applied, when it was not. */
  note?: string;
  /** The precision class, for model 'precision'. */
  precision?: PrecisionModelName;
  /** Largest finite value of the narrowest format, when narrower than the dtype's (float16: 65504). */
  maxFinite?: number;
}

/**
 * Constants of the tensor-wide statistical checks (derived in docs/tolerance.md).
 *
 * @example
 * ```ts
 * stats.sumSquared <= STATISTICS.variance * ksb * stats.judged; // the variance check
 * ```
 */
export const STATISTICS = {
  /** Smallest number of judged outputs for the checks to be meaningful. */
  minOutputs: 1000,
  /** Σe² ≤ variance · ksb · T (TOSA's 4 · 0.4). */
  variance: 1.6,
  /** |Σe| ≤ √(bias · ksb · T) (TOSA's 10 · 4 · 0.4). */
  bias: 16,
} as const;

export const NORMAL_MIN: Record<DType, number> = { float32: 2 ** -126, float64: 2 ** -1022 };
export const MAX_FINITE: Record<DType, number> = {
  float32: (2 - 2 ** -23) * 2 ** 127,
  float64: Number.MAX_VALUE,
};
/**
 * Safety factor of the dot-product model. float32: the kernel's own error γ_ksb(u)
 * ≤ 1.07·ksb·u (ksb·u ≤ 1/16) plus the oracle's, 2^−29 times smaller. float64: the
 * oracle errs as much as the kernel, 2·γ_ksb(u) ≤ 2.2·ksb·u, plus the rounding of
 * the magnitude itself. See docs/tolerance.md.
 */
const DOT_PRODUCT_FACTOR: Record<DType, number> = { float32: 2, float64: 3 };
/** Safety factor of the Winograd model: γ_n ≤ 1.1·n·u and the oracle's error (ksb includes it). */
const WINOGRAD_FACTOR = 2;

/**
 * WGSL f32 (docs/tolerance.md, "What WGSL allows"): every addition and multiplication
 * is correctly rounded in WGSL's sense — to either neighbour, so u becomes 2^−23 —
 * and the rest of the error (flushed subnormal operands, products and partial sums)
 * enters through the magnitude and the floor. 5 ≥ 2.2 · 2: the dot-product factor's
 * γ_ksb(2u) plus an additive 2·ksb·normalMin for flushed products and sums, which
 * max(u·mag, normalMin) covers at twice the factor.
 */
const WGSL_FACTOR = 5;
const WGSL_UNIT_ROUNDOFF = 2 ** -23;

/** Why a Winograd model cannot judge this problem, or undefined when it can. */
export function winogradMismatch(p: ConvProblem, model: WinogradBoundModel): string | undefined {
  const tiles = model.axes.map((a) => `F(${a.m}, ${a.r})`).join(' × ');
  if (p.stride.some((s) => s !== 1) || p.dilation.some((d) => d !== 1)) {
    return `the Winograd bound needs stride 1 and dilation 1; judged as a dot product`;
  }
  if (
    model.axes.length !== p.kernelSize.length ||
    model.axes.some((a, d) => a.r !== p.kernelSize[d])
  ) {
    return `Winograd model ${tiles} does not match kernel [${p.kernelSize.join(', ')}]; judged as a dot product`;
  }
  return undefined;
}

/**
 * The parameters of the per-element bound for a problem, dtype and model.
 * A fixture stores these next to the magnitude tensor so that any language can
 * apply |got − ref| ≤ factor · ksb · max(u · mag, normalMin).
 *
 * @example
 * ```ts
 * boundParameters(p, 'float32', { kind: 'dot-product' });
 * // { model: 'dot-product', unitRoundoff: 2^-24, ksb: reductionLength + 1 (bias), factor: 2, ... }
 * ```
 */
export function boundParameters(
  problem: ConvProblem,
  dtype: DType,
  model: BoundModel,
  op: OpName = 'conv',
): BoundParameters {
  const base = { dtype, unitRoundoff: unitRoundoff(dtype), normalMin: NORMAL_MIN[dtype] };
  if (model.kind === 'exact') {
    return { ...base, model: 'exact', ksb: 0, factor: 0, magnitude: 'dot-product' };
  }
  if (op !== 'conv') return opParameters(problem, dtype, model, op);
  const g = convGeometry(problem);
  const dotKsb = g.reductionLength + (problem.bias ? 1 : 0);
  if (model.kind === 'precision') return precisionParameters(problem, dtype, model);
  if (model.kind === 'fft') {
    // The factor 2 covers the second-order terms of the first-order analysis (docs/tolerance.md).
    const ksb = fftCoefficient(problem, dtype);
    return { ...base, model: 'fft', ksb, factor: 2, magnitude: 'fft' };
  }
  if (model.kind === 'wgsl' && dtype === 'float32') {
    const wgsl = { unitRoundoff: WGSL_UNIT_ROUNDOFF, factor: WGSL_FACTOR };
    return { ...base, ...wgsl, model: 'wgsl', ksb: dotKsb, magnitude: 'wgsl' };
  }
  const note =
    model.kind === 'winograd'
      ? winogradMismatch(problem, model)
      : model.kind === 'wgsl'
        ? 'WGSL has no float64; judged as a dot product'
        : undefined;
  if (model.kind === 'dot-product' || note !== undefined || model.kind === 'wgsl') {
    const params: BoundParameters = {
      ...base,
      model: 'dot-product',
      ksb: dotKsb,
      factor: DOT_PRODUCT_FACTOR[dtype],
      magnitude: 'dot-product',
    };
    return note === undefined ? params : { ...params, note };
  }
  // Transforms and product, then the sum over input channels, then the bias.
  let ksb = winogradStages(model) + g.inChannelsPerGroup + (problem.bias ? 1 : 0);
  // In float64 the oracle's own rounding is as large as the kernel's: count its roundings too.
  if (dtype === 'float64') ksb += dotKsb;
  return { ...base, model: 'winograd', ksb, factor: WINOGRAD_FACTOR, magnitude: 'winograd' };
}

/**
 * The bound of an op other than the forward conv (reference/ops.ts): every
 * output of ConvTranspose and of both backward passes is a dot product too, of
 * the op's term count (plus one for a bias), so the dot-product model applies
 * with ksb = terms (+1), and 'wgsl' likewise. The Winograd models and the
 * precision classes are stated for the forward conv only: such a claim is
 * judged as a dot product, and the note says so.
 */
function opParameters(
  problem: ConvProblem,
  dtype: DType,
  model: BoundModel,
  op: OpName,
): BoundParameters {
  const g = opEntry(op).geometry(problem);
  const ksb = g.terms + (g.bias ? 1 : 0);
  const base = { dtype, unitRoundoff: unitRoundoff(dtype), normalMin: NORMAL_MIN[dtype], ksb };
  if (model.kind === 'wgsl' && dtype === 'float32') {
    const wgsl = { unitRoundoff: WGSL_UNIT_ROUNDOFF, factor: WGSL_FACTOR };
    return { ...base, ...wgsl, model: 'wgsl', magnitude: 'wgsl' };
  }
  const params: BoundParameters = {
    ...base,
    model: 'dot-product',
    factor: DOT_PRODUCT_FACTOR[dtype],
    magnitude: 'dot-product',
  };
  if (model.kind === 'dot-product' || model.kind === 'wgsl') return params;
  return {
    ...params,
    note: `the ${model.kind} model is stated for conv only; ${op} judged as a dot product`,
  };
}

/** A precision class's bound in this module's form: u = c / ksb, so factor · ksb · max(u · mag, normalMin) is its bound. */
function precisionParameters(
  problem: ConvProblem,
  dtype: DType,
  model: PrecisionBoundModel,
): BoundParameters {
  const b = precisionBound(problem, model.name, { operandsStored: model.operandsStored === true });
  return {
    model: 'precision',
    precision: model.name,
    dtype,
    unitRoundoff: b.coefficient / b.ksb,
    ksb: b.ksb,
    factor: b.factor,
    normalMin: b.normalMin,
    // Only a range narrower than the dtype's changes what is judged.
    ...(b.maxFinite < MAX_FINITE[dtype] ? { maxFinite: b.maxFinite } : {}),
    magnitude: 'dot-product',
  };
}

/**
 * The bound on |got − ref| for one element of magnitude `magnitude`:
 * factor · ksb · max(u · magnitude, normalMin), and 0 when the magnitude is 0
 * (every product is zero, so the result must be exactly zero) or the model is exact.
 *
 * @example
 * ```ts
 * elementBound(boundParameters(p, 'float32', { kind: 'dot-product' }), mag[i]);
 * ```
 */
export function elementBound(params: BoundParameters, magnitude: number): number {
  if (magnitude === 0 || params.ksb === 0) return 0;
  return params.factor * params.ksb * Math.max(params.unitRoundoff * magnitude, params.normalMin);
}
