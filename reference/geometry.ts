/**
 * The geometry record: everything derived from a problem, computed once and read
 * by every kernel, formula and report. Nothing else derives output sizes.
 *
 * Over 300 lines, on purpose: the one geometry record for convolution and pooling
 * and its validation (one message per field) are read by every kernel; one file is
 * the single place to look.
 */
import { ProblemError } from './errors.ts';
import { effectiveKernel, outputSize, volume } from './formulas.ts';
import { maxPadFor, PADDING_MODES } from './padding-mode.ts';
import type { ConvProblem, PaddingMode, PoolProblem } from './problem.ts';

/** Limits a problem must respect; tensors beyond them are refused, not attempted. */
export interface GeometryLimits {
  /** Largest element count of any single tensor. */
  maxTensorElements: number;
}

/** Default limits: 2^26 elements (256 MiB of float32) per tensor. */
export const defaultLimits: GeometryLimits = { maxTensorElements: 2 ** 26 };

/** Per-dimension spatial geometry shared by convolution and pooling. */
export interface SpatialGeometry {
  /** Number of spatial dimensions, 1 to 3. */
  rank: number;
  inputSize: readonly number[];
  kernelSize: readonly number[];
  stride: readonly number[];
  dilation: readonly number[];
  padBegin: readonly number[];
  padEnd: readonly number[];
  /** D·(K − 1) + 1 per dimension. */
  effectiveKernel: readonly number[];
  outputSize: readonly number[];
  inputVolume: number;
  kernelVolume: number;
  outputVolume: number;
}

/** Derived geometry of a convolution problem. */
export interface ConvGeometry extends SpatialGeometry {
  problem: ConvProblem;
  batch: number;
  inChannels: number;
  outChannels: number;
  groups: number;
  inChannelsPerGroup: number;
  outChannelsPerGroup: number;
  /** Length of each output's dot product: (C_in / groups) · ΠK. */
  reductionLength: number;
  /** True when the kernel is applied flipped ('convolution' mode). */
  flipKernel: boolean;
  inputShape: readonly number[];
  weightShape: readonly number[];
  outputShape: readonly number[];
  inputLength: number;
  weightLength: number;
  biasLength: number;
  outputLength: number;
}

/** Derived geometry of a pooling problem. */
export interface PoolGeometry extends SpatialGeometry {
  problem: PoolProblem;
  batch: number;
  channels: number;
  inputShape: readonly number[];
  outputShape: readonly number[];
  inputLength: number;
  outputLength: number;
}

const SPATIAL_FIELDS = [
  'inputSize',
  'kernelSize',
  'stride',
  'dilation',
  'padBegin',
  'padEnd',
] as const;

type Checked = Record<(typeof SPATIAL_FIELDS)[number], number[]>;

/** Shared by the geometry records (conv, pool, ConvTranspose). */
export function fail(
  kind: string,
  field: string,
  value: unknown,
  expected: string,
  p: unknown,
): never {
  throw new ProblemError(`${kind}.${field}`, value, expected, p);
}

/** Shared by the geometry records (conv, pool, ConvTranspose). */
export function checkInteger(
  kind: string,
  field: string,
  value: unknown,
  min: number,
  p: unknown,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    fail(kind, field, value, min > 0 ? 'a positive integer' : 'a non-negative integer', p);
  }
  return value;
}

/** Shared by the geometry records (conv, pool, ConvTranspose). */
export function checkSpatial(kind: string, p: Record<string, unknown>): Checked {
  const size = p.inputSize;
  if (!Array.isArray(size) || size.length < 1 || size.length > 3) {
    fail(kind, 'inputSize', size, 'an array of 1 to 3 spatial sizes ([W], [H, W] or [D, H, W])', p);
  }
  const rank = size.length;
  const out = {} as Checked;
  for (const field of SPATIAL_FIELDS) {
    const arr = p[field];
    if (!Array.isArray(arr) || arr.length !== rank) {
      fail(kind, field, arr, `an array of ${rank} entries, like inputSize`, p);
    }
    const min = field === 'padBegin' || field === 'padEnd' ? 0 : 1;
    out[field] = arr.map((v, i) => checkInteger(kind, `${field}[${i}]`, v, min, p));
  }
  return out;
}

