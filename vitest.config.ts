/**
 * The quick tier: `npm test` (what CI and the README run). The heavy runs —
 * `*.full.test.ts` files and the extra seeds of multi-seed tests — are in
 * vitest.full.config.ts (`npm run test:full`); properties/test-tier.ts says how
 * a test chooses by tier.
 */
import { configDefaults, defineConfig } from 'vitest/config';

// *.browser.test.ts run headless Chromium for minutes: only in `npm run test:browser`,
// which sets CONVCHECK_BROWSER_TESTS=1.
const browserTests = process.env.CONVCHECK_BROWSER_TESTS === '1';

export default defineConfig({
  test: {
    include: [
      'reference/**/*.test.ts',
      'impl/**/*.test.ts',
      'properties/**/*.test.ts',
      'scripts/**/*.test.ts',
      'fixtures/**/*.test.ts',
    ],
    exclude: [
      ...configDefaults.exclude,
      '**/*.full.test.ts',
      ...(browserTests ? [] : ['**/*.browser.test.ts']),
    ],
    provide: { convcheckTier: 'quick' },
    setupFiles: ['properties/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
