// Stryker mutation testing of reference/ and impl/. Run it through `npm run mutation`
// (scripts/maintainer/mutation/run.ts), which runs each group below, merges their JSON reports
// and writes docs/mutation.md. One group by hand:
//   CONVCHECK_MUTATION_GROUP=reference npx stryker run stryker.config.mjs
// @ts-check
import { readFileSync } from 'node:fs';

/**
 * Files kept out of mutation, each with its reason; docs/mutation.md lists them
 * from the same file. Test files (*.test.ts) are never mutated.
 * @type {{ glob: string, reason: string }[]}
 */
const excluded = JSON.parse(
  readFileSync(new URL('./scripts/maintainer/mutation/excluded.json', import.meta.url), 'utf8'),
);

/**
 * Mutation groups. Each mutates one tree and runs only that tree's unit tests, so
 * the code each test calls outside its tree runs uninstrumented: the impl/ tests
 * call the oracle (reference/conv.ts) and the GEMM on sizeable problems, and
 * instrumented loops make them minutes long. So reference/ is judged by its own
 * tests, and each kernel family by its own.
 * @type {Record<string, { mutate: string[], testDir: string }>}
 */
const groups = {
  reference: { mutate: ['reference/**/*.ts'], testDir: 'reference' },
  gemm: { mutate: ['impl/gemm/**/*.ts'], testDir: 'impl/gemm' },
  im2col: { mutate: ['impl/im2col/**/*.ts'], testDir: 'impl/im2col' },
  winograd: { mutate: ['impl/winograd/**/*.ts'], testDir: 'impl/winograd' },
  // The WebAssembly kernels (im2col-simd, winograd-f2/f4-simd). Their tests read the
  // built impl/wasm/gemm.wasm, which the sandbox copies with the tree (Stryker copies
  // every file but its ignorePatterns, gitignored ones included): run `npm run build` first.
  wasm: { mutate: ['impl/wasm/**/*.ts'], testDir: 'impl/wasm' },
};

const groupName = process.env.CONVCHECK_MUTATION_GROUP ?? '';
const group = groups[groupName];
if (!group) {
  throw new Error(
    `stryker.config.mjs: CONVCHECK_MUTATION_GROUP must be one of ${Object.keys(groups).join(', ')} ` +
      `(got '${groupName}'); \`npm run mutation\` runs them all`,
  );
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // vitest.mutation.config.ts: unit tests only (see its comment); `dir` narrows them to
  // the group's tree, `related` to the test files that import the mutated file.
  vitest: { configFile: 'vitest.mutation.config.ts', dir: group.testDir, related: true },
  mutate: [...group.mutate, '!**/*.test.ts', ...excluded.map(({ glob }) => `!${glob}`)],
  // The sandbox needs the sources (impl/ may import properties/), the unit tests and fixtures/models.
  ignorePatterns: ['docs', 'reports', 'coverage', '.ci', 'fixtures/golden'],
  // Each mutant runs only the tests that executed it in the initial run.
  coverageAnalysis: 'perTest',
  // Two cores, shared with the other engineers.
  concurrency: 2,
  // Reruns only mutants whose code or covering tests changed since the last run.
  incremental: true,
  incrementalFile: `reports/mutation/${groupName}.incremental.json`,
  reporters: ['json', 'clear-text', 'progress'],
  jsonReporter: { fileName: `reports/mutation/${groupName}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  // A loaded machine slows tests unevenly: generous timeouts, so that a timeout means a loop.
  timeoutMS: 10_000,
  timeoutFactor: 2,
  // The initial run executes the group's tests on instrumented code: minutes, not seconds.
  dryRunTimeoutMinutes: 30,
  thresholds: { high: 90, low: 80, break: null },
};

export default config;
