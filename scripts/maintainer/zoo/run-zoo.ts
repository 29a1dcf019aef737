/**
 * Runs every zoo kernel through the real CLI (default settings, pinned seed,
 * one kernel at a time) and writes docs/zoo.md. Exits 1 when a buggy kernel
 * escaped, a correct kernel failed, or a run could not be judged.
 *
 *   npx tsx scripts/maintainer/zoo/run-zoo.ts [--seed S] [--suite NAME] [--only a,b] [--out FILE]
 *
 * With --only the report is written only when --out is given (a partial table
 * must not replace the full one by accident).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { suiteSpec } from '../../check/suites.ts';
import { REPO_ROOT, type ZooKernel, zooCatalog } from './catalog.ts';
import { runCheck } from './cli-runner.ts';
import { renderZooMarkdown, seconds } from './markdown.ts';
import { type ZooResult, zooResult } from './outcome.ts';
import { TEST_POOL, TEST_SUITE, zooSeed } from './settings.ts';

const COMMAND = 'npx tsx scripts/maintainer/zoo/run-zoo.ts';

function selectKernels(all: ZooKernel[], only: string | undefined): ZooKernel[] {
  if (only === undefined) return all;
  const wanted = new Set(only.split(',').map((s) => s.trim()));
  const unknown = [...wanted].filter((slug) => !all.some((k) => k.slug === slug));
  if (unknown.length > 0) throw new Error(`--only: no zoo kernel named ${unknown.join(', ')}`);
  return all.filter((k) => wanted.has(k.slug));
}

function progressLine(r: ZooResult, index: number, count: number): string {
  const mark = r.ok ? 'ok  ' : 'BAD ';
  const where = r.caughtBy ? ` by ${r.caughtBy} after ${r.casesUntilDetection} cases` : '';
  return `${mark}[${index + 1}/${count}] ${r.kernel.slug}: ${r.verdict}${where} (${seconds(r.wallMs)})`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      suite: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const seed = values.seed === undefined ? zooSeed() : zooSeed({ CONVCHECK_SEED: values.seed });
  if (values.suite !== undefined) suiteSpec(values.suite); // fails early on a bad name
  const kernels = selectKernels(zooCatalog(), values.only);
  const started = Date.now();
  const results: ZooResult[] = [];
  // The suite the CLI actually ran, read back from its reports (its default when none was given).
  let ranSuite = values.suite;
  for (const [index, kernel] of kernels.entries()) {
    const run = await runCheck(kernel.path, {
      seed,
      cwd: REPO_ROOT,
      ...(values.suite === undefined ? {} : { suite: values.suite }),
    });
    ranSuite ??= run.report?.suite;
    const result = zooResult(kernel, run);
    results.push(result);
    process.stdout.write(`${progressLine(result, index, kernels.length)}\n`);
    if (result.verdict === 'could not run') process.stdout.write(`${result.message}\n`);
  }
  const totalMs = Date.now() - started;
  const out =
    values.out ?? (values.only === undefined ? join(REPO_ROOT, 'docs', 'zoo.md') : undefined);
  if (out !== undefined) {
    const spec = suiteSpec(ranSuite ?? 'standard');
    writeFileSync(
      out,
      renderZooMarkdown(results, {
        command: COMMAND,
        date: new Date().toISOString().slice(0, 10),
        seed,
        ...(values.suite === undefined ? {} : { suite: values.suite }),
        defaultSuite: `'${spec.name}', ${spec.runs} cases per phase`,
        totalMs,
        nodeVersion: process.version,
        testSettings:
          `\`scripts/maintainer/zoo/zoo.full.test.ts\` (\`npm run test:full\`) runs every zoo kernel through the CLI as well, with the same ` +
          `seed but \`--suite ${TEST_SUITE}\` (${suiteSpec(TEST_SUITE).runs} cases per phase) and ` +
          `${TEST_POOL} kernels at a time, to stay within a few minutes; it asserts exit 1 for ` +
          'every buggy kernel and exit 0 for every correct one.',
      }),
    );
    process.stdout.write(`wrote ${out}\n`);
  }
  const bad = results.filter((r) => !r.ok);
  process.stdout.write(
    `zoo: ${results.length - bad.length} of ${results.length} as expected in ${seconds(totalMs)}` +
      `${bad.length > 0 ? `; NOT as expected: ${bad.map((r) => `${r.kernel.slug} (${r.verdict})`).join(', ')}` : ''}\n`,
  );
  return bad.length > 0 ? 1 : 0;
}

process.exitCode = await main();
