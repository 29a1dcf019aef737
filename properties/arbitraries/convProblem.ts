/**
 * The convolution-problem arbitrary: every generated problem is valid by
 * construction (no filtering), covers 1-D to 3-D, batches, grouped and
 * depthwise channels, stride, dilation and asymmetric padding (including pads
 * larger than the kernel and windows wholly inside padding), and leans toward
 * the shapes where kernels break: output size 1, stride larger than the kernel,
 * sizes that are not multiples of 4 or 8, the occasional large plane and real
 * network layers scaled down to the budget.
 *
 * Everything is built from independent integers with `fc.record`/`fc.tuple` and
 * one `.map`, never `.chain`, so shrinking reaches the minimal problem
 * (1 channel, size 1, kernel 1, no padding) along each field separately.
 *
 * Over 300 lines, on purpose: the problem arbitrary and its constraints object are
 * one unit; the biasing toward bug-prone shapes draws from all fields at once.
 */
import fc from 'fast-check';
import { formatDescriptor } from '../../reference/descriptor.ts';
import { outputSize } from '../../reference/formulas.ts';
import { maxPadFor, PADDING_MODES } from '../../reference/padding-mode.ts';
import type { ConvMode, ConvProblem, PaddingMode } from '../../reference/problem.ts';
import {
  axisInput,
  biasedInteger,
  halveLargest,
  type RawAxis,
  rarely,
  spatialAxisArbitrary,
  widenedInteger,
  withOccasional,
} from './axis.ts';

/** Limits and switches for {@link convProblemArbitrary}. Every field is optional. */
export interface ConvProblemConstraints {
  /** Spatial ranks to draw from; shrinking goes toward the first. Default [1, 2, 3]. */
  dims?: readonly (1 | 2 | 3)[];
  /** Modes to draw from; shrinking goes toward the first. Default both, cross-correlation first. */
  modes?: readonly ConvMode[];
  /** Largest batch. Default 3. */
  maxBatch?: number;
  /** Whether groups > 1 (grouped and depthwise convolutions) may appear. Default true. */
  allowGroups?: boolean;
  /** Largest group count. Default 4. */
  maxGroups?: number;
  /** Largest input and output channel count per group. Default 7 (not a multiple of 4 on purpose). */
  maxChannelsPerGroup?: number;
  /** Largest kernel extent per dimension. Default 5. */
  maxKernel?: number;
  /**
   * Largest extent of the rare wide kernels (one axis in 16 is drawn in
   * (maxKernel, maxWideKernel]; the covering array sweeps them in 2-D). Default
   * 15, or maxKernel when maxKernel is given (then no wide kernels).
   */
  maxWideKernel?: number;
  /** When given, kernel extents are drawn from this list only (e.g. [3] for a Winograd kernel). */
  kernelSizes?: readonly number[];
  /** Largest stride. Default 3. */
  maxStride?: number;
  /** Largest dilation. Default 3. */
  maxDilation?: number;
  /** Largest pad at either end. Default 4 (larger than most kernels: windows inside padding). */
  maxPad?: number;
  /** Smallest input slack (input beyond the minimum the window needs). Default 0. */
  minInputSlack?: number;
  /** Largest input slack in the common case. Default 10. */
  maxInputSlack?: number;
  /** 'any' (default) or force the bias on or off. */
  bias?: 'any' | boolean;
  /** Cap on oracle cost, outputLength · reductionLength. Default 40 000. */
  maxMacs?: number;
  /** Whether real network layers (AlexNet, VGG, ResNet-50, MobileNetV2) may appear. Default true. */
  networkLayers?: boolean;
  /** Whether planes larger than 64 may appear (rarely, within the budget). Default true. */
  largePlanes?: boolean;
  /**
   * Padding modes to draw from; the first is drawn 15 times in 16, the others
   * share the rest, and shrinking goes toward the first. Default all four,
   * zeros first. A kernel that pads with zeros only declines the others
   * (`zeroPaddingOnly`); a test whose law holds for zeros only passes ['zeros'].
   */
  paddingModes?: readonly PaddingMode[];
}

