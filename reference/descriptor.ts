/**
 * A compact one-line problem descriptor, modelled on benchdnn's
 * `mb2ic16ih7oc16oh7kh3ph1`, but with explicit begin/end pads, 1-based dilation
 * and the mode spelled out. It is what every report, fixture and repro command
 * shows, and it round-trips: `parse(format(p))` equals `p`.
 *
 * Grammar: `<kind>:<groups of key+integer or flag words, separated by '_'>`.
 *
 *   xcorr:mb2g1ic16oc16_ih7iw7_kh3kw3_sh1sw1_dh1dw1_pbh1pbw1_peh1pew1_bias
 *   trueconv:mb1g1ic1oc1_iw9_kw3_sw1_dw1_pbw0_pew2_nobias
 *   maxpool:mb1c64_ih55iw55_kh3kw3_sh2sw2_dh1dw1_pbh0pbw0_peh0pew0_floor_excpad
 *
 * Spatial keys end in d, h or w: [W] for 1-D, [H, W] for 2-D, [D, H, W] for 3-D.
 * `xcorr` is cross-correlation (what frameworks call conv); `trueconv` flips the
 * kernel. A trailing `reflect`, `replicate` or `circular` is the padding mode
 * (absent: zeros). When parsing, stride, dilation and pads default to 1, 1 and 0, `mb`
 * and `g` to 1, and the flags to `nobias`, `floor` and `excpad`.
 */
import { ProblemError } from './errors.ts';
import type { ConvProblem, PoolProblem } from './problem.ts';

const AXES = ['d', 'h', 'w'] as const;

function axesFor(rank: number): readonly string[] {
  return AXES.slice(3 - rank);
}

function spatial(key: string, values: readonly number[]): string {
  const axes = axesFor(values.length);
  return values.map((v, i) => `${key}${axes[i]}${v}`).join('');
}

function spatialBody(p: ConvProblem | PoolProblem): string[] {
  return [
    spatial('i', p.inputSize),
    spatial('k', p.kernelSize),
    spatial('s', p.stride),
    spatial('d', p.dilation),
    spatial('pb', p.padBegin),
    spatial('pe', p.padEnd),
  ];
}

/**
 * Formats a convolution or pooling problem as a descriptor.
 *
 * @example
 * ```ts
 * formatDescriptor(p); // 'xcorr:mb1g1ic3oc8_ih32iw32_kh5kw5_sh1sw1_dh1dw1_pbh0pbw0_peh0pew0_bias'
 * ```
 */
export function formatDescriptor(p: ConvProblem | PoolProblem): string {
  if ('op' in p) {
    return [
      `${p.op}:mb${p.batch}c${p.channels}`,
      ...spatialBody(p),
      p.ceilMode ? 'ceil' : 'floor',
      p.countIncludePad ? 'incpad' : 'excpad',
    ].join('_');
  }
  const kind = p.mode === 'convolution' ? 'trueconv' : 'xcorr';
  return [
    `${kind}:mb${p.batch}g${p.groups}ic${p.inChannels}oc${p.outChannels}`,
    ...spatialBody(p),
    p.bias ? 'bias' : 'nobias',
    // Omitted for the default 'zeros', so existing descriptors stay as they are.
    ...(p.paddingMode !== undefined && p.paddingMode !== 'zeros' ? [p.paddingMode] : []),
  ].join('_');
}

/** A parsed descriptor: either kind of problem. */
export type ParsedDescriptor =
  | { kind: 'conv'; problem: ConvProblem }
  | { kind: 'pool'; problem: PoolProblem };

/** Padding-mode flags of a convolution descriptor ('zeros' is the default, never written). */
const PADDING_MODE_FLAGS = ['reflect', 'replicate', 'circular'] as const;

const FLAGS = new Set([
  'bias',
  'nobias',
  'ceil',
  'floor',
  'incpad',
  'excpad',
  ...PADDING_MODE_FLAGS,
]);

/** The one padding-mode flag of a descriptor, if any. */
function paddingModeFlag(text: string, flags: Set<string>): ConvProblem['paddingMode'] {
  const given = PADDING_MODE_FLAGS.filter((m) => flags.has(m));
  if (given.length > 1) bad(text, `at most one padding mode (got ${given.join(' and ')})`);
  return given[0];
}

function bad(text: string, why: string): never {
  throw new ProblemError('descriptor', text, why);
}

