/**
 * Building blocks shared by the problem arbitraries: the raw choices of one
 * spatial axis, each an independent integer so that shrinking can take every
 * one of them to its minimum separately.
 */
import fc from 'fast-check';
import { effectiveKernel } from '../../reference/formulas.ts';

/** The raw, independently shrinking choices for one spatial dimension. */
export interface RawAxis {
  kernel: number;
  stride: number;
  dilation: number;
  padBegin: number;
  padEnd: number;
  /** Input beyond the smallest one the dilated window fits in. */
  slack: number;
}

/** Limits of {@link spatialAxisArbitrary}. */
export interface AxisLimits {
  maxKernel: number;
  /** When given, kernel extents come from this list only. */
  kernelSizes?: readonly number[] | undefined;
  maxStride: number;
  maxDilation: number;
  maxPad: number;
  maxInputSlack: number;
  /** Whether a slack of 64–72 (a plane larger than 64) may be drawn, one time in ten. */
  largePlanes: boolean;
  /** Kernels wider than maxKernel, up to this, are drawn one axis in 16; default maxKernel (none). */
  maxWideKernel?: number;
  /** Largest kernel the arbitrary can shrink (injected network layers); default maxKernel. */
  shrinkMaxKernel?: number;
  /** Largest stride the arbitrary can shrink; default maxStride. */
  shrinkMaxStride?: number;
}

/**
 * Arbitrary of the raw choices for one axis. Slack 0 (output size 1) and
 * small slacks are the common case; pads up to 2 are common and larger ones
 * (windows wholly inside padding) appear one time in four.
 *
 * @example
 * ```ts
 * fc.sample(spatialAxisArbitrary({ maxKernel: 5, maxStride: 3, maxDilation: 3, maxPad: 4,
 *   maxInputSlack: 10, largePlanes: false }), 1); // [{ kernel: 3, stride: 1, ... }]
 * ```
 */
export function spatialAxisArbitrary(limits: AxisLimits): fc.Arbitrary<RawAxis> {
  const wide = limits.maxWideKernel ?? limits.maxKernel;
  const kernel =
    limits.kernelSizes === undefined
      ? biasedInteger(1, Math.max(wide, limits.shrinkMaxKernel ?? limits.maxKernel), [
          { weight: 15, arbitrary: fc.integer({ min: 1, max: limits.maxKernel }) },
          // Rare wide kernels reach size-switched paths (OpenCV's DFT from 11×11).
          {
            weight: wide > limits.maxKernel ? 1 : 0,
            arbitrary: fc.integer({ min: Math.min(limits.maxKernel + 1, wide), max: wide }),
          },
        ])
      : fc.constantFrom(...limits.kernelSizes);
  const dilation = biasedInteger(1, limits.maxDilation, [
    { weight: 2, arbitrary: fc.constant(1) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: limits.maxDilation }) },
  ]);
  const largePlane = 72;
  const slack = biasedInteger(0, limits.largePlanes ? largePlane : limits.maxInputSlack, [
    // Slack 0 makes the kernel span the whole padded input: output size 1.
    { weight: 6, arbitrary: fc.integer({ min: 0, max: Math.min(3, limits.maxInputSlack) }) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: limits.maxInputSlack }) },
    { weight: limits.largePlanes ? 1 : 0, arbitrary: fc.integer({ min: 64, max: largePlane }) },
  ]);
  const pad = biasedInteger(0, limits.maxPad, [
    { weight: 3, arbitrary: fc.integer({ min: 0, max: Math.min(2, limits.maxPad) }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: limits.maxPad }) },
  ]);
  return fc.record({
    kernel,
    stride: widenedInteger(1, limits.maxStride, limits.shrinkMaxStride ?? limits.maxStride),
    dilation,
    padBegin: pad,
    padEnd: pad,
    slack,
  });
}

/**
 * The input size of an axis: the smallest input the dilated window fits in
 * (given the pads) plus the slack, and at least 1. Valid by construction.
 *
 * @example
 * ```ts
 * axisInput({ kernel: 3, stride: 1, dilation: 1, padBegin: 0, padEnd: 0, slack: 0 }); // 3
 * ```
 */
export function axisInput(a: RawAxis): number {
  return Math.max(1, effectiveKernel(a.kernel, a.dilation) - a.padBegin - a.padEnd + a.slack);
}

/**
 * Halves (rounding down, not below `floor`) the largest value of `field` over
 * the axes. Returns false when every axis is already at the floor.
 *
 * @example
 * ```ts
 * halveLargest(axes, 'slack', 0); // the axis with the most slack loses half of it
 * ```
 */
export function halveLargest(axes: RawAxis[], field: keyof RawAxis, floor: number): boolean {
  let best = -1;
  for (let i = 0; i < axes.length; i++) {
    if (axes[i]![field] > floor && (best < 0 || axes[i]![field] > axes[best]![field])) best = i;
  }
  if (best < 0) return false;
  const axis = axes[best]!;
  axis[field] = Math.max(floor, Math.floor(axis[field] / 2));
  return true;
}

