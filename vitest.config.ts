import { configDefaults, defineConfig } from 'vitest/config';

// *.browser.test.ts run headless Chromium for minutes: only in `npm run test:browser`
// (part of `npm run test:full`), which sets CONVCHECK_BROWSER_TESTS=1.
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
    exclude: browserTests
      ? configDefaults.exclude
      : [...configDefaults.exclude, '**/*.browser.test.ts'],
    setupFiles: ['properties/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