/** A conv layer of a real network, as published (2-D, square, symmetric padding). */
export interface NetworkLayer {
  name: string;
  inChannels: number;
  outChannels: number;
  groups: number;
  kernel: number;
  stride: number;
  pad: number;
}

/**
 * Conv layers of well-known networks. Their channel counts and kernels are kept;
 * the spatial size comes from the generated slack and the budget halves channels
 * when needed.
 */
export const networkLayers: readonly NetworkLayer[] = (
  [
    // name, inChannels, outChannels, groups, kernel, stride, pad
    ['alexnet.conv1', 3, 96, 1, 11, 4, 2],
    ['alexnet.conv2', 96, 256, 2, 5, 1, 2],
    ['alexnet.conv3', 256, 384, 1, 3, 1, 1],
    ['alexnet.conv5', 384, 256, 2, 3, 1, 1],
    ['vgg16.conv1_1', 3, 64, 1, 3, 1, 1],
    ['vgg16.conv3_1', 128, 256, 1, 3, 1, 1],
    ['vgg16.conv5_3', 512, 512, 1, 3, 1, 1],
    ['resnet50.conv1', 3, 64, 1, 7, 2, 3],
    ['resnet50.res2a.1x1', 64, 64, 1, 1, 1, 0],
    ['resnet50.res2a.3x3', 64, 64, 1, 3, 1, 1],
    ['resnet50.res3a.3x3s2', 128, 128, 1, 3, 2, 1],
    ['resnet50.res3a.down', 256, 512, 1, 1, 2, 0],
    ['mobilenetv2.conv1', 3, 32, 1, 3, 2, 1],
    ['mobilenetv2.b1.dw', 32, 32, 32, 3, 1, 1],
    ['mobilenetv2.b2.expand', 16, 96, 1, 1, 1, 0],
    ['mobilenetv2.b2.dw', 96, 96, 96, 3, 2, 1],
    ['mobilenetv2.b3.project', 144, 24, 1, 1, 1, 0],
  ] as const
).map(([name, inChannels, outChannels, groups, kernel, stride, pad]) => ({
  name,
  inChannels,
  outChannels,
  groups,
  kernel,
  stride,
  pad,
}));

/** Constraints with every default filled in (see {@link resolveConvConstraints}). */
export type ResolvedConvConstraints = Required<Omit<ConvProblemConstraints, 'kernelSizes'>> & {
  kernelSizes: readonly number[] | undefined;
  /** Network layers keep their published kernel and stride unless a limit was given explicitly. */
  layerMaxKernel: number;
  layerMaxStride: number;
};

/**
 * The constraints with every default filled in, validated (a RangeError names a bad field).
 *
 * @example
 * ```ts
 * resolveConvConstraints({}).maxKernel; // 5
 * ```
 */
