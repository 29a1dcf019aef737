import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'reference/**/*.test.ts',
      'impl/**/*.test.ts',
      'properties/**/*.test.ts',
      'scripts/**/*.test.ts',
      'fixtures/**/*.test.ts',
    ],
    setupFiles: ['properties/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