function spatialGeometry(kind: string, s: Checked, ceilMode: boolean, p: unknown): SpatialGeometry {
  const rank = s.inputSize.length;
  const eff: number[] = [];
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const input = s.inputSize[i]!;
    const padded = input + s.padBegin[i]! + s.padEnd[i]!;
    const e = effectiveKernel(s.kernelSize[i]!, s.dilation[i]!);
    if (e > padded) {
      fail(
        kind,
        `kernelSize[${i}]`,
        s.kernelSize[i],
        `no larger than the padded input: effective kernel D·(K−1)+1 = ${e} > ` +
          `inputSize + padBegin + padEnd = ${padded}`,
        p,
      );
    }
    eff.push(e);
    out.push(
      outputSize(
        input,
        s.kernelSize[i]!,
        s.stride[i]!,
        s.dilation[i]!,
        s.padBegin[i]!,
        s.padEnd[i]!,
        ceilMode,
      ),
    );
  }
  return {
    rank,
    ...s,
    effectiveKernel: eff,
    outputSize: out,
    inputVolume: volume(s.inputSize),
    kernelVolume: volume(s.kernelSize),
    outputVolume: volume(out),
  };
}

/** Shared by the geometry records (conv, pool, ConvTranspose). */
export function checkLength(
  kind: string,
  field: string,
  length: number,
  limits: GeometryLimits,
  p: unknown,
) {
  if (length > limits.maxTensorElements) {
    fail(
      kind,
      field,
      length,
      `at most maxTensorElements = ${limits.maxTensorElements} elements`,
      p,
    );
  }
}

/** The three tensor shapes of a convolution-like record, their lengths, each checked against the limits. */
export function tensorRecord(
  kind: string,
  shapes: { inputShape: number[]; weightShape: number[]; outputShape: number[] },
  biasLength: number,
  limits: GeometryLimits,
  p: unknown,
) {
  const record = {
    ...shapes,
    inputLength: volume(shapes.inputShape),
    weightLength: volume(shapes.weightShape),
    biasLength,
    outputLength: volume(shapes.outputShape),
  };
  checkLength(kind, 'input (elements)', record.inputLength, limits, p);
  checkLength(kind, 'weight (elements)', record.weightLength, limits, p);
  checkLength(kind, 'output (elements)', record.outputLength, limits, p);
  return record;
}

/** Shared by the geometry records (conv, pool, ConvTranspose). */
export function checkObject(kind: string, p: unknown): Record<string, unknown> {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    throw new ProblemError(kind, p, 'an object');
  }
  return p as Record<string, unknown>;
}

/**
 * The batch and channel fields of a convolution-like problem: positive
 * integers, groups dividing both channel counts.
 */
export function checkChannels(kind: string, p: Record<string, unknown>) {
  const batch = checkInteger(kind, 'batch', p.batch, 1, p);
  const inChannels = checkInteger(kind, 'inChannels', p.inChannels, 1, p);
  const outChannels = checkInteger(kind, 'outChannels', p.outChannels, 1, p);
  const groups = checkInteger(kind, 'groups', p.groups, 1, p);
  if (inChannels % groups !== 0) {
    fail(kind, 'groups', groups, `a divisor of inChannels = ${inChannels}`, p);
  }
  if (outChannels % groups !== 0) {
    fail(kind, 'groups', groups, `a divisor of outChannels = ${outChannels}`, p);
  }
  return { batch, inChannels, outChannels, groups };
}

/**
 * Validates a convolution problem and derives its geometry. Throws a
 * {@link ProblemError} naming the field and value for any impossible problem.
 *
 * @example
 * ```ts
 * const g = convGeometry(p);
 * g.outputSize;        // e.g. [28, 28]
 * g.reductionLength;   // (C_in / groups) · ΠK
 * ```
 */
export function convGeometry(
  problem: ConvProblem,
  limits: GeometryLimits = defaultLimits,
): ConvGeometry {
  const kind = 'ConvProblem';
  const p = checkObject(kind, problem);
  if (p.mode !== 'cross-correlation' && p.mode !== 'convolution') {
    fail(kind, 'mode', p.mode, "'cross-correlation' or 'convolution'", p);
  }
  if (typeof p.bias !== 'boolean') fail(kind, 'bias', p.bias, 'a boolean', p);
  const { batch, inChannels, outChannels, groups } = checkChannels(kind, p);
  const spatial = spatialGeometry(kind, checkSpatial(kind, p), false, p);
  checkPaddingMode(kind, spatial, p);
  const inChannelsPerGroup = inChannels / groups;
  const inputShape = [batch, inChannels, ...spatial.inputSize];
  const weightShape = [outChannels, inChannelsPerGroup, ...spatial.kernelSize];
  const outputShape = [batch, outChannels, ...spatial.outputSize];
  const g: ConvGeometry = {
    ...spatial,
    problem,
    batch,
    inChannels,
    outChannels,
    groups,
    inChannelsPerGroup,
    outChannelsPerGroup: outChannels / groups,
    reductionLength: inChannelsPerGroup * spatial.kernelVolume,
    flipKernel: p.mode === 'convolution',
    ...tensorRecord(
      kind,
      { inputShape, weightShape, outputShape },
      p.bias ? outChannels : 0,
      limits,
      p,
    ),
  };
  return g;
}