function tokenize(text: string, body: string): { values: Map<string, number>; flags: Set<string> } {
  const values = new Map<string, number>();
  const flags = new Set<string>();
  for (const part of body.split('_')) {
    if (part === '') continue;
    if (FLAGS.has(part)) {
      flags.add(part);
      continue;
    }
    const re = /([a-z]+)(\d+)/gy;
    let consumed = 0;
    for (let m = re.exec(part); m !== null; m = re.exec(part)) {
      const [, key, digits] = m;
      if (values.has(key!)) bad(text, `a descriptor with each key once (repeated '${key}')`);
      values.set(key!, Number(digits));
      consumed = re.lastIndex;
    }
    if (consumed !== part.length) bad(text, `key+integer tokens or flags (cannot read '${part}')`);
  }
  return { values, flags };
}

function take(text: string, values: Map<string, number>, key: string, fallback?: number): number {
  const v = values.get(key);
  values.delete(key);
  if (v !== undefined) return v;
  if (fallback === undefined) bad(text, `a descriptor with '${key}'`);
  return fallback;
}

function takeSpatial(
  text: string,
  values: Map<string, number>,
  key: string,
  axes: readonly string[],
  fallback?: number,
): number[] {
  return axes.map((a) => take(text, values, key + a, fallback));
}

function rankOf(text: string, values: Map<string, number>): readonly string[] {
  const rank = values.has('id') ? 3 : values.has('ih') ? 2 : values.has('iw') ? 1 : 0;
  if (rank === 0) bad(text, 'a descriptor with an input size (iw, ih iw, or id ih iw)');
  return axesFor(rank);
}

function flag(text: string, flags: Set<string>, on: string, off: string): boolean {
  if (flags.has(on) && flags.has(off)) bad(text, `either '${on}' or '${off}', not both`);
  return flags.has(on);
}

/**
 * Parses a descriptor into a problem. The problem is not validated here; pass it
 * to `convGeometry` or `poolGeometry`.
 *
 * @example
 * ```ts
 * parseDescriptor('xcorr:ic3oc8_ih32iw32_kh5kw5').problem.kernelSize; // [5, 5]
 * ```
 */
export function parseDescriptor(text: string): ParsedDescriptor {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  if (colon < 0) bad(text, "'<kind>:<body>' with kind xcorr, trueconv, maxpool or avgpool");
  const kindWord = trimmed.slice(0, colon);
  if (!['xcorr', 'trueconv', 'maxpool', 'avgpool'].includes(kindWord)) {
    bad(text, `a kind of xcorr, trueconv, maxpool or avgpool (got '${kindWord}')`);
  }
  const { values, flags } = tokenize(text, trimmed.slice(colon + 1));
  const axes = rankOf(text, values);
  const common = {
    batch: take(text, values, 'mb', 1),
    inputSize: takeSpatial(text, values, 'i', axes),
    kernelSize: takeSpatial(text, values, 'k', axes),
    stride: takeSpatial(text, values, 's', axes, 1),
    dilation: takeSpatial(text, values, 'd', axes, 1),
    padBegin: takeSpatial(text, values, 'pb', axes, 0),
    padEnd: takeSpatial(text, values, 'pe', axes, 0),
  };
  let result: ParsedDescriptor;
  if (kindWord === 'xcorr' || kindWord === 'trueconv') {
    const problem: ConvProblem = {
      mode: kindWord === 'trueconv' ? 'convolution' : 'cross-correlation',
      batch: common.batch,
      inChannels: take(text, values, 'ic'),
      outChannels: take(text, values, 'oc'),
      groups: take(text, values, 'g', 1),
      inputSize: common.inputSize,
      kernelSize: common.kernelSize,
      stride: common.stride,
      dilation: common.dilation,
      padBegin: common.padBegin,
      padEnd: common.padEnd,
      bias: flag(text, flags, 'bias', 'nobias'),
    };
    const paddingMode = paddingModeFlag(text, flags);
    if (paddingMode !== undefined) problem.paddingMode = paddingMode;
    result = { kind: 'conv', problem };
  } else {
    const mode = paddingModeFlag(text, flags);
    if (mode !== undefined) bad(text, `no padding mode on a pooling descriptor (got '${mode}')`);
    const problem: PoolProblem = {
      op: kindWord as PoolProblem['op'],
      channels: take(text, values, 'c'),
      ...common,
      ceilMode: flag(text, flags, 'ceil', 'floor'),
      countIncludePad: flag(text, flags, 'incpad', 'excpad'),
    };
    result = { kind: 'pool', problem };
  }
  if (values.size > 0) {
    bad(
      text,
      `only keys of a ${axes.length}-D ${kindWord} (unknown: ${[...values.keys()].join(', ')})`,
    );
  }
  return result;
}
