/**
 * A small seeded generator (mulberry32) for reproducible test and measurement
 * data: every failing case can be replayed from its seed.
 */

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
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
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