export function resolveConvConstraints(c: ConvProblemConstraints): ResolvedConvConstraints {
  const r: ResolvedConvConstraints = {
    dims: c.dims ?? [1, 2, 3],
    modes: c.modes ?? ['cross-correlation', 'convolution'],
    maxBatch: c.maxBatch ?? 3,
    allowGroups: c.allowGroups ?? true,
    maxGroups: c.allowGroups === false ? 1 : (c.maxGroups ?? 4),
    maxChannelsPerGroup: c.maxChannelsPerGroup ?? 7,
    maxKernel: c.maxKernel ?? 5,
    maxWideKernel: c.maxWideKernel ?? c.maxKernel ?? 15,
    kernelSizes: c.kernelSizes,
    maxStride: c.maxStride ?? 3,
    maxDilation: c.maxDilation ?? 3,
    maxPad: c.maxPad ?? 4,
    minInputSlack: c.minInputSlack ?? 0,
    maxInputSlack: c.maxInputSlack ?? 10,
    bias: c.bias ?? 'any',
    maxMacs: c.maxMacs ?? 40_000,
    networkLayers: c.networkLayers ?? true,
    largePlanes: c.largePlanes ?? true,
    paddingModes: c.paddingModes ?? PADDING_MODES,
    layerMaxKernel: c.maxKernel ?? 11,
    layerMaxStride: c.maxStride ?? 4,
  };
  const positive = [
    'maxBatch',
    'maxGroups',
    'maxChannelsPerGroup',
    'maxKernel',
    'maxWideKernel',
    'maxStride',
  ] as const;
  for (const key of [...positive, 'maxDilation', 'maxMacs'] as const) {
    if (!Number.isSafeInteger(r[key]) || r[key] < 1) {
      throw new RangeError(
        `ConvProblemConstraints.${key} must be a positive integer, got ${r[key]}`,
      );
    }
  }
  for (const key of ['maxPad', 'minInputSlack', 'maxInputSlack'] as const) {
    if (!Number.isSafeInteger(r[key]) || r[key] < 0) {
      throw new RangeError(`ConvProblemConstraints.${key} must be an integer ≥ 0, got ${r[key]}`);
    }
  }
  if (r.dims.length === 0 || r.dims.some((d) => d !== 1 && d !== 2 && d !== 3)) {
    throw new RangeError(`ConvProblemConstraints.dims must list ranks 1, 2 or 3, got [${r.dims}]`);
  }
  if (r.modes.length === 0) throw new RangeError('ConvProblemConstraints.modes must not be empty');
  if (r.paddingModes.length === 0 || r.paddingModes.some((m) => !PADDING_MODES.includes(m))) {
    throw new RangeError(
      `ConvProblemConstraints.paddingModes must list modes of ${PADDING_MODES.join(', ')}, got [${r.paddingModes}]`,
    );
  }
  if (
    r.kernelSizes !== undefined &&
    !r.kernelSizes.every((k) => Number.isSafeInteger(k) && k > 0)
  ) {
    throw new RangeError(
      `ConvProblemConstraints.kernelSizes must list positive integers, got [${r.kernelSizes}]`,
    );
  }
  return r;
}

interface RawProblem {
  rank: 1 | 2 | 3;
  mode: ConvMode;
  batch: number;
  groups: number;
  depthwise: boolean;
  inPerGroup: number;
  outPerGroup: number;
  axes: [RawAxis, RawAxis, RawAxis];
  bias: boolean;
  paddingMode: PaddingMode;
}

function usableLayers(r: ResolvedConvConstraints): NetworkLayer[] {
  if (!r.networkLayers) return [];
  return networkLayers.filter(
    (l) =>
      (r.kernelSizes === undefined
        ? l.kernel <= r.layerMaxKernel
        : r.kernelSizes.includes(l.kernel)) &&
      l.stride <= r.layerMaxStride &&
      l.pad <= r.maxPad &&
      (l.groups === 1 || r.allowGroups),
  );
}

/** The raw problem of a network layer: its channels, kernel, stride and pads, the rest generated. */
function layerRaw(raw: RawProblem, layer: NetworkLayer): RawProblem {
  const axis = (a: RawAxis): RawAxis => ({
    kernel: layer.kernel,
    stride: layer.stride,
    dilation: 1,
    padBegin: layer.pad,
    padEnd: layer.pad,
    slack: a.slack,
  });
  return {
    ...raw,
    groups: layer.groups,
    depthwise: false,
    inPerGroup: layer.inChannels / layer.groups,
    outPerGroup: layer.outChannels / layer.groups,
    axes: [axis(raw.axes[0]), axis(raw.axes[1]), axis(raw.axes[2])],
  };
}

/** Sizes of a problem in the factored form the budget fitting works on. */
interface Shape {
  batch: number;
  groups: number;
  inPerGroup: number;
  outPerGroup: number;
  axes: RawAxis[];
}

function axisOutput(a: RawAxis): number {
  return outputSize(axisInput(a), a.kernel, a.stride, a.dilation, a.padBegin, a.padEnd);
}

function macsOf(s: Shape): number {
  let spatialOut = 1;
  let kernelVolume = 1;
  for (const a of s.axes) {
    spatialOut *= axisOutput(a);
    kernelVolume *= a.kernel;
  }
  return s.batch * s.groups * s.outPerGroup * spatialOut * s.inPerGroup * kernelVolume;
}

function halveLargestChannelFactor(s: Shape): boolean {
  const keys = (['groups', 'inPerGroup', 'outPerGroup'] as const).filter((k) => s[k] > 1);
  if (keys.length === 0) return false;
  const key = keys.reduce((a, b) => (s[b] > s[a] ? b : a));
  s[key] = Math.max(1, Math.floor(s[key] / 2));
  return true;
}

