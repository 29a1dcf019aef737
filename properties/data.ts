/**
 * Deterministic test data. A test case is a problem, a data kind and a seed;
 * its tensors are a pure function of the three, so the problem shrinks and the
 * data follows (shrinking thousands of floats one by one would be useless).
 *
 * Data kinds:
 * - 'exact': nonzero integers in [−R, R] (bias in [−R², R²]) with R adapted to
 *   the reduction length so that every partial sum, in any order, stays below
 *   2^24: float32 arithmetic on them is exact and results must match bit for bit
 *   (benchdnn's scheme, with R shrinking instead of the density).
 * - 'real': uniform values in [−1, 1]; one seed in four uses a wide dynamic range
 *   instead (±m·2^e, e in [−12, 12]) to stress cancellation.
 * - 'special': 'real' data with NaN, ±Inf, −0 and subnormals sprinkled into the
 *   input (−0 and subnormals into the weights, and one seed in four ±Inf on a
 *   weight whose tap lands in the padding), propagated as the oracle does.
 *
 * One data seed in 64 zeroes the whole kernel and two in 64 zero many weights
 * (see {@link weightVariant}), in every kind.
 *
 * Every tensor has its own stream, so shrinking one tensor's size does not
 * reshuffle the values of the others.
 *
 * Over 300 lines, on purpose: every data kind's tensors are one pure function of
 * (problem, kind, seed) sharing the fill and special-value helpers; the mistrust
 * check sits with the data whose zeros it counts.
 */
import { HALF_FORMATS } from '../reference/float16.ts';
import { convGeometry } from '../reference/geometry.ts';
import type { OpName } from '../reference/ops.ts';
import type { ConvProblem, FloatArray } from '../reference/problem.ts';
import { mixSeed, mulberry32 } from '../reference/random.ts';
import {
  exactLimit,
  hostDType,
  isHalfDType,
  type KernelDType,
  roundToStorage,
} from '../reference/storage.ts';

/** The kinds of data a property can run on. */
export type DataKind = 'exact' | 'real' | 'special';

/** One test case: the problem and how to fill its tensors. */
export interface ConvCase {
  /**
   * The op the case is posed for (reference/ops.ts); absent means 'conv'. The
   * problem is that op's problem (a ConvTransposeProblem for 'convtranspose').
   */
  op?: OpName;
  problem: ConvProblem;
  data: DataKind;
  /** Seed of the tensors' values; any 32-bit integer. */
  dataSeed: number;
  /**
   * 'special' data only: when given, these non-finite values replace the
   * seed's sprinkled specials, on the seed's uniform values (a shrunk placement;
   * see special-placement.ts).
   */
  specials?: readonly PlacedSpecial[];
  /**
   * 'real' data only: take the absolute value of every operand, so that outputs
   * are as large as their magnitudes (no cancellation). The precision probes use
   * it: only there does an output rounding (fp16-acc32) show beside an operand
   * rounding of the same width (tf32).
   */
  absolute?: boolean;
}

/** One non-finite value at a flat index of the input or the weight. */
export interface PlacedSpecial {
  tensor: 'input' | 'weight';
  index: number;
  value: 'nan' | 'inf' | '-inf';
}

const PLACED_VALUES: Record<PlacedSpecial['value'], number> = {
  nan: Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
};

export function placeSpecials(
  operands: { input: FloatArray; weight: FloatArray },
  c: ConvCase,
): void {
  for (const s of c.specials ?? []) {
    const tensor = operands[s.tensor];
    if (!Number.isSafeInteger(s.index) || s.index < 0 || s.index >= tensor.length) {
      throw new RangeError(
        `specials: ${s.tensor} index ${s.index} is outside [0, ${tensor.length}) for this problem`,
      );
    }
    tensor[s.index] = PLACED_VALUES[s.value];
  }
}

/** The operands of a convolution, in the dtype the kernel computes in. */
export interface ConvOperands {
  input: FloatArray;
  weight: FloatArray;
  bias?: FloatArray;
}

/** Largest integer below which float32 integer arithmetic is exact. */
export const EXACT_LIMIT = exactLimit('float32');
/** benchdnn's default range of integer test data. */
export const EXACT_MAX_RANGE = 32;
/** benchdnn's trust threshold: more zero outputs than this fraction tested nothing. */
export const MISTRUST_ZERO_FRACTION = 0.3;

/** A uniform number in [0, 1) with 53 random bits (or 24 when `bits24`). */
function unit(next: () => number, bits24: boolean): number {
  if (bits24) return (next() >>> 8) / 2 ** 24;
  return ((next() >>> 5) * 2 ** 26 + (next() >>> 6)) / 2 ** 53;
}

