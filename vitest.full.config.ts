/**
 * The full tier: `npm run test:full`, the heavy runs kept out of `npm test`
 * (vitest.config.ts). It runs every `*.full.test.ts` file and, in the files
 * listed in TIERED, what their tiered tests leave out of the quick tier: the
 * seeds beyond the run's own (properties/test-tier.ts: `tierSeeds`) and the
 * other fixed seeds or cases (`tierRuns`). `.ci/run` runs it after `npm test`.
 */
import { configDefaults, defineConfig } from 'vitest/config';
import quick from './vitest.config.ts';

/** Test files whose tiered tests run their extra seeds or cases in this tier (`tierSeeds`, `tierRuns`). */
export const TIERED = [
  'properties/arbitraries/coverage.test.ts',
  'properties/no-false-alarms.test.ts',
  'scripts/check/padding.test.ts',
  'scripts/check/runner.test.ts',
];

// Spread, not mergeConfig: mergeConfig would append these lists to the quick tier's.
export default defineConfig({
  test: {
    ...quick.test,
    include: ['**/*.full.test.ts', ...TIERED],
    exclude: [...configDefaults.exclude],
    provide: { convcheckTier: 'full' },
    // The zoo and the packed tarball run the CLI end to end: minutes under load.
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
