/**
 * Where do the mismatches lie? A kernel bug leaves a fingerprint in the set of
 * wrong outputs, and naming it saves the reader most of the debugging:
 *
 * - 'layout': the output is right but stored transposed (spatial axes swapped,
 *   or channels last);
 * - 'padding': the output is right but shifted (pads swapped or misplaced), or
 *   only outputs whose window touches the padding are wrong;
 * - 'tile-remainder': only the last partial tile of some size T (2, 4, 8, 16)
 *   along an axis is wrong, or the wrong outputs repeat with period T;
 * - 'channel-mapping': only some output channels (or groups) are wrong;
 * - 'semantics': (nearly) everything is wrong: flip, mode, bias, stride…;
 * - 'precision': every wrong output is off by a tiny fraction of its magnitude
 *   Σ|x·w| (a coarser accumulator or rounded inputs), never a layout or semantics bug;
 * - 'unclassified': none of the above.
 *
 * A hint is given only when it explains every failing element, the case has
 * enough outputs to tell it from other causes ({@link MIN_HINT_OUTPUTS}), and
 * the problem can show it: no bias hint without a bias, no axis-swap or shift
 * hint when swapping or shifting the oracle's own output changes nothing.
 *
 * Over 300 lines, on purpose: the mismatch classifier tries the patterns in one
 * order (most specific first); the order is the design and is read in one place.
 */
import { convGeometry } from '../reference/geometry.ts';
import type { ConvProblem } from '../reference/problem.ts';

/** Names of the mismatch fingerprints. */
export type MismatchKind =
  | 'padding'
  | 'tile-remainder'
  | 'layout'
  | 'channel-mapping'
  | 'semantics'
  | 'precision'
  | 'unclassified';

/** A classified mismatch: the kind and a one-line human explanation. */
export interface MismatchPattern {
  kind: MismatchKind;
  detail: string;
}

/** Arguments of {@link classifyMismatch}. */
export interface MismatchInput {
  problem: ConvProblem;
  reference: ArrayLike<number>;
  got: ArrayLike<number>;
  /** 1 where the element failed the comparison. */
  failing: ArrayLike<number>;
  /** Per-element magnitude Σ|x·w| + |b|; enables the 'precision' label. */
  magnitude?: ArrayLike<number>;
  /** The worst |error| / bound, when finite; shown with the 'precision' label. */
  worstBoundRatio?: number;
}

/** Fewest outputs a case needs before a location or semantics hint is given. */
export const MIN_HINT_OUTPUTS = 4;
/** An error at most this fraction of the magnitude Σ|x·w| is a precision shortfall. */
export const PRECISION_FRACTION = 2 ** -10;

/** Tile sizes real kernels use along an axis. */
const TILE_SIZES = [2, 4, 8, 16];
/** Largest shift searched along an axis. */
const MAX_SHIFT = 4;
/** Fraction of failing outputs from which everything counts as wrong. */
const SEMANTICS_FRACTION = 0.9;

/** Output of rank 2 + spatial rank, in the form the checks index. */
interface Layout {
  batch: number;
  channels: number;
  size: readonly number[];
  spatial: number;
}

function closeTo(a: number, b: number, scale: number): boolean {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  return Math.abs(a - b) <= 1e-3 * Math.max(Math.abs(a), Math.abs(b)) + 1e-6 * scale;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]!);
    if (Number.isFinite(v) && v > m) m = v;
  }
  return m;
}

/** Spatial coordinates of a flat spatial index. */
function spatialCoords(index: number, size: readonly number[]): number[] {
  const coords = new Array<number>(size.length);
  for (let d = size.length - 1; d >= 0; d--) {
    coords[d] = index % size[d]!;
    index = Math.floor(index / size[d]!);
  }
  return coords;
}

function spatialIndex(coords: readonly number[], size: readonly number[]): number {
  let index = 0;
  for (let d = 0; d < size.length; d++) index = index * size[d]! + coords[d]!;
  return index;
}

