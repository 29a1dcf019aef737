/**
 * `npm run mutation`: runs Stryker once per mutation group of stryker.config.mjs
 * (reference, gemm, im2col, winograd, wasm; incremental), times the runs, then regenerates
 * docs/mutation.md (or --out) with scripts/maintainer/mutation/report.ts.
 *
 *   npm run mutation                        # every group
 *   npm run mutation -- --group reference   # one group (the doc still covers all reports)
 *   npm run mutation -- --group wasm --out docs/mutation-wasm.md
 *   npm run mutation -- -- --force          # anything after a second `--` goes to Stryker
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface IncrementalMutant {
  status: string;
  static?: boolean;
}

/**
 * Drops the surviving static mutants from a group's incremental file, so that the
 * next run tests them again. A static mutant (executed while modules load) has no
 * per-test coverage, and Stryker's incremental mode reuses its result even when the
 * tests changed: a mutant a new test kills would stay "survived". Killed ones are
 * kept; only survivors cost a rerun.
 */
function forgetStaticSurvivors(incrementalFile: string): number {
  if (!existsSync(incrementalFile)) return 0;
  const report = JSON.parse(readFileSync(incrementalFile, 'utf8')) as {
    files: Record<string, { mutants: IncrementalMutant[] }>;
  };
  let dropped = 0;
  for (const file of Object.values(report.files)) {
    const kept = file.mutants.filter(
      (m) => !(m.static && (m.status === 'Survived' || m.status === 'NoCoverage')),
    );
    dropped += file.mutants.length - kept.length;
    file.mutants = kept;
  }
  writeFileSync(incrementalFile, JSON.stringify(report));
  return dropped;
}

const MUTATION_GROUPS = ['reference', 'gemm', 'im2col', 'winograd', 'wasm'] as const;

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const args = process.argv.slice(2);
// Arguments after `--` go to Stryker, e.g. `npm run mutation -- -- --force`.
const dashes = args.indexOf('--');
const ownArgs = dashes >= 0 ? args.slice(0, dashes) : args;
const strykerArgs = dashes >= 0 ? args.slice(dashes + 1) : [];
const at = ownArgs.indexOf('--group');
const chosen = at >= 0 ? [ownArgs[at + 1] ?? ''] : [...MUTATION_GROUPS];
const unknown = chosen.filter((g) => !(MUTATION_GROUPS as readonly string[]).includes(g));
if (unknown.length > 0) {
  console.error(`run.ts: --group must be one of ${MUTATION_GROUPS.join(', ')} (got '${unknown}')`);
  process.exit(2);
}

const outAt = ownArgs.indexOf('--out');
const out = outAt >= 0 ? ownArgs[outAt + 1] : undefined;
if (outAt >= 0 && (out === undefined || out.startsWith('--'))) {
  console.error(`run.ts: --out needs a file name (got '${out ?? ''}')`);
  process.exit(2);
}

const started = Date.now();
const forced = strykerArgs.includes('--force');
for (const group of chosen) {
  const dropped = forgetStaticSurvivors(
    resolve(root, `reports/mutation/${group}.incremental.json`),
  );
  console.log(`== stryker: group ${group} (${dropped} surviving static mutants to test again)`);
  const stryker = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs', ...strykerArgs], {
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
// Incremental runs reuse earlier results: their time is that of this run, not of a full one.
const mode = forced ? 'forced: every mutant tested' : 'incremental';
const runTime = `${minutes.toFixed(1)} min for groups ${chosen.join(', ')} (last \`npm run mutation\`, ${mode}, 2 test runners)`;
const report = spawnSync(
  'npx',
  [
    'tsx',
    'scripts/maintainer/mutation/report.ts',
    '--run-time',
    runTime,
    ...(out ? ['--out', out] : []),
  ],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(report.status ?? 1);
