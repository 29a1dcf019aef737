/**
 * Regenerates docs/conformance.md by running `convcheck check` on every subject
 * of scripts/maintainer/conformance/subjects.json (our kernels and the peer
 * libraries) and rendering the reports with the hand-checked explanations of
 * findings.json (scripts/maintainer/conformance/table.ts). Run:
 *
 *   npm run conformance -- [--suite standard] [--seed 20261127] [--out docs/conformance.md] [--only cv2,scipy]
 *
 * It runs every subject in turn, for minutes: run it with `nice`. With --only, only
 * those subjects run, and when the --out file exists their rows and findings replace
 * theirs in it, every other row kept as it is (conformance/splice.ts: same suite and
 * seed only); without the file, the table holds those subjects alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CheckReport } from '../check/results.ts';
import { runCli } from '../run-cli.ts';
import { spliceTable } from './conformance/splice.ts';
import {
  loadExplanations,
  loadFacts,
  loadSubjects,
  renderTable,
  type Subject,
  type SubjectRun,
} from './conformance/table.ts';

/** The subject's library version, or 'not installed' (then its run says why it skipped). */
function versionOf(subject: Subject): string {
  const v = subject.version;
  if (v === undefined) return '';
  try {
    if ('npm' in v) {
      // Read from node_modules: packages with an exports map do not export package.json.
      const dirs = createRequire(import.meta.url).resolve.paths(v.npm) ?? [];
      const file = dirs.map((d) => join(d, v.npm, 'package.json')).find((f) => existsSync(f));
      if (file === undefined) return 'not installed';
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    }
    const code = `import ${v.python}; print(${v.python}.__version__)`;
    const version = execFileSync(v.interpreter, ['-c', code], { encoding: 'utf8' }).trim();
    return `${v.python} ${version}`;
  } catch {
    return 'not installed';
  }
}

function runSubject(subject: Subject, suite: string, seed: string, work: string): SubjectRun {
  const version = versionOf(subject);
  process.stderr.write(`conformance: ${subject.name}…\n`);
  const json = join(work, `${subject.name}.json`);
  const started = Date.now();
  const r = runCli(['check', ...subject.run, '--suite', suite, '--seed', seed, '--json', json], {
    timeoutMs: 1_800_000,
  });
  process.stderr.write(`conformance: ${subject.name} took ${(Date.now() - started) / 1000} s\n`);
  try {
    const report = JSON.parse(readFileSync(json, 'utf8')) as CheckReport;
    return { subject, version, report };
  } catch {
    return { subject, version, note: r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}` };
  }
}

function main(): void {
  const { values } = parseArgs({
    options: {
      suite: { type: 'string', default: 'standard' },
      seed: { type: 'string', default: '20261127' },
      out: { type: 'string', default: 'docs/conformance.md' },
      only: { type: 'string' },
    },
  });
  const subjects = loadSubjects();
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((n) => !subjects.some((s) => s.name === n)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`conformance: --only names no subject '${unknown[0]}'\n`);
    process.exit(2);
  }
  const work = mkdtempSync(join(tmpdir(), 'convcheck-conformance-'));
  try {
    const chosen = subjects.filter((s) => only === undefined || only.includes(s.name));
    const runs = chosen.map((s) => runSubject(s, values.suite!, values.seed!, work));
    const how = {
      suite: values.suite!,
      seed: values.seed!,
      date: new Date().toISOString().slice(0, 10),
    };
    const [explanations, facts] = [loadExplanations(), loadFacts()];
    // --only into an existing table: the chosen subjects' rows replace theirs, the rest are kept.
    const doc =
      only !== undefined && existsSync(values.out!)
        ? spliceTable(readFileSync(values.out!, 'utf8'), subjects, runs, explanations, facts, how)
        : renderTable(runs, explanations, facts, how);
    writeFileSync(values.out!, doc);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.stderr.write(`conformance: wrote ${values.out}\n`);
}

main();