/** Does `got`, read as `permute(n, c, coords)`, equal the reference everywhere? */
function matchesPermutation(
  input: MismatchInput,
  layout: Layout,
  scale: number,
  sourceIndex: (n: number, c: number, coords: number[]) => number,
): boolean {
  const { batch, channels, size, spatial } = layout;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      for (let s = 0; s < spatial; s++) {
        const ref = input.reference[(n * channels + c) * spatial + s]!;
        const got = input.got[sourceIndex(n, c, spatialCoords(s, size))]!;
        if (!closeTo(got, ref, scale)) return false;
      }
    }
  }
  return true;
}

function detectLayout(
  input: MismatchInput,
  layout: Layout,
  scale: number,
): MismatchPattern | undefined {
  const { channels, size, spatial } = layout;
  const reversed = size.slice().reverse();
  const asOracle = { ...input, got: input.reference };
  if (size.length >= 2) {
    const swap = (n: number, c: number, coords: number[]) =>
      (n * channels + c) * spatial + spatialIndex(coords.slice().reverse(), reversed);
    // A swap that leaves the oracle's own output unchanged cannot be told from a correct one.
    const transposed =
      !matchesPermutation(asOracle, layout, scale, swap) &&
      matchesPermutation(input, layout, scale, swap);
    if (transposed) {
      return {
        kind: 'layout',
        detail: 'output is the oracle with the spatial axes reversed (H and W swapped?)',
      };
    }
  }
  if (channels > 1 && spatial > 1) {
    const last = (n: number, c: number, coords: number[]) =>
      (n * spatial + spatialIndex(coords, size)) * channels + c;
    const channelsLast =
      !matchesPermutation(asOracle, layout, scale, last) &&
      matchesPermutation(input, layout, scale, last);
    if (channelsLast) {
      return {
        kind: 'layout',
        detail: 'output is the oracle stored channels-last (NHWC instead of NCHW)',
      };
    }
  }
  return undefined;
}

/** Does got[o] equal ref[o + shift] wherever o + shift is inside, over at least half the outputs? */
function matchesShift(
  input: MismatchInput,
  layout: Layout,
  shift: number[],
  scale: number,
): boolean {
  const { batch, channels, size, spatial } = layout;
  let compared = 0;
  let nonzero = 0;
  for (let s = 0; s < spatial; s++) {
    const coords = spatialCoords(s, size);
    const target = coords.map((v, d) => v + shift[d]!);
    if (target.some((v, d) => v < 0 || v >= size[d]!)) continue;
    const t = spatialIndex(target, size);
    for (let nc = 0; nc < batch * channels; nc++) {
      const ref = input.reference[nc * spatial + t]!;
      if (!closeTo(input.got[nc * spatial + s]!, ref, scale)) return false;
      compared++;
      if (ref !== 0) nonzero++;
    }
  }
  return nonzero > 0 && compared * 2 >= batch * channels * spatial;
}

function detectShift(
  input: MismatchInput,
  layout: Layout,
  scale: number,
): MismatchPattern | undefined {
  const rank = layout.size.length;
  const shift = new Array<number>(rank).fill(-MAX_SHIFT);
  // Every shift vector in [−4, 4]^rank except 0; most fail on their first element.
  for (;;) {
    if (
      shift.some((v) => v !== 0) &&
      matchesShift(input, layout, shift, scale) &&
      // The oracle's own output must not match the shift too (then nothing is explained).
      !matchesShift({ ...input, got: input.reference }, layout, shift, scale)
    ) {
      return {
        kind: 'padding',
        detail: `output is the oracle shifted by [${shift.join(', ')}] (pads swapped or misplaced?)`,
      };
    }
    let d = rank - 1;
    while (d >= 0 && shift[d] === MAX_SHIFT) shift[d--] = -MAX_SHIFT;
    if (d < 0) return undefined;
    shift[d]! += 1;
  }
}

/** The failing coordinates along each spatial axis, and the failing channels. */
function failingCoordinates(input: MismatchInput, layout: Layout) {
  const axes = layout.size.map(() => new Set<number>());
  const channels = new Map<number, number>();
  let count = 0;
  for (let i = 0; i < input.failing.length; i++) {
    if (input.failing[i] !== 1) continue;
    count++;
    const s = i % layout.spatial;
    const c = Math.floor(i / layout.spatial) % layout.channels;
    channels.set(c, (channels.get(c) ?? 0) + 1);
    spatialCoords(s, layout.size).forEach((v, d) => {
      axes[d]!.add(v);
    });
  }
  return { axes, channels, count };
}

