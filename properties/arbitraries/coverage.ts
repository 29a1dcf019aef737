/**
 * Guaranteed interaction coverage: a covering array over the bug-prone
 * features of a convolution problem. Every pair of features that can appear
 * together does so in at least one problem, so a kernel broken only where two
 * features meet (depthwise with dilation, true convolution with asymmetric
 * pads, ...) is caught at every seed, not only at lucky ones. A phase runs
 * these problems first, then random ones (see docs/coverage.md).
 *
 * The features are defined once, by {@link featuresOf} on a problem; the
 * greedy construction builds problems aimed at feature sets and counts what
 * they actually show, so coverage is measured, never assumed.
 *
 * Over 300 lines, on purpose: the features, the greedy covering-array construction and the
 * covering cases are one algorithm over the same feature sets.
 */
import { convGeometry } from '../../reference/geometry.ts';
import type { ConvProblem } from '../../reference/problem.ts';
import { mulberry32 } from '../../reference/random.ts';
import { type ConvCase, type DataKind, type WeightVariant, weightVariant } from '../data.ts';
import {
  type ConvProblemConstraints,
  convProblemArbitrary,
  type ResolvedConvConstraints,
  resolveConvConstraints,
} from './convProblem.ts';

/** The bug-prone features; docs/coverage.md defines each. */
export const FEATURES = [
  'convolution',
  'dilation',
  'stride',
  'asymmetric-pads',
  'window-in-padding',
  'grouped',
  'depthwise',
  'depthwise-multiplier',
  'kernel-1x1',
  'bias',
  'batch',
  'rank-1',
  'rank-2',
  'rank-3',
  'ragged-channels',
  'ragged-width',
] as const;
export type Feature = (typeof FEATURES)[number];

/** Sets of features no problem can show together, with why. */
const EXCLUSIVE: readonly { features: readonly Feature[]; reason: string }[] = [
  { features: ['rank-1', 'rank-2', 'rank-3'], reason: 'a problem has one rank' },
  {
    features: ['grouped', 'depthwise', 'depthwise-multiplier'],
    reason:
      'a problem has one channel structure (grouped has several channels per group; depthwise one, with outChannels = inChannels; depthwise-multiplier k > 1 outputs per input channel)',
  },
  {
    features: ['kernel-1x1', 'dilation'],
    reason: 'dilation changes nothing on a 1×1 kernel (there is no gap between one tap)',
  },
];

/** A pair of features, in {@link FEATURES} order. */
export type FeaturePair = readonly [Feature, Feature];

/**
 * Pairs that cannot appear together, with the reason, and every other pair.
 *
 * @example
 * ```ts
 * featurePairs().excluded.find((e) => e.pair.includes('kernel-1x1'))?.reason;
 * ```
 */
export function featurePairs(): {
  wanted: FeaturePair[];
  excluded: { pair: FeaturePair; reason: string }[];
} {
  const wanted: FeaturePair[] = [];
  const excluded: { pair: FeaturePair; reason: string }[] = [];
  FEATURES.forEach((a, i) => {
    for (const b of FEATURES.slice(i + 1)) {
      const rule = EXCLUSIVE.find((e) => e.features.includes(a) && e.features.includes(b));
      if (rule) excluded.push({ pair: [a, b], reason: rule.reason });
      else wanted.push([a, b]);
    }
  });
  return { wanted, excluded };
}

/** Whether a channel count has a body and a tail for 4-lane vectors (and is no multiple of 8). */
const raggedChannels = (n: number) => n > 4 && n % 4 !== 0;
/** Whether an output width has a body and a tail for 4- and for 8-lane vectors alike. */
const raggedWidth = (n: number) => n > 8 && n % 4 !== 0;

/** Per axis, whether some output's window lies wholly in the padding. */
function someWindowInPadding(p: ConvProblem, d: number, out: number): boolean {
  const [size, k, s, dl, pb] = [
    p.inputSize[d]!,
    p.kernelSize[d]!,
    p.stride[d]!,
    p.dilation[d]!,
    p.padBegin[d]!,
  ];
  for (let o = 0; o < out; o++) {
    let touches = false;
    for (let t = 0; t < k && !touches; t++) {
      const i = o * s - pb + t * dl;
      touches = i >= 0 && i < size;
    }
    if (!touches) return true;
  }
  return false;
}

