/**
 * The project's one random source: mulberry32 and one seed mixer. A leaf
 * module (it imports nothing from the project), so every layer — the oracle's
 * tests, the kernels' tests, the property suite, the fixtures and the CLI —
 * draws from the same, fully specified generator: the same seed gives the same
 * numbers on every machine and Node version (Math.random is neither seedable
 * nor specified).
 *
 * `mixSeed` is the mixer the committed golden fixtures were generated with; its
 * output must never change (reference/random.test.ts pins it).
 */

/** A generator of uint32 values. */
export type Uint32Source = () => number;

/** Uniform draws in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a tiny 32-bit PRNG (period 2^32), good enough for test data and
 * identical in every JS engine. Returns a function yielding uint32 values.
 *
 * @example
 * ```ts
 * const next = mulberry32(42);
 * next(); // 2581720956
 * ```
 */
export function mulberry32(seed: number): Uint32Source {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Mixes a list of integers into one uint32 seed, so that (run seed, phase,
 * shard), (case seed, tensor) or (suite seed, case, tensor) each get an
 * independent stream. Each word is folded in with a multiply-xorshift round
 * built from murmur3's finalizer constants (not the full finalizer: its first
 * `h ^= h >>> 16` is not applied). The fixtures depend on this exact output.
 *
 * @example
 * ```ts
 * mixSeed(42, 7, 0); // 2518892206, the same on every run
 * ```
 */
export function mixSeed(...words: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const word of words) {
    h = Math.imul(h ^ (word | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/**
 * Uniform draws in [0, 1) with 32 random bits, from a seed.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // 2581720956 / 2^32, on every run
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
