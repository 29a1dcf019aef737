/**
 * Vitest configuration for mutation testing (stryker.config.mjs, `npm run mutation`).
 *
 * Stryker sets `dir` to the tree of its mutation group (reference/ or impl/), so
 * only that tree's unit tests run: not the property suites (properties/), the CLI
 * tests (scripts/, fixtures/) nor the peer adapters (impl/peers/, which load
 * onnxruntime and tfjs), all too slow to rerun for every mutant. No setup file:
 * properties/setup.ts only configures fast-check, which these tests do not use.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Relative to `dir`.
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/peers/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
