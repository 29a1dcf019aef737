/**
 * `npm run mutation`: runs Stryker once per mutation group of stryker.config.mjs
 * (reference, gemm, im2col, winograd; incremental), times the runs, then regenerates
 * docs/mutation.md with scripts/mutation/report.ts.
 *
 *   npm run mutation                        # every group
 *   npm run mutation -- --group reference   # one group (the doc still covers all reports)
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MUTATION_GROUPS = ['reference', 'gemm', 'im2col', 'winograd'] as const;

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const args = process.argv.slice(2);
const at = args.indexOf('--group');
const chosen = at >= 0 ? [args[at + 1] ?? ''] : [...MUTATION_GROUPS];
const unknown = chosen.filter((g) => !(MUTATION_GROUPS as readonly string[]).includes(g));
if (unknown.length > 0) {
  console.error(`run.ts: --group must be one of ${MUTATION_GROUPS.join(', ')} (got '${unknown}')`);
  process.exit(2);
}

const started = Date.now();
for (const group of chosen) {
  console.log(`== stryker: group ${group}`);
  const stryker = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, CONVCHECK_MUTATION_GROUP: group },
  });
  if (stryker.status !== 0) {
    console.error(`stryker failed for group ${group} (exit ${stryker.status ?? stryker.signal})`);
    process.exit(stryker.status ?? 1);
  }
}
const minutes = (Date.now() - started) / 60_000;
// Incremental runs reuse earlier results: this is the time of this run, not of a full one.
const runTime = `${minutes.toFixed(1)} min for groups ${chosen.join(', ')} (last \`npm run mutation\`, incremental)`;
const report = spawnSync('npx', ['tsx', 'scripts/mutation/report.ts', '--run-time', runTime], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(report.status ?? 1);