/**
 * The integer range and nonzero density of 'exact' data for a reduction of
 * `ksb` terms (reduction length, plus one for a bias): R is the largest value
 * ≤ 32 with ksb·R² < limit (2^24, or reference/storage.ts exactLimit for a
 * 16-bit storage type: 2048 for float16, 256 for bfloat16), so no partial sum
 * in any order can round, nor the result in the storage type. When even
 * R = 1 is too large (ksb ≥ limit) the density drops as benchdnn's does,
 * min(1, safe_n_acc / n_acc), and exactness holds only in expectation.
 *
 * @example
 * ```ts
 * exactDataRange(27);      // { range: 32, density: 1 }: 27 · 32² < 2^24
 * exactDataRange(100_000); // { range: 12, density: 1 }
 * exactDataRange(1e6);     // { range: 4, density: 1 }
 * ```
 */
export function exactDataRange(
  ksb: number,
  limit: number = EXACT_LIMIT,
): { range: number; density: number } {
  const range = Math.max(1, Math.min(EXACT_MAX_RANGE, Math.floor(Math.sqrt((limit - 1) / ksb))));
  const safeTerms = Math.floor((limit - 1) / (range * range));
  return { range, density: Math.min(1, safeTerms / ksb) };
}

export function fillExact(
  out: FloatArray,
  next: () => number,
  range: number,
  density: number,
): void {
  for (let i = 0; i < out.length; i++) {
    if (density < 1 && unit(next, true) >= density) {
      out[i] = 0;
      continue;
    }
    // Nonzero values: a zero would only hide taps, and zero outputs are what MISTRUSTED counts.
    const magnitude = 1 + (next() % range);
    out[i] = next() & 1 ? magnitude : -magnitude;
  }
}

export function fillUniform(out: FloatArray, next: () => number, wide: boolean): void {
  const bits24 = out instanceof Float32Array;
  for (let i = 0; i < out.length; i++) {
    if (!wide) {
      out[i] = 2 * unit(next, bits24) - 1;
      continue;
    }
    const exponent = (next() % 25) - 12;
    const mantissa = 1 + unit(next, bits24);
    out[i] = (next() & 1 ? mantissa : -mantissa) * 2 ** exponent;
  }
}

/** A random subnormal of the dtype: k·2^−149 (float32), k·2^−1074 (float64) or of a 16-bit format, k ≥ 1. */
function subnormal(next: () => number, dtype: KernelDType): number {
  if (isHalfDType(dtype)) {
    const f = HALF_FORMATS[dtype];
    return (1 + (next() % (2 ** f.fractionBits - 1))) * f.minSubnormal;
  }
  if (dtype === 'float32') return (1 + (next() % (2 ** 23 - 1))) * 2 ** -149;
  return (1 + (next() % 2 ** 31)) * 2 ** -1074 * 2 ** (next() % 21);
}

export const INPUT_SPECIALS = ['nan', 'inf', '-inf', '-0', 'subnormal', '-subnormal'] as const;
export const WEIGHT_SPECIALS = ['-0', 'subnormal', '-subnormal'] as const;
type Special = (typeof INPUT_SPECIALS)[number];

function specialValue(kind: Special, next: () => number, dtype: KernelDType): number {
  switch (kind) {
    case 'nan':
      return Number.NaN;
    case 'inf':
      return Number.POSITIVE_INFINITY;
    case '-inf':
      return Number.NEGATIVE_INFINITY;
    case '-0':
      return -0;
    case 'subnormal':
      return subnormal(next, dtype);
    case '-subnormal':
      return -subnormal(next, dtype);
  }
}

/** Replaces about one element in 16 by a special value; element `forced` always. */
export function sprinkle(
  out: FloatArray,
  next: () => number,
  kinds: readonly Special[],
  dtype: KernelDType,
  forced: number,
): void {
  for (let i = 0; i < out.length; i++) {
    if (i !== forced && next() % 16 !== 0) continue;
    out[i] = specialValue(kinds[next() % kinds.length]!, next, dtype);
  }
}

/**
 * Rare weight variants that uniform data never produces, picked by the data
 * seed (one case in 64 each): an all-zero kernel (some libraries normalize by
 * the kernel and return NaN) and zero weights (one output channel's kernel
 * wholly zero, a quarter of the others zero).
 */
export type WeightVariant = 'usual' | 'zero-kernel' | 'zero-weights';