/** Replaces one generated value in `period` by `special(value, pick)` without losing shrinking. */
class OccasionalArbitrary<T> extends fc.Arbitrary<T> {
  constructor(
    private readonly base: fc.Arbitrary<T>,
    private readonly count: number,
    private readonly special: (value: T, pick: number) => T,
    private readonly period: number,
  ) {
    super();
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    const generated = this.base.generate(mrng, biasFactor);
    if (this.count === 0 || mrng.nextInt(1, this.period) !== 1) return generated;
    const value = this.special(generated.value, mrng.nextInt(0, this.count - 1));
    if (!this.base.canShrinkWithoutContext(value)) {
      throw new Error(
        `withOccasional: special value ${JSON.stringify(value)} is outside the base arbitrary`,
      );
    }
    // No context: the base arbitrary shrinks it field by field like its own values.
    return new fc.Value(value, undefined);
  }
  canShrinkWithoutContext(value: unknown): value is T {
    return this.base.canShrinkWithoutContext(value);
  }
  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    return this.base.shrink(value, context);
  }
}

/**
 * An arbitrary that, one time in `period`, replaces the generated value by
 * `special(value, pick)` with `pick` in [0, count). The special value must be
 * one the base arbitrary could shrink without context (fc.record of integers,
 * constantFrom, oneof…), so it shrinks to the same minimal values as any other.
 *
 * @example
 * ```ts
 * withOccasional(rawProblem, layers.length, (raw, i) => ({ ...raw, ...fromLayer(layers[i]) }), 10);
 * ```
 */
export function withOccasional<T>(
  base: fc.Arbitrary<T>,
  count: number,
  special: (value: T, pick: number) => T,
  period: number,
): fc.Arbitrary<T> {
  return new OccasionalArbitrary(base, count, special, period);
}

/** Integers drawn from weighted choices that shrink like any integer of [min, shrinkMax]. */
class BiasedIntegerArbitrary extends fc.Arbitrary<number> {
  private readonly generator: fc.Arbitrary<number>;
  private readonly shrinker: fc.Arbitrary<number>;
  constructor(min: number, shrinkMax: number, choices: fc.WeightedArbitrary<number>[]) {
    super();
    this.generator = fc.oneof(...choices);
    this.shrinker = fc.integer({ min, max: shrinkMax });
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<number> {
    // Dropping the context makes every value shrink the same way, toward min,
    // whichever choice drew it (a oneof would keep it inside its own branch).
    return new fc.Value(this.generator.generate(mrng, biasFactor).value, undefined);
  }
  canShrinkWithoutContext(value: unknown): value is number {
    return this.shrinker.canShrinkWithoutContext(value);
  }
  shrink(value: number, context: unknown): fc.Stream<fc.Value<number>> {
    return this.shrinker.shrink(value, context);
  }
}

/**
 * An integer drawn from weighted choices (to lean toward the values where bugs
 * live) that shrinks like a plain integer of [min, shrinkMax]: always toward
 * `min`, whichever choice produced it, and also for values injected from
 * outside (a network layer's 512 channels).
 *
 * @example
 * ```ts
 * // 1 two times in three, otherwise 1..4; shrinks anything up to 96 toward 1.
 * biasedInteger(1, 96, [
 *   { weight: 2, arbitrary: fc.constant(1) },
 *   { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) },
 * ]);
 * ```
 */
export function biasedInteger(
  min: number,
  shrinkMax: number,
  choices: fc.WeightedArbitrary<number>[],
): fc.Arbitrary<number> {
  return new BiasedIntegerArbitrary(
    min,
    shrinkMax,
    choices.filter((c) => c.weight > 0),
  );
}

/**
 * An integer generated in [min, generateMax] that also shrinks values up to
 * `shrinkMax` it did not generate itself.
 *
 * @example
 * ```ts
 * widenedInteger(1, 7, 512); // generates 1..7, shrinks 512 toward 1
 * ```
 */
export function widenedInteger(
  min: number,
  generateMax: number,
  shrinkMax: number,
): fc.Arbitrary<number> {
  return biasedInteger(min, Math.max(generateMax, shrinkMax), [
    { weight: 1, arbitrary: fc.integer({ min, max: generateMax }) },
  ]);
}

/**
 * A boolean that is true one time in `period` and shrinks toward false.
 *
 * @example
 * ```ts
 * rarely(4); // true about one time in four
 * ```
 */
export function rarely(period: number): fc.Arbitrary<boolean> {
  return biasedInteger(0, 1, [
    { weight: period - 1, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.constant(1) },
  ]).map(
    (v) => v === 1,
    (b) => (b === true ? 1 : b === false ? 0 : Number.NaN),
  );
}