/**
 * The bug-prone features a problem shows. A feature counts only where it is
 * observable: dilation on an axis whose kernel has more than one tap, stride on
 * an axis with more than one output.
 *
 * @example
 * ```ts
 * featuresOf(convProblem({ inputSize: [5], kernelSize: [3], dilation: [2] })); // Set { 'dilation', 'rank-1' }
 * ```
 */
export function featuresOf(p: ConvProblem): Set<Feature> {
  const g = convGeometry(p);
  const found = new Set<Feature>();
  const add = (f: Feature, when: boolean) => when && found.add(f);
  const axes = [...p.inputSize.keys()];
  add('convolution', p.mode === 'convolution');
  add(
    'dilation',
    axes.some((d) => p.dilation[d]! > 1 && p.kernelSize[d]! > 1),
  );
  add(
    'stride',
    axes.some((d) => p.stride[d]! > 1 && g.outputSize[d]! > 1),
  );
  add(
    'asymmetric-pads',
    axes.some((d) => p.padBegin[d] !== p.padEnd[d]),
  );
  add(
    'window-in-padding',
    axes.some((d) => someWindowInPadding(p, d, g.outputSize[d]!)),
  );
  const depthwise = p.groups > 1 && p.groups === p.inChannels;
  add('grouped', p.groups > 1 && !depthwise);
  add('depthwise', depthwise && p.outChannels === p.inChannels);
  add('depthwise-multiplier', depthwise && p.outChannels > p.inChannels);
  add(
    'kernel-1x1',
    p.kernelSize.every((k) => k === 1),
  );
  add('bias', p.bias);
  add('batch', p.batch > 1);
  add(`rank-${g.rank}` as Feature, true);
  add('ragged-channels', raggedChannels(p.inChannels) || raggedChannels(p.outChannels));
  add('ragged-width', raggedWidth(g.outputSize[g.rank - 1]!));
  return found;
}

/** Free choices a covering problem draws from the seed, so runs at different seeds differ. */
interface Variety {
  /** Kernel extent of the feature axis when not 1×1 (2 or 3). */
  kernel: number;
  /** Output width when not ragged (2 or 3) and when ragged (9, 10 or 11). */
  width: number;
  raggedWidth: number;
}

function channelsFor(
  f: ReadonlySet<Feature>,
  r: ResolvedConvConstraints,
): Pick<ConvProblem, 'inChannels' | 'outChannels' | 'groups'> | undefined {
  const rag = f.has('ragged-channels');
  const few = Math.min(2, r.maxChannelsPerGroup);
  // [groups, in per group, out per group]; maxGroups bounds random draws only:
  // a ragged depthwise layer needs one group per channel.
  const c = rag ? 7 : 2;
  const [groups, inPer, outPer] = f.has('depthwise')
    ? [c, 1, 1]
    : f.has('depthwise-multiplier')
      ? [c, 1, 2]
      : f.has('grouped')
        ? [2, rag ? 5 : 2, rag ? 3 : 2]
        : [1, rag ? 7 : few, rag ? 6 : few];
  if (groups > 1 && !r.allowGroups) return undefined;
  if (Math.max(inPer, outPer) > r.maxChannelsPerGroup) return undefined;
  return { inChannels: groups * inPer, outChannels: groups * outPer, groups };
}

/** The spatial fields of a covering problem: the features act on the last (width) axis. */
function spatialFor(
  f: ReadonlySet<Feature>,
  rank: number,
  r: ResolvedConvConstraints,
  v: Variety,
):
  | Pick<ConvProblem, 'inputSize' | 'kernelSize' | 'stride' | 'dilation' | 'padBegin' | 'padEnd'>
  | undefined {
  const sizes = r.kernelSizes ?? [Math.min(2, r.maxKernel), Math.min(v.kernel, r.maxKernel)];
  const wide = f.has('kernel-1x1') ? 1 : Math.max(...sizes);
  if (f.has('kernel-1x1') && r.kernelSizes !== undefined && !r.kernelSizes.includes(1)) return;
  const other = f.has('kernel-1x1') ? 1 : Math.min(...sizes);
  const stride = f.has('stride') ? 2 : 1;
  const dilation = f.has('dilation') ? 2 : 1;
  if (stride > r.maxStride || dilation > r.maxDilation) return undefined;
  const effective = (wide - 1) * dilation + 1;
  const inPadding = f.has('window-in-padding');
  const asymmetric = f.has('asymmetric-pads');
  const padBegin = inPadding ? effective : asymmetric ? 1 : 0;
  const padEnd = inPadding ? (asymmetric ? 0 : effective) : 0;
  if (Math.max(padBegin, padEnd) > r.maxPad) return undefined;
  const width = f.has('ragged-width') ? v.raggedWidth : v.width;
  const fits = effective - padBegin - padEnd + r.minInputSlack;
  const input = Math.max(1, fits, (width - 1) * stride + effective - padBegin - padEnd);
  const axes = rank - 1;
  const repeat = <T>(a: T, b: T) => [...Array<T>(axes).fill(a), b];
  return {
    inputSize: repeat(other + 1 + r.minInputSlack, input),
    kernelSize: repeat(other, wide),
    stride: repeat(1, stride),
    dilation: repeat(1, dilation),
    padBegin: repeat(0, padBegin),
    padEnd: repeat(0, padEnd),
  };
}