/**
 * The weight variant of a data seed.
 *
 * @example
 * ```ts
 * weightVariant(0); // 'usual' (small seeds, where shrinking ends, are all usual)
 * ```
 */
export function weightVariant(dataSeed: number): WeightVariant {
  // Seeds below 32, where a shrunk data seed ends, always get usual weights: a
  // shrunk failure never lands on an all-zero kernel by accident.
  if (dataSeed < 32) return 'usual';
  const pick = mixSeed(dataSeed, 5) % 64;
  return pick === 0 ? 'zero-kernel' : pick <= 2 ? 'zero-weights' : 'usual';
}

export function applyWeightVariant(weight: FloatArray, c: ConvCase, outChannels: number): void {
  const variant = weightVariant(c.dataSeed);
  if (variant === 'usual') return;
  if (variant === 'zero-kernel') {
    weight.fill(0);
    return;
  }
  const next = mulberry32(mixSeed(c.dataSeed, 6));
  const perChannel = weight.length / outChannels;
  const zeroChannel = next() % outChannels;
  for (let i = 0; i < weight.length; i++) {
    if (Math.floor(i / perChannel) === zeroChannel || next() % 4 === 0) weight[i] = 0;
  }
}

/** Per axis, the kernel offsets that land in the padding for at least one output. */
function paddingOffsets(problem: ConvProblem): number[][] {
  const g = convGeometry(problem);
  return g.kernelSize.map((k, d) => {
    const offsets: number[] = [];
    for (let t = 0; t < k; t++) {
      for (let o = 0; o < g.outputSize[d]!; o++) {
        const i = o * g.stride[d]! - g.padBegin[d]! + t * g.dilation[d]!;
        if (i < 0 || i >= g.inputSize[d]!) {
          offsets.push(t);
          break;
        }
      }
    }
    return offsets;
  });
}

/**
 * Puts ±Inf on one weight whose tap lands in the padding for some output (one
 * special data seed in 4), so the documented rule is exercised: the tap
 * multiplies a real zero and 0·∞ = NaN there. A kernel that skips padding taps
 * gives a number instead, unless it declares `padding: 'skip-taps'`.
 */
function infinityOnPaddingTap(weight: FloatArray, c: ConvCase): void {
  if (mixSeed(c.dataSeed, 7) % 4 !== 0) return;
  const g = convGeometry(c.problem);
  const offsets = paddingOffsets(c.problem);
  const axes = offsets.flatMap((list, d) => (list.length > 0 ? [d] : []));
  if (axes.length === 0) return;
  const next = mulberry32(mixSeed(c.dataSeed, 8));
  const padded = axes[next() % axes.length]!;
  let spatial = 0;
  for (let d = 0; d < g.rank; d++) {
    const k = g.kernelSize[d]!;
    const list = offsets[d]!;
    const tap = d === padded ? list[next() % list.length]! : next() % k;
    // The weight element of that tap: true convolution reads the kernel flipped.
    spatial = spatial * k + (g.flipKernel ? k - 1 - tap : tap);
  }
  const filter = next() % (g.outChannels * g.inChannelsPerGroup);
  weight[filter * g.kernelVolume + spatial] = next() & 1 ? Infinity : -Infinity;
}

