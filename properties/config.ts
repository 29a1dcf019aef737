/**
 * Run configuration of the property suite, read from the environment so that
 * the same numbers drive vitest, the no-false-alarms script and the CLI:
 *
 * - `CONVCHECK_RUNS`: runs per property (default 100, or 1000 in deep mode);
 * - `CONVCHECK_SEED`: the fast-check seed (default: chosen from the clock and printed);
 * - `CONVCHECK_DEEP=1`: deep mode, ten times the runs and larger problems.
 */
import fc from 'fast-check';
import type { ConvProblemConstraints } from './arbitraries/convProblem.ts';

/** The resolved configuration of one run of the suite. */
export interface PropertyConfig {
  /** Runs per property. */
  numRuns: number;
  /** The fast-check seed every property of the run uses. */
  seed: number;
  /** Whether the seed came from CONVCHECK_SEED or was chosen here. */
  seedSource: 'env' | 'clock';
  /** Deep mode: more runs, larger problems. */
  deep: boolean;
  /** Problem-size limits every property starts from. */
  problemConstraints: ConvProblemConstraints;
}

/** Default runs per property; deep mode multiplies it by {@link deepRunFactor}. */
export const defaultRuns = 100;
/** How many more runs deep mode makes. */
export const deepRunFactor = 10;

/**
 * Oracle cost cap (MACs = outputLength · reductionLength) of a generated
 * problem in the default mode. About 1–3 ms of direct-loop JS per evaluation,
 * which keeps the whole suite near a minute on two cores.
 */
export const defaultMaxMacs = 40_000;
/** The same cap in deep mode. */
export const deepMaxMacs = 1_500_000;

function parseInteger(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got '${text}'`);
  }
  return value;
}

/**
 * A seed from the clock: milliseconds folded into the 32-bit range fast-check uses.
 *
 * @example
 * ```ts
 * clockSeed(); // e.g. 532853109, a new one every millisecond
 * ```
 */
export function clockSeed(now: number = Date.now()): number {
  return (now ^ (now / 2 ** 32)) | 0;
}

/**
 * Reads the configuration from an environment (default `process.env`).
 * Throws a RangeError naming the variable when a value is malformed.
 *
 * @example
 * ```ts
 * readPropertyConfig({ CONVCHECK_RUNS: '500', CONVCHECK_SEED: '42' });
 * // { numRuns: 500, seed: 42, seedSource: 'env', deep: false, problemConstraints: {...} }
 * ```
 */
export function readPropertyConfig(
  env: Record<string, string | undefined> = process.env,
): PropertyConfig {
  const deep = env.CONVCHECK_DEEP === '1' || env.CONVCHECK_DEEP === 'true';
  const runs = parseInteger('CONVCHECK_RUNS', env.CONVCHECK_RUNS, 1);
  const seed = parseInteger('CONVCHECK_SEED', env.CONVCHECK_SEED, -(2 ** 31));
  return {
    numRuns: runs ?? (deep ? defaultRuns * deepRunFactor : defaultRuns),
    seed: seed ?? clockSeed(),
    seedSource: seed === undefined ? 'clock' : 'env',
    deep,
    problemConstraints: deep
      ? { maxMacs: deepMaxMacs, maxInputSlack: 24, maxBatch: 4, maxChannelsPerGroup: 12 }
      : { maxMacs: defaultMaxMacs },
  };
}

/**
 * Installs the run count and seed as fast-check's global parameters, merged
 * with whatever is already configured (`configureGlobal` alone would replace it).
 *
 * @example
 * ```ts
 * applyPropertyConfig(readPropertyConfig());
 * fc.readConfigureGlobal().numRuns; // 100 unless CONVCHECK_RUNS says otherwise
 * ```
 */
export function applyPropertyConfig(config: PropertyConfig): void {
  fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: config.numRuns, seed: config.seed });
}

/**
 * The line printed once per run, so a failing CI log always says how to replay.
 *
 * @example
 * ```ts
 * seedBanner(42); // 'convcheck: fast-check seed 42 (set CONVCHECK_SEED=42 to replay)'
 * ```
 */
export function seedBanner(seed: number): string {
  return `convcheck: fast-check seed ${seed} (set CONVCHECK_SEED=${seed} to replay)`;
}

let current: PropertyConfig | undefined;

/**
 * The configuration of this process, read once. Properties use its
 * `problemConstraints` as their defaults.
 *
 * @example
 * ```ts
 * convProblemArbitrary(currentPropertyConfig().problemConstraints);
 * ```
 */
export function currentPropertyConfig(): PropertyConfig {
  current ??= readPropertyConfig();
  return current;
}

/**
 * Replaces the configuration of this process (the vitest setup file calls it
 * with the seed shared by all test files).
 *
 * @example
 * ```ts
 * useRunConfig({ ...readPropertyConfig(), seed: 7 });
 * ```
 */
export function useRunConfig(config: PropertyConfig): void {
  current = config;
  applyPropertyConfig(config);
}
