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
    // Generous: a loaded 2-core machine (CI, or several runs at once) stretches the
    // CLI and child-process tests several-fold; a hang still ends the run.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // vitest's default is one worker per core less one: a single worker on a 2-core
    // machine, idle while a test waits on a child process (Python, the CLI).
    maxWorkers: 2,
    // Files in a worker share its module cache instead of importing reference/,
    // fast-check and the kernels afresh: import and setup were about a third of the
    // suite's wall time. Safe because no test leaves module state behind (tests that
    // spy, chdir or configure fast-check restore it; setup files still run per file).
    isolate: false,
  },
});