/** Throws unless the padding mode is known and its pads are ones it can fill. */
function checkPaddingMode(kind: string, s: SpatialGeometry, p: Record<string, unknown>): void {
  const mode = p.paddingMode;
  if (mode === undefined) return;
  if (!(PADDING_MODES as readonly unknown[]).includes(mode)) {
    fail(kind, 'paddingMode', mode, PADDING_MODES.map((m) => `'${m}'`).join(', '), p);
  }
  const m = mode as PaddingMode;
  for (const field of ['padBegin', 'padEnd'] as const) {
    s[field].forEach((pad, d) => {
      const max = maxPadFor(m, s.inputSize[d]!);
      if (pad > max) {
        const why = m === 'reflect' ? 'less than' : 'at most';
        const bound = m === 'reflect' ? max + 1 : max;
        fail(
          kind,
          `${field}[${d}]`,
          pad,
          `${why} inputSize[${d}] = ${bound} for paddingMode '${m}'`,
          p,
        );
      }
    });
  }
}

/**
 * Throws when some pooling window of dimension `dim` covers only padding. Window
 * o has taps i = o·S − Pb + k·D (0 ≤ k < K); it touches the input exactly when
 * some k lies in [⌈(0 − start)/D⌉, ⌊(I − 1 − start)/D⌋], so each window costs
 * O(1), not O(K).
 */
function checkWindowsTouchInput(s: SpatialGeometry, dim: number, p: unknown): void {
  const input = s.inputSize[dim]!;
  const dilation = s.dilation[dim]!;
  const lastTap = s.kernelSize[dim]! - 1;
  for (let o = 0; o < s.outputSize[dim]!; o++) {
    const start = o * s.stride[dim]! - s.padBegin[dim]!;
    const firstInside = Math.max(0, Math.ceil(-start / dilation));
    const lastInside = Math.min(lastTap, Math.floor((input - 1 - start) / dilation));
    if (firstInside > lastInside) {
      fail(
        'PoolProblem',
        `padBegin[${dim}]/padEnd[${dim}]`,
        [s.padBegin[dim], s.padEnd[dim]],
        `small enough that every window covers an input element (window ${o} lies wholly in padding)`,
        p,
      );
    }
  }
}

/**
 * Validates a pooling problem and derives its geometry. Besides the checks of
 * {@link convGeometry}, every window must cover at least one input element:
 * the max or mean of nothing is undefined.
 *
 * @example
 * ```ts
 * poolGeometry({ op: 'maxpool', batch: 1, channels: 1, inputSize: [6], kernelSize: [3],
 *   stride: [2], dilation: [1], padBegin: [0], padEnd: [0], ceilMode: true,
 *   countIncludePad: false }).outputSize; // [3]
 * ```
 */
export function poolGeometry(
  problem: PoolProblem,
  limits: GeometryLimits = defaultLimits,
): PoolGeometry {
  const kind = 'PoolProblem';
  const p = checkObject(kind, problem);
  if (p.op !== 'maxpool' && p.op !== 'avgpool') fail(kind, 'op', p.op, "'maxpool' or 'avgpool'", p);
  if (typeof p.ceilMode !== 'boolean') fail(kind, 'ceilMode', p.ceilMode, 'a boolean', p);
  if (typeof p.countIncludePad !== 'boolean') {
    fail(kind, 'countIncludePad', p.countIncludePad, 'a boolean', p);
  }
  const batch = checkInteger(kind, 'batch', p.batch, 1, p);
  const channels = checkInteger(kind, 'channels', p.channels, 1, p);
  const spatial = spatialGeometry(kind, checkSpatial(kind, p), p.ceilMode as boolean, p);
  const inputShape = [batch, channels, ...spatial.inputSize];
  const outputShape = [batch, channels, ...spatial.outputSize];
  const g: PoolGeometry = {
    ...spatial,
    problem,
    batch,
    channels,
    inputShape,
    outputShape,
    inputLength: volume(inputShape),
    outputLength: volume(outputShape),
  };
  // Sizes first, in closed form: the window walk below is linear in the output.
  checkLength(kind, 'input (elements)', g.inputLength, limits, p);
  checkLength(kind, 'output (elements)', g.outputLength, limits, p);
  for (let d = 0; d < spatial.rank; d++) checkWindowsTouchInput(spatial, d, p);
  return g;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/**
 * Lifts a spatial array of rank 1 to 3 to rank 3 by prepending `fill`, so that
 * loops can be written once for [D, H, W].
 */
export function lift3(values: readonly number[], fill: number): [number, number, number] {
  const pad = new Array<number>(3 - values.length).fill(fill);
  const all = [...pad, ...values];
  return [all[0]!, all[1]!, all[2]!];
}