/**
 * Shrinks a shape until its oracle cost fits the budget: batch first, then
 * whichever of channels and plane is larger, then pads, dilation and kernel.
 * Each step is monotone in the raw values, so shrinking stays well behaved.
 */
function fitBudget(s: Shape, maxMacs: number, minSlack: number): void {
  while (macsOf(s) > maxMacs) {
    if (s.batch > 1) {
      s.batch = Math.floor(s.batch / 2);
      continue;
    }
    const channels = s.groups * s.inPerGroup * s.outPerGroup;
    const plane = s.axes.reduce((v, a) => v * axisOutput(a), 1);
    if (plane >= channels && halveLargest(s.axes, 'slack', minSlack)) continue;
    if (halveLargestChannelFactor(s)) continue;
    if (halveLargest(s.axes, 'slack', minSlack)) continue;
    if (halveLargest(s.axes, 'padBegin', 0) || halveLargest(s.axes, 'padEnd', 0)) continue;
    if (halveLargest(s.axes, 'dilation', 1)) continue;
    if (!halveLargest(s.axes, 'kernel', 1)) return;
  }
}

function buildProblem(raw: RawProblem, r: ResolvedConvConstraints): ConvProblem {
  const shape: Shape = {
    batch: raw.batch,
    groups: raw.groups,
    inPerGroup: raw.depthwise ? 1 : raw.inPerGroup,
    outPerGroup: raw.outPerGroup,
    axes: raw.axes.slice(0, raw.rank).map((a) => ({ ...a, slack: a.slack + r.minInputSlack })),
  };
  fitBudget(shape, r.maxMacs, r.minInputSlack);
  for (const a of shape.axes) fitPadsToMode(a, raw.paddingMode);
  return {
    mode: raw.mode,
    batch: shape.batch,
    inChannels: shape.groups * shape.inPerGroup,
    outChannels: shape.groups * shape.outPerGroup,
    groups: shape.groups,
    inputSize: shape.axes.map(axisInput),
    kernelSize: shape.axes.map((a) => a.kernel),
    stride: shape.axes.map((a) => a.stride),
    dilation: shape.axes.map((a) => a.dilation),
    padBegin: shape.axes.map((a) => a.padBegin),
    padEnd: shape.axes.map((a) => a.padEnd),
    bias: raw.bias,
    ...(raw.paddingMode === 'zeros' ? {} : { paddingMode: raw.paddingMode }),
  };
}

/**
 * Lowers the pads of an axis until `mode` allows them (reflect: pad < input;
 * circular: pad ≤ input). The input is derived from the pads and the slack, so
 * each pad taken off adds one input element: the padded extent, the output size
 * and the cost stay the same, and the loop ends. Idempotent, as rawOf needs.
 */
function fitPadsToMode(a: RawAxis, mode: PaddingMode): void {
  while (Math.max(a.padBegin, a.padEnd) > maxPadFor(mode, axisInput(a))) {
    if (a.padBegin >= a.padEnd) a.padBegin--;
    else a.padEnd--;
  }
}

/** Largest channel count per group and group count among the network layers. */
const LAYER_MAX_PER_GROUP = Math.max(
  ...networkLayers.flatMap((l) => [l.inChannels / l.groups, l.outChannels / l.groups]),
);
const LAYER_MAX_GROUPS = Math.max(...networkLayers.map((l) => l.groups));

/**
 * Arbitrary of valid convolution problems.
 *
 * The input size of each axis is derived, not drawn: input = max(1, D·(K−1)+1 −
 * padBegin − padEnd + slack), which is always large enough for the dilated
 * kernel, so no problem is ever rejected. Problems over `maxMacs` are scaled
 * down (batch, then channels or plane, then pads, dilation, kernel).
 *
 * One problem in ten is a real network layer; it is injected as raw values the
 * generic arbitrary can shrink itself, so a failure found on a VGG layer still
 * shrinks to a minimal problem.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(convProblemArbitrary({ dims: [2], maxMacs: 10_000 }), (p) => {
 *   convGeometry(p); // never throws
 * }));
 * ```
 */