const AXIS_NAMES: Record<number, readonly string[]> = {
  1: ['W'],
  2: ['H', 'W'],
  3: ['D', 'H', 'W'],
};

function detectTile(axes: Set<number>[], size: readonly number[]): MismatchPattern | undefined {
  for (let d = size.length - 1; d >= 0; d--) {
    const extent = size[d]!;
    const failing = [...axes[d]!];
    const name = AXIS_NAMES[size.length]![d]!;
    for (const tile of TILE_SIZES) {
      const remainder = extent % tile;
      if (extent < tile || remainder === 0) continue;
      const start = extent - remainder;
      if (failing.every((v) => v >= start)) {
        return {
          kind: 'tile-remainder',
          detail: `only the last partial tile of ${tile} along ${name} (positions ${start}..${extent - 1}) is wrong`,
        };
      }
    }
    for (const tile of TILE_SIZES) {
      if (extent < 2 * tile) continue;
      const residues = new Set(failing.map((v) => v % tile));
      // Periodic means: within the whole tiles, exactly the positions of those residues fail.
      const whole = extent - (extent % tile);
      let periodic = residues.size < tile;
      for (let v = 0; v < whole && periodic; v++) {
        periodic = residues.has(v % tile) === axes[d]!.has(v);
      }
      if (periodic) {
        return {
          kind: 'tile-remainder',
          detail: `wrong outputs repeat with period ${tile} along ${name} (positions ≡ ${[...residues].sort((a, b) => a - b).join(', ')} mod ${tile})`,
        };
      }
    }
  }
  return undefined;
}

/** 1 for outputs whose window touches the padding along some axis. */
function borderMask(problem: ConvProblem, layout: Layout): Uint8Array {
  const g = convGeometry(problem);
  const mask = new Uint8Array(layout.spatial);
  for (let s = 0; s < layout.spatial; s++) {
    const coords = spatialCoords(s, layout.size);
    mask[s] = coords.some((o, d) => {
      const first = o * g.stride[d]! - g.padBegin[d]!;
      const last = first + (g.kernelSize[d]! - 1) * g.dilation[d]!;
      return first < 0 || last >= g.inputSize[d]!;
    })
      ? 1
      : 0;
  }
  return mask;
}

function detectBorder(input: MismatchInput, layout: Layout): MismatchPattern | undefined {
  const mask = borderMask(input.problem, layout);
  const borders = mask.reduce((a, b) => a + b, 0);
  if (borders === 0 || borders === layout.spatial) return undefined;
  for (let i = 0; i < input.failing.length; i++) {
    if (input.failing[i] === 1 && mask[i % layout.spatial] === 0) return undefined;
  }
  return { kind: 'padding', detail: 'only outputs whose window touches the padding are wrong' };
}

function detectChannels(
  problem: ConvProblem,
  channels: Map<number, number>,
  layout: Layout,
): MismatchPattern | undefined {
  if (channels.size === 0 || channels.size === layout.channels) return undefined;
  const wrong = [...channels.keys()].sort((a, b) => a - b);
  const perGroup = layout.channels / problem.groups;
  const groups = [...new Set(wrong.map((c) => Math.floor(c / perGroup)))];
  const wholeGroups =
    problem.groups > 1 &&
    groups.length < problem.groups &&
    groups.every((grp) => {
      for (let c = grp * perGroup; c < (grp + 1) * perGroup; c++)
        if (!channels.has(c)) return false;
      return true;
    });
  const list = wrong.length > 8 ? `${wrong.slice(0, 8).join(', ')}, …` : wrong.join(', ');
  return {
    kind: 'channel-mapping',
    detail: wholeGroups
      ? `only groups ${groups.join(', ')} of ${problem.groups} are wrong (group → channel mapping?)`
      : `only output channels ${list} of ${layout.channels} are wrong`,
  };
}

/**
 * When got − ref is one constant per output channel, names it (a dropped or
 * doubled bias): only for a problem with a bias, and with at least two outputs
 * per channel to show the constant.
 */
