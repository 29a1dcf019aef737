/**
 * The two tiers of the test suite. `npm test` (vitest.config.ts) is the quick
 * tier CI and the README run; `npm run test:full` (vitest.full.config.ts) runs
 * the heavy runs: the `*.full.test.ts` files and, in the files it lists in
 * `TIERED`, the extra seeds and cases of the tiered tests. The tier is given by the vitest config (`provide`), not by
 * an environment variable, so the README's command is exactly what runs.
 * Test-only: kept out of the build (tsconfig.build.json).
 */
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Which tier's config started the run. */
    convcheckTier: 'quick' | 'full';
  }
}

/** True under `npm run test:full`. */
export function isFullTier(): boolean {
  return inject('convcheckTier') === 'full';
}

/**
 * The seeds a multi-seed test runs: the run's own seed in the quick tier, the
 * others (without it) in the full tier, so the two tiers together run them all once.
 *
 * @example
 * ```ts
 * it.each(tierSeeds(currentPropertyConfig().seed, [1, 2, 3, 4]))('catches it (seed %i)', …);
 * ```
 */
export function tierSeeds(runSeed: number, others: readonly number[]): number[] {
  return isFullTier() ? [...new Set(others)].filter((s) => s !== runSeed) : [runSeed];
}

/**
 * What a tiered test runs: `quick` in the quick tier, `full` in the full tier
 * (which holds what the quick tier leaves out, so the two tiers together run
 * it all). A file that calls it belongs in vitest.full.config.ts's `TIERED`.
 *
 * @example
 * ```ts
 * const firstSeed = tierRuns(1000, 1001);
 * ```
 */
export function tierRuns<T>(quick: T, full: T): T {
  return isFullTier() ? full : quick;
}