export function convProblemArbitrary(
  constraints: ConvProblemConstraints = {},
): fc.Arbitrary<ConvProblem> {
  const r = resolveConvConstraints(constraints);
  const layers = usableLayers(r);
  const axis = spatialAxisArbitrary({
    ...r,
    shrinkMaxKernel: Math.max(r.layerMaxKernel, r.maxWideKernel),
    shrinkMaxStride: r.layerMaxStride,
  });
  const perGroup = widenedInteger(1, r.maxChannelsPerGroup, LAYER_MAX_PER_GROUP);
  const groups = biasedInteger(1, Math.max(r.maxGroups, LAYER_MAX_GROUPS), [
    { weight: 3, arbitrary: fc.constant(1) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: r.maxGroups }) },
  ]);
  const generic: fc.Arbitrary<RawProblem> = fc.record({
    rank: fc.constantFrom(...r.dims),
    mode: fc.constantFrom(...r.modes),
    batch: fc.integer({ min: 1, max: r.maxBatch }),
    groups,
    depthwise: r.maxGroups === 1 ? fc.constant(false) : rarely(4),
    inPerGroup: perGroup,
    outPerGroup: perGroup,
    axes: fc.tuple(axis, axis, axis),
    bias: r.bias === 'any' ? fc.boolean() : fc.constant(r.bias),
    paddingMode: paddingModeArbitrary(r.paddingModes),
  });
  const raw = withOccasional(generic, layers.length, (v, i) => layerRaw(v, layers[i]!), 10);
  return raw.map(
    (value) => buildProblem(value, r),
    (value) => rawOf(value as ConvProblem, r),
  );
}

/**
 * The first mode 15 times in 16, the others sharing the rest; shrinks toward
 * the first (zeros by default), so a failure under reflect padding stays under
 * reflect only when zeros would pass.
 */
function paddingModeArbitrary(modes: readonly PaddingMode[]): fc.Arbitrary<PaddingMode> {
  if (modes.length === 1) return fc.constant(modes[0]!);
  return biasedInteger(0, modes.length - 1, [
    { weight: 15, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: modes.length - 1 }) },
  ]).map(
    (i) => modes[i]!,
    (m) => modes.indexOf(m as PaddingMode),
  );
}

/** The raw axis whose input, kernel, stride, dilation and pads are those of axis `d` of `p`. */
function rawAxisOf(p: ConvProblem, d: number, r: ResolvedConvConstraints): RawAxis {
  const kernel = p.kernelSize[d]!;
  const dilation = p.dilation[d]!;
  const padBegin = p.padBegin[d]!;
  const padEnd = p.padEnd[d]!;
  const fits = (kernel - 1) * dilation + 1 - padBegin - padEnd;
  return {
    kernel,
    stride: p.stride[d]!,
    dilation,
    padBegin,
    padEnd,
    slack: p.inputSize[d]! - fits - r.minInputSlack,
  };
}

const UNUSED_AXIS: RawAxis = {
  kernel: 1,
  stride: 1,
  dilation: 1,
  padBegin: 0,
  padEnd: 0,
  slack: 0,
};

/**
 * The raw values that build `p` (the inverse of buildProblem), so that a
 * problem given from outside (a covering-array case passed to fast-check as an
 * example) shrinks like a generated one. Throws when no raw value builds it.
 */
function rawOf(p: ConvProblem, r: ResolvedConvConstraints): RawProblem {
  const rank = p.inputSize.length as 1 | 2 | 3;
  const axes = [0, 1, 2].map((d) => (d < rank ? rawAxisOf(p, d, r) : UNUSED_AXIS));
  const raw: RawProblem = {
    rank,
    mode: p.mode,
    batch: p.batch,
    groups: p.groups,
    depthwise: false,
    inPerGroup: p.inChannels / p.groups,
    outPerGroup: p.outChannels / p.groups,
    axes: axes as RawProblem['axes'],
    bias: p.bias,
    paddingMode: p.paddingMode ?? 'zeros',
  };
  if (formatDescriptor(buildProblem(raw, r)) !== formatDescriptor(p)) {
    throw new RangeError(`no raw values build ${JSON.stringify(p)} within the constraints`);
  }
  return raw;
}