/** A problem aimed at showing every feature of `f`, or undefined when the constraints forbid it. */
function problemFor(
  f: ReadonlySet<Feature>,
  r: ResolvedConvConstraints,
  v: Variety,
): ConvProblem | undefined {
  const rank = ([1, 2, 3] as const).find((d) => f.has(`rank-${d}`)) ?? Math.min(...r.dims);
  if (!r.dims.includes(rank as 1 | 2 | 3)) return undefined;
  const mode = f.has('convolution') ? 'convolution' : r.modes[0]!;
  if (!r.modes.includes(mode)) return undefined;
  const batch = f.has('batch') ? 2 : 1;
  const bias = f.has('bias') ? true : r.bias === true;
  if (batch > r.maxBatch || (bias && r.bias === false)) return undefined;
  const channels = channelsFor(f, r);
  const spatial = spatialFor(f, rank, r, v);
  if (!channels || !spatial) return undefined;
  return { mode, batch, ...channels, ...spatial, bias };
}

/** Whether `p` shows every feature of `f`, fits the budget and is one the generator can shrink. */
function usable(
  p: ConvProblem | undefined,
  f: ReadonlySet<Feature>,
  r: ResolvedConvConstraints,
  shrinkable: (p: ConvProblem) => boolean,
): p is ConvProblem {
  if (!p) return false;
  const g = convGeometry(p);
  if (g.outputLength * g.reductionLength > r.maxMacs) return false;
  const shown = featuresOf(p);
  return [...f].every((x) => shown.has(x)) && shrinkable(p);
}

const pairKey = (a: Feature, b: Feature) => (a < b ? `${a}+${b}` : `${b}+${a}`);

function pairsShown(p: ConvProblem): string[] {
  const shown = [...featuresOf(p)];
  return shown.flatMap((a, i) => shown.slice(i + 1).map((b) => pairKey(a, b)));
}

function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** What {@link coveringArray} built, and the wanted pairs it could not (outside the constraints). */
export interface CoveringArray {
  problems: ConvProblem[];
  /** Wanted pairs no problem within the constraints shows (e.g. stride with maxStride 1). */
  unreachable: FeaturePair[];
}

/**
 * A covering array: problems within the constraints such that every wanted
 * pair of features (see {@link featurePairs}) reachable within them appears
 * together in at least one problem. Greedy (AETG-style): each problem starts
 * from an uncovered pair and adds the feature that covers most uncovered pairs
 * while the problem stays valid and within budget. The seed varies the
 * kernel extents, widths and order; coverage holds at every seed.
 *
 * @example
 * ```ts
 * coveringArray({ maxMacs: 40_000 }, 7).problems.length; // about 20
 * ```
 */