export function allocate(dtype: KernelDType, length: number): FloatArray {
  return hostDType(dtype) === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/**
 * The tensors of a case in a dtype. Deterministic: the same case gives the
 * same bits on every run and machine. For a 16-bit storage type ('float16',
 * 'bfloat16') they are float32 arrays of values of that type (rounded to it,
 * ties to even; exact data drawn in its exact range), which the oracle reads
 * and the host encodes to patterns for the kernel.
 *
 * @example
 * ```ts
 * const { input, weight, bias } = materializeConvCase({ problem: p, data: 'exact', dataSeed: 1 });
 * ```
 */
export function materializeConvCase(c: ConvCase, dtype: KernelDType = 'float32'): ConvOperands {
  const g = convGeometry(c.problem);
  const input = allocate(dtype, g.inputLength);
  const weight = allocate(dtype, g.weightLength);
  const bias = c.problem.bias ? allocate(dtype, g.outChannels) : undefined;
  const streams = [0, 1, 2].map((s) => mulberry32(mixSeed(c.dataSeed, s))) as [
    () => number,
    () => number,
    () => number,
  ];
  if (c.data === 'exact') {
    const ksb = g.reductionLength + (c.problem.bias ? 1 : 0);
    const { range, density } = exactDataRange(ksb, exactLimit(dtype));
    fillExact(input, streams[0], range, density);
    fillExact(weight, streams[1], range, density);
    if (bias) fillExact(bias, streams[2], range * range, 1);
  } else {
    const wide = c.data === 'real' && (c.dataSeed >>> 0) % 4 === 3;
    fillUniform(input, streams[0], wide);
    fillUniform(weight, streams[1], wide);
    if (bias) fillUniform(bias, streams[2], wide);
    if (c.data === 'real' && c.absolute) {
      for (const t of bias ? [input, weight, bias] : [input, weight]) t.set(t.map(Math.abs));
    }
    if (c.data === 'special' && c.specials !== undefined) {
      placeSpecials({ input, weight }, c);
    } else if (c.data === 'special') {
      const next = mulberry32(mixSeed(c.dataSeed, 3));
      sprinkle(input, next, INPUT_SPECIALS, dtype, (c.dataSeed >>> 0) % input.length);
      sprinkle(weight, next, WEIGHT_SPECIALS, dtype, -1);
      infinityOnPaddingTap(weight, c);
    }
  }
  applyWeightVariant(weight, c, g.outChannels);
  if (isHalfDType(dtype)) {
    // One rounding to the storage type: the oracle computes on what the kernel stores.
    for (const t of bias ? [input, weight, bias] : [input, weight]) {
      t.set(roundToStorage(t, dtype));
    }
  }
  return bias ? { input, weight, bias } : { input, weight };
}

/**
 * A deterministic tensor of `length` nonzero integers in [−range, range], for
 * laws that build their own operands.
 *
 * @example
 * ```ts
 * integerTensor(9, 7, 4); // Float64Array of 9 nonzero integers in [−4, 4]
 * ```
 */
export function integerTensor(length: number, seed: number, range: number): Float64Array {
  const out = new Float64Array(length);
  fillExact(out, mulberry32(mixSeed(seed, 7)), range, 1);
  return out;
}

/**
 * A deterministic tensor of uniform values in [−1, 1] (float64 precision).
 *
 * @example
 * ```ts
 * uniformTensor(16, 3); // Float64Array of 16 values in [−1, 1]
 * ```
 */
export function uniformTensor(length: number, seed: number): Float64Array {
  const out = new Float64Array(length);
  fillUniform(out, mulberry32(mixSeed(seed, 8)), false);
  return out;
}

/** Outcome of benchdnn's MISTRUSTED check on a reference output. */
export interface TrustCheck {
  /** Outputs whose window covers at least one input element (the others are legitimately bias-only). */
  counted: number;
  /** Fraction of those that are zero. */
  zeroFraction: number;
  /** True when more than {@link MISTRUST_ZERO_FRACTION} of them are zero: the case tested little. */
  mistrusted: boolean;
}

/** Per axis, whether output o's window covers an input element. */
function touchMask(size: number, outSize: number, k: number, s: number, d: number, pb: number) {
  const mask = new Uint8Array(outSize);
  for (let o = 0; o < outSize; o++) {
    for (let t = 0; t < k; t++) {
      const i = o * s - pb + t * d;
      if (i >= 0 && i < size) {
        mask[o] = 1;
        break;
      }
    }
  }
  return mask;
}

/**
 * benchdnn's MISTRUSTED rule: a result that is mostly zeros tested nothing.
 * Outputs whose window lies wholly in padding are not counted (their value is
 * the bias by construction).
 *
 * @example
 * ```ts
 * mistrustCheck(p, referenceConv(p, x, w, b)).mistrusted; // false for healthy data
 * ```
 */
export function mistrustCheck(problem: ConvProblem, reference: ArrayLike<number>): TrustCheck {
  const g = convGeometry(problem);
  const masks = g.inputSize.map((size, d) =>
    touchMask(
      size,
      g.outputSize[d]!,
      g.kernelSize[d]!,
      g.stride[d]!,
      g.dilation[d]!,
      g.padBegin[d]!,
    ),
  );
  let counted = 0;
  let zeros = 0;
  const spatial = g.outputVolume;
  for (let index = 0; index < g.outputLength; index++) {
    let rest = index % spatial;
    let touches = true;
    for (let d = g.rank - 1; d >= 0; d--) {
      const extent = g.outputSize[d]!;
      touches &&= masks[d]![rest % extent] === 1;
      rest = Math.floor(rest / extent);
    }
    if (!touches) continue;
    counted++;
    if (reference[index] === 0) zeros++;
  }
  const zeroFraction = counted === 0 ? 0 : zeros / counted;
  return { counted, zeroFraction, mistrusted: zeroFraction > MISTRUST_ZERO_FRACTION };
}
