/**
 * Writes docs/mutation.md from Stryker's JSON report (reports/mutation/mutation.json)
 * and the maintained justifications of equivalent mutants (scripts/maintainer/mutation/equivalent.json).
 *
 * Run after Stryker (`npm run mutation` does both):
 *   tsx scripts/maintainer/mutation/report.ts [--out <md>] [--run-time <text>] [--check]
 * It merges the group reports (reports/mutation/<group>.json, one per Stryker run)
 * into reports/mutation/mutation.json and renders that.
 * With --check it exits 1 when a surviving mutant has no justification.
 *
 * The model (pairing survivors with justifications) is in report-model.ts, the
 * Markdown in render.ts; both are re-exported here.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatScore, renderMutationReport } from './render.ts';
import {
  type EquivalentJustification,
  type ExcludedFile,
  type MutationReport,
  mergeReports,
  summarizeMutations,
} from './report-model.ts';

export * from './render.ts';
export * from './report-model.ts';

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The group reports Stryker wrote (reports/mutation/<group>.json). */
function groupReportPaths(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json') && !name.endsWith('.incremental.json'))
    .filter((name) => name !== 'mutation.json')
    .sort()
    .map((name) => resolve(dir, name));
}

function main(args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string' },
      'run-time': { type: 'string' },
      check: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
  const reportDir = resolve(root, 'reports/mutation');
  const outPath = resolve(root, values.out ?? 'docs/mutation.md');
  const paths = groupReportPaths(reportDir);
  if (paths.length === 0) throw new Error(`report.ts: no Stryker JSON report in ${reportDir}`);
  const groups = paths.map((path) => readJson<MutationReport & Record<string, unknown>>(path));
  const report = mergeReports(groups);
  // The merged report keeps Stryker's schema (for its HTML viewer and other tools).
  writeFileSync(
    resolve(reportDir, 'mutation.json'),
    JSON.stringify({ ...groups[0], files: report.files }),
  );
  const justifications = readJson<EquivalentJustification[]>(
    resolve(root, 'scripts/maintainer/mutation/equivalent.json'),
  );
  const excluded = readJson<ExcludedFile[]>(
    resolve(root, 'scripts/maintainer/mutation/excluded.json'),
  );
  const runTime = values['run-time'];
  const summary = summarizeMutations(report, justifications);
  // The command that regenerates this file: a report written elsewhere came from one group.
  const groupNames = paths.map((path) => basename(path, '.json'));
  const command =
    values.out === undefined
      ? 'npm run mutation'
      : `npm run mutation -- ${groupNames.length === 1 ? `--group ${groupNames[0]} ` : ''}--out ${values.out}`;
  const markdown = renderMutationReport(summary, excluded, {
    command,
    ...(runTime ? { runTime } : {}),
  });
  writeFileSync(outPath, markdown);
  const { overall, survivors, unjustified } = summary;
  console.log(
    `mutation score ${formatScore(overall.score)}; ${survivors.length} survivors, ${unjustified.length} unjustified; wrote ${outPath}`,
  );
  return values.check && unjustified.length > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    // A bad option: one line naming it, exit 2 (parseArgs' errors carry an ERR_PARSE_ARGS code).
    if (!String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw e;
    process.stderr.write(`report.ts: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}
