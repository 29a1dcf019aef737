/**
 * A small seeded generator (mulberry32) for reproducible test and measurement
 * data: every failing case can be replayed from its seed.
 */

import { mulberry32 } from '../../properties/data.ts';

/** Uniform draws in [0, 1) from a 32-bit seed. */
export type Random = () => number;

/**
 * mulberry32: 32-bit state, period 2^32, good enough for test data.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // same value on every run
 * ```
 */
export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  return () => next() / 2 ** 32;
}

/**
 * An integer in [min, max].
 *
 * @example
 * ```ts
 * randomInteger(seededRandom(1), 1, 6); // a die roll
 * ```
 */
export function randomInteger(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/**
 * `length` float32 values uniform in [low, high).
 *
 * @example
 * ```ts
 * randomFloat32(seededRandom(1), 8, -1, 1);
 * ```
 */
export function randomFloat32(
  random: Random,
  length: number,
  low: number,
  high: number,
): Float32Array {
  return Float32Array.from({ length }, () => low + (high - low) * random());
}