export function coveringArray(constraints: ConvProblemConstraints, seed: number): CoveringArray {
  const r = resolveConvConstraints(constraints);
  const arbitrary = convProblemArbitrary(constraints);
  const shrinkable = (p: ConvProblem) => arbitrary.canShrinkWithoutContext(p);
  const next = mulberry32(seed);
  const variety = (): Variety => ({
    kernel: 2 + (next() % 2),
    width: 2 + (next() % 2),
    raggedWidth: 9 + (next() % 3),
  });
  // The smallest choices: a pair that no problem shows with them is outside the constraints.
  const smallest: Variety = { kernel: 2, width: 2, raggedWidth: 9 };
  const shown = (f: ReadonlySet<Feature>, v: Variety) => {
    const p = problemFor(f, r, v);
    return usable(p, f, r, shrinkable) ? p : undefined;
  };
  const { wanted } = featurePairs();
  const unreachable = wanted.filter((pair) => !shown(new Set(pair), smallest));
  const uncovered = new Set(
    wanted.filter((pair) => !unreachable.includes(pair)).map(([a, b]) => pairKey(a, b)),
  );
  const problems: ConvProblem[] = [];
  for (const start of shuffled(wanted, next)) {
    if (!uncovered.has(pairKey(...start))) continue;
    let chosen = new Set<Feature>(start);
    const drawn = variety();
    const v = shown(chosen, drawn) ? drawn : smallest;
    let problem = shown(chosen, v)!;
    for (const f of shuffled(FEATURES, next)) {
      if (chosen.has(f)) continue;
      const trial = new Set([...chosen, f]);
      const candidate = shown(trial, v);
      if (!candidate) continue;
      const gain = pairsShown(candidate).filter((k) => uncovered.has(k)).length;
      const before = pairsShown(problem).filter((k) => uncovered.has(k)).length;
      if (gain < before) continue;
      chosen = trial;
      problem = candidate;
    }
    for (const k of pairsShown(problem)) uncovered.delete(k);
    problems.push(problem);
  }
  return { problems, unreachable };
}

/**
 * One square kernel of every wide extent in (maxKernel, maxWideKernel], in 2-D
 * when 2-D is allowed, so size-switched paths (OpenCV's DFT from 11×11) are
 * reached at every seed; each is small (output 2 to 4 per axis).
 */
function wideKernelSweep(
  r: ResolvedConvConstraints,
  shrinkable: (p: ConvProblem) => boolean,
  next: () => number,
): ConvProblem[] {
  if (r.kernelSizes !== undefined) return [];
  const rank = r.dims.includes(2) ? 2 : Math.min(...r.dims);
  const channels = Math.min(2, r.maxChannelsPerGroup);
  const problems: ConvProblem[] = [];
  for (let k = r.maxKernel + 1; k <= r.maxWideKernel; k++) {
    const pad = Math.min(r.maxPad, next() % 2);
    const axis = <T>(v: T) => Array<T>(rank).fill(v);
    const p: ConvProblem = {
      mode: r.modes[next() % r.modes.length]!,
      batch: 1,
      inChannels: channels,
      outChannels: channels,
      groups: 1,
      inputSize: axis(k + 1 + r.minInputSlack),
      kernelSize: axis(k),
      stride: axis(1),
      dilation: axis(1),
      padBegin: axis(pad),
      padEnd: axis(pad),
      bias: r.bias === 'any' ? next() % 2 === 0 : r.bias,
    };
    if (usable(p, new Set(), r, shrinkable)) problems.push(p);
  }
  return problems;
}

/** A data seed drawn from `next` whose weights are of the given variant. */
function seedOfVariant(next: () => number, variant: WeightVariant): number {
  for (;;) {
    const seed = next() >>> 1;
    if (weightVariant(seed) === variant) return seed;
  }
}

/**
 * What a phase runs before its random cases: the covering array, then the
 * wide-kernel sweep, as cases of one data kind. The first case has an all-zero
 * kernel and the second zero weights (see weightVariant), the rest usual data,
 * so those rare data reach every phase at every seed.
 *
 * @example
 * ```ts
 * fc.check(property, { seed, numRuns, examples: coveringCases('exact', {}, seed).map((c) => [c]) });
 * ```
 */
export function coveringCases(
  data: DataKind,
  constraints: ConvProblemConstraints,
  seed: number,
): ConvCase[] {
  const r = resolveConvConstraints(constraints);
  const arbitrary = convProblemArbitrary(constraints);
  const next = mulberry32(seed ^ 0x5bd1e995);
  const problems = [
    ...coveringArray(constraints, seed).problems,
    ...wideKernelSweep(r, (p) => arbitrary.canShrinkWithoutContext(p), next),
  ];
  const variants: WeightVariant[] = ['zero-kernel', 'zero-weights'];
  return problems.map((problem, i) => ({
    problem,
    data,
    dataSeed: seedOfVariant(next, variants[i] ?? 'usual'),
  }));
}
