/**
 * The settings the zoo is run with, shared by the report generator
 * (scripts/maintainer/zoo/run-zoo.ts) and the CI test (scripts/maintainer/zoo/zoo.full.test.ts).
 */

/** The pinned seed of docs/zoo.md and of the CI test (CI's CONVCHECK_SEED). */
export const ZOO_SEED = 20261127;

/** Suite of the CI test: the default suite for 40+ kernels would cost minutes of CPU. */
export const TEST_SUITE = 'quick';

/** Kernels the CI test checks at once (the machine has 2 cores). */
export const TEST_POOL = 2;

/**
 * The seed to use: CONVCHECK_SEED when it is set (CI pins it), else {@link ZOO_SEED}.
 *
 * @example
 * ```ts
 * zooSeed({ CONVCHECK_SEED: '7' }); // 7
 * ```
 */
export function zooSeed(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.CONVCHECK_SEED;
  if (text === undefined || text.trim() === '') return ZOO_SEED;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed) || seed < -(2 ** 31) || seed > 2 ** 31 - 1) {
    throw new RangeError(`CONVCHECK_SEED must be a 32-bit integer, got '${text}'`);
  }
  return seed;
}