function constantOffset(input: MismatchInput, layout: Layout, scale: number): string | undefined {
  const { batch, channels, spatial } = layout;
  if (!input.problem.bias || batch * spatial < 2) return undefined;
  for (let c = 0; c < channels; c++) {
    const first = input.got[c * spatial]! - input.reference[c * spatial]!;
    for (let n = 0; n < batch; n++) {
      for (let s = 0; s < spatial; s++) {
        const i = (n * channels + c) * spatial + s;
        if (!closeTo(input.got[i]! - input.reference[i]!, first, scale)) return undefined;
      }
    }
  }
  return 'every output is off by one constant per channel (bias dropped or applied twice?)';
}

/** The semantic features this problem has that could make everything wrong. */
function suspects(p: ConvProblem): string {
  const has = (a: readonly number[]) => a.some((v) => v > 1);
  const list = [
    p.mode === 'convolution' ? 'kernel flip' : 'mode',
    ...(has(p.stride) ? ['stride'] : []),
    ...(has(p.dilation) ? ['dilation'] : []),
    ...(p.groups > 1 ? ['groups'] : []),
    ...(p.bias ? ['bias'] : []),
  ];
  return list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list.at(-1)}` : list[0]!;
}

/** The 'precision' label when every failing element is off by a tiny fraction of its magnitude. */
function precisionOnly(input: MismatchInput): MismatchPattern | undefined {
  const mag = input.magnitude;
  if (!mag) return undefined;
  let worst = 0;
  for (let i = 0; i < input.failing.length; i++) {
    if (input.failing[i] !== 1) continue;
    const error = Math.abs(input.got[i]! - input.reference[i]!);
    const relative = error / mag[i]!;
    if (!(Number.isFinite(relative) && relative <= PRECISION_FRACTION)) return undefined;
    worst = Math.max(worst, relative);
  }
  const ratio = input.worstBoundRatio;
  const bound =
    ratio !== undefined && Number.isFinite(ratio) ? `${ratio.toPrecision(3)}× the bound, ` : '';
  return {
    kind: 'precision',
    detail: `precision only: errors up to ${bound}${worst.toExponential(2)} of the magnitude Σ|x·w| (a coarser accumulator or rounded inputs?), not a layout or semantics bug`,
  };
}

/**
 * Classifies a mismatch by where the failing outputs lie. The checks run from
 * the most specific (a transposed or shifted but otherwise right output) to the
 * least (everything wrong).
 *
 * @example
 * ```ts
 * classifyMismatch({ problem, reference, got, failing }).kind; // e.g. 'tile-remainder'
 * ```
 */
export function classifyMismatch(input: MismatchInput): MismatchPattern {
  const g = convGeometry(input.problem);
  const layout: Layout = {
    batch: g.batch,
    channels: g.outChannels,
    size: g.outputSize,
    spatial: g.outputVolume,
  };
  const scale = maxAbs(input.reference);
  const { axes, channels, count } = failingCoordinates(input, layout);
  if (count === 0) return { kind: 'unclassified', detail: 'no failing outputs' };
  const precision = precisionOnly(input);
  if (precision) return precision;
  if (g.outputLength < MIN_HINT_OUTPUTS) {
    return {
      kind: 'unclassified',
      detail: `${count} of ${g.outputLength} outputs are wrong; too few outputs to tell a pattern`,
    };
  }
  const fraction = count / g.outputLength;
  const located =
    detectLayout(input, layout, scale) ??
    detectShift(input, layout, scale) ??
    detectTile(axes, layout.size) ??
    detectBorder(input, layout) ??
    detectChannels(input.problem, channels, layout);
  if (located) return located;
  if (fraction >= SEMANTICS_FRACTION) {
    return {
      kind: 'semantics',
      detail:
        constantOffset(input, layout, scale) ??
        `${Math.round(fraction * 100)}% of outputs are wrong (${suspects(input.problem)}?)`,
    };
  }
  return {
    kind: 'unclassified',
    detail: `${count} of ${g.outputLength} outputs are wrong, in no recognised pattern`,
  };
}
