/**
 * The pooling-problem arbitrary: max and average pooling, 1-D to 3-D, stride,
 * dilation, asymmetric padding, ceil mode and countIncludePad, valid by
 * construction.
 *
 * `poolGeometry` rejects a window that covers only padding (the max or mean of
 * nothing is undefined). Rather than filtering, the generated pads are first
 * capped below the effective kernel and then lowered, one unit at a time, until
 * every window of the axis touches the input; pads of 0 always qualify, so the
 * repair ends and stays monotone in the raw values (shrinking is unaffected).
 */
import fc from 'fast-check';
import { effectiveKernel, outputSize } from '../../reference/formulas.ts';
import type { PoolOp, PoolProblem } from '../../reference/problem.ts';
import { axisInput, halveLargest, type RawAxis, spatialAxisArbitrary } from './axis.ts';

/** Limits and switches for {@link poolProblemArbitrary}. Every field is optional. */
export interface PoolProblemConstraints {
  /** Spatial ranks; shrinking goes toward the first. Default [1, 2, 3]. */
  dims?: readonly (1 | 2 | 3)[];
  /** Operators; shrinking goes toward the first. Default ['maxpool', 'avgpool']. */
  ops?: readonly PoolOp[];
  /** Largest batch. Default 2. */
  maxBatch?: number;
  /** Largest channel count. Default 5. */
  maxChannels?: number;
  /** Largest window extent. Default 4. */
  maxKernel?: number;
  /** Largest stride. Default 3. */
  maxStride?: number;
  /** Largest dilation. Default 2. */
  maxDilation?: number;
  /** Largest pad before repair. Default 3. */
  maxPad?: number;
  /** Largest input slack. Default 10. */
  maxInputSlack?: number;
  /** 'any' (default) or force ceil mode on or off. */
  ceilMode?: 'any' | boolean;
  /** 'any' (default) or force countIncludePad on or off. */
  countIncludePad?: 'any' | boolean;
  /** Cap on outputLength · kernelVolume. Default 40 000. */
  maxTaps?: number;
}

/** True when every window along the axis covers at least one input element. */
function windowsTouchInput(a: RawAxis, input: number, ceilMode: boolean): boolean {
  const count = outputSize(input, a.kernel, a.stride, a.dilation, a.padBegin, a.padEnd, ceilMode);
  for (let o = 0; o < count; o++) {
    const start = o * a.stride - a.padBegin;
    let touches = false;
    for (let k = 0; k < a.kernel && !touches; k++) {
      const i = start + k * a.dilation;
      touches = i >= 0 && i < input;
    }
    if (!touches) return false;
  }
  return true;
}

/**
 * Caps the pads below the effective kernel, then lowers the larger pad one unit
 * at a time until every window touches the input. The slack is kept, so the
 * padded extent never drops below the window and pads of 0 always qualify.
 */
function repairAxis(raw: RawAxis, ceilMode: boolean): RawAxis {
  const cap = effectiveKernel(raw.kernel, raw.dilation) - 1;
  const a = { ...raw, padBegin: Math.min(raw.padBegin, cap), padEnd: Math.min(raw.padEnd, cap) };
  while (!windowsTouchInput(a, axisInput(a), ceilMode)) {
    if (a.padBegin >= a.padEnd) a.padBegin -= 1;
    else a.padEnd -= 1;
  }
  return a;
}

function tapsOf(batch: number, channels: number, axes: RawAxis[], ceilMode: boolean): number {
  let taps = batch * channels;
  for (const a of axes) {
    const input = axisInput(a);
    const out = outputSize(input, a.kernel, a.stride, a.dilation, a.padBegin, a.padEnd, ceilMode);
    taps *= a.kernel * out;
  }
  return taps;
}

/**
 * Arbitrary of valid pooling problems. Every window touches the input, so
 * `poolGeometry` accepts every value.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(poolProblemArbitrary({ ops: ['avgpool'] }), (p) => {
 *   poolGeometry(p); // never throws
 * }));
 * ```
 */
export function poolProblemArbitrary(
  constraints: PoolProblemConstraints = {},
): fc.Arbitrary<PoolProblem> {
  const maxTaps = constraints.maxTaps ?? 40_000;
  const flag = (v: 'any' | boolean | undefined) =>
    v === undefined || v === 'any' ? fc.boolean() : fc.constant(v);
  const axis = spatialAxisArbitrary({
    maxKernel: constraints.maxKernel ?? 4,
    maxStride: constraints.maxStride ?? 3,
    maxDilation: constraints.maxDilation ?? 2,
    maxPad: constraints.maxPad ?? 3,
    maxInputSlack: constraints.maxInputSlack ?? 10,
    largePlanes: false,
  });
  return fc
    .record({
      rank: fc.constantFrom(...(constraints.dims ?? ([1, 2, 3] as const))),
      op: fc.constantFrom(...(constraints.ops ?? (['maxpool', 'avgpool'] as const))),
      batch: fc.integer({ min: 1, max: constraints.maxBatch ?? 2 }),
      channels: fc.integer({ min: 1, max: constraints.maxChannels ?? 5 }),
      axes: fc.tuple(axis, axis, axis),
      ceilMode: flag(constraints.ceilMode),
      countIncludePad: flag(constraints.countIncludePad),
    })
    .map((raw): PoolProblem => {
      let axes = raw.axes.slice(0, raw.rank).map((a) => repairAxis(a, raw.ceilMode));
      let { batch, channels } = raw;
      while (tapsOf(batch, channels, axes, raw.ceilMode) > maxTaps) {
        if (batch > 1) batch = Math.floor(batch / 2);
        else if (channels > 1) channels = Math.floor(channels / 2);
        else if (!halveLargest(axes, 'slack', 0)) break;
        axes = axes.map((a) => repairAxis(a, raw.ceilMode));
      }
      return {
        op: raw.op,
        batch,
        channels,
        inputSize: axes.map(axisInput),
        kernelSize: axes.map((a) => a.kernel),
        stride: axes.map((a) => a.stride),
        dilation: axes.map((a) => a.dilation),
        padBegin: axes.map((a) => a.padBegin),
        padEnd: axes.map((a) => a.padEnd),
        ceilMode: raw.ceilMode,
        countIncludePad: raw.countIncludePad,
      };
    });
}
