/**
 * Writes docs/mutation.md from Stryker's JSON report (reports/mutation/mutation.json)
 * and the maintained justifications of equivalent mutants (scripts/mutation/equivalent.json).
 *
 * Run after Stryker (`npm run mutation` does both):
 *   tsx scripts/mutation/report.ts [--out <md>] [--run-time <text>] [--check]
 * It merges the group reports (reports/mutation/<group>.json, one per Stryker run)
 * into reports/mutation/mutation.json and renders that.
 * With --check it exits 1 when a surviving mutant has no justification.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Status of one mutant, as Stryker's report schema names it. */
export type MutantStatus =
  | 'Killed'
  | 'Survived'
  | 'NoCoverage'
  | 'Timeout'
  | 'CompileError'
  | 'RuntimeError'
  | 'Ignored'
  | 'Pending';

/** A 1-based source position (columns 1-based, the end exclusive). */
export interface SourcePosition {
  line: number;
  column: number;
}

/** The fields of one mutant that the report uses. */
export interface MutantResult {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: MutantStatus;
  static?: boolean;
  location: { start: SourcePosition; end: SourcePosition };
}

/** One mutated file of the report. */
export interface FileResult {
  source: string;
  mutants: MutantResult[];
}

/** The part of Stryker's JSON report (mutation-testing-report-schema) that is read. */
export interface MutationReport {
  files: Record<string, FileResult>;
}

/** Why a surviving mutant cannot be killed: it changes no observable result. */
export interface EquivalentJustification {
  file: string;
  line: number;
  mutator: string;
  replacement: string;
  /** The mutated source text; lets a justification follow its code when lines move. */
  original?: string;
  reason: string;
}

/** A file kept out of mutation and why. */
export interface ExcludedFile {
  glob: string;
  reason: string;
}

/** Mutant counts by outcome and the mutation score they give. */
export interface MutationTally {
  total: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Compile and runtime errors: invalid mutants, outside the score. */
  errors: number;
  ignored: number;
  /** (killed + timeout) / (killed + timeout + survived + noCoverage) in percent; null when no valid mutant. */
  score: number | null;
}

/** A surviving (or uncovered) mutant, with the justification that matches it, if any. */
export interface Survivor {
  file: string;
  mutant: MutantResult;
  original: string;
  justification?: EquivalentJustification;
}

/**
 * Counts mutants by outcome and computes Stryker's mutation score.
 *
 * @example
 * ```ts
 * tallyMutants([{ id: '1', mutatorName: 'BooleanLiteral', status: 'Killed', location }]).score; // 100
 * ```
 */
export function tallyMutants(mutants: readonly MutantResult[]): MutationTally {
  const count = (...statuses: MutantStatus[]) =>
    mutants.filter((m) => statuses.includes(m.status)).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const detected = killed + timeout;
  const valid = detected + survived + noCoverage;
  return {
    total: mutants.length,
    killed,
    timeout,
    survived,
    noCoverage,
    errors: count('CompileError', 'RuntimeError'),
    ignored: count('Ignored'),
    score: valid === 0 ? null : (100 * detected) / valid,
  };
}

/**
 * The source text a mutant replaces (its location cut out of the file's source).
 *
 * @example
 * ```ts
 * mutatedText('a < b', { start: { line: 1, column: 1 }, end: { line: 1, column: 6 } }); // 'a < b'
 * ```
 */
export function mutatedText(source: string, location: MutantResult['location']): string {
  const lines = source.split('\n');
  const { start, end } = location;
  if (start.line === end.line) {
    return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  }
  const first = (lines[start.line - 1] ?? '').slice(start.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  const last = (lines[end.line - 1] ?? '').slice(0, end.column - 1);
  return [first, ...middle, last].join('\n');
}

/**
 * Whether a justification describes a surviving mutant: same file, mutator and
 * replacement, and the same line — or, when the justification records the
 * original text, that same text anywhere in the file (lines move as others edit).
 *
 * @example
 * ```ts
 * justifies(justification, survivor); // true when they name the same mutant
 * ```
 */
export function justifies(
  justification: EquivalentJustification,
  survivor: Omit<Survivor, 'justification'>,
): boolean {
  const { mutant } = survivor;
  if (
    justification.file !== survivor.file ||
    justification.mutator !== mutant.mutatorName ||
    justification.replacement !== (mutant.replacement ?? '')
  ) {
    return false;
  }
  if (justification.original !== undefined) return justification.original === survivor.original;
  return justification.line === mutant.location.start.line;
}

/**
 * Every surviving or uncovered mutant of the report, in file and line order,
 * each paired with its justification when one matches.
 *
 * @example
 * ```ts
 * const survivors = findSurvivors(report, justifications);
 * survivors.filter((s) => !s.justification); // the ones still to kill or justify
 * ```
 */
export function findSurvivors(
  report: MutationReport,
  justifications: readonly EquivalentJustification[],
): Survivor[] {
  const survivors: Survivor[] = [];
  for (const file of Object.keys(report.files).sort()) {
    const result = report.files[file]!;
    const live = result.mutants
      .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .sort((a, b) => a.location.start.line - b.location.start.line || Number(a.id) - Number(b.id))
      .map((mutant) => ({ file, mutant, original: mutatedText(result.source, mutant.location) }));
    const paired = pairTwins(live, justifications);
    live.forEach((bare, i) => {
      const justification = paired[i];
      survivors.push(justification ? { ...bare, justification } : bare);
    });
  }
  return survivors;
}

/**
 * The justification of each of one file's survivors (given in line order).
 * Two mutants may share mutator, text and replacement: an entry on the survivor's own
 * line comes first; the rest are paired with the unused matching entries in line
 * order, since lines move together as the code is edited; a survivor left over
 * shares the first matching entry.
 */
function pairTwins(
  live: readonly Omit<Survivor, 'justification'>[],
  justifications: readonly EquivalentJustification[],
): (EquivalentJustification | undefined)[] {
  const matching = live.map((bare) =>
    justifications.filter((j) => justifies(j, bare)).sort((a, b) => a.line - b.line),
  );
  const paired = live.map((bare, i) =>
    matching[i]!.find((j) => j.line === bare.mutant.location.start.line),
  );
  const taken = new Set(paired);
  for (const [i, candidates] of matching.entries()) {
    if (paired[i]) continue;
    paired[i] = candidates.find((j) => !taken.has(j)) ?? candidates[0];
    taken.add(paired[i]);
  }
  return paired;
}

/**
 * Justifications that match no surviving mutant (the mutant is now killed, or its code changed).
 *
 * @example
 * ```ts
 * staleJustifications(justifications, findSurvivors(report, justifications));
 * ```
 */
export function staleJustifications(
  justifications: readonly EquivalentJustification[],
  survivors: readonly Survivor[],
): EquivalentJustification[] {
  return justifications.filter((j) => !survivors.some((s) => s.justification === j));
}

/** The method, as configured in stryker.config.mjs and scripts/mutation/run.ts. */
const METHOD = [
  '- Stryker 9 (`@stryker-mutator/core` + vitest runner), `coverageAnalysis: perTest`, incremental, 2 test runners.',
  "- One Stryker run per group: `reference/`, `impl/gemm/`, `impl/im2col/`, `impl/winograd/`. Each group's mutants are judged by that tree's unit tests only (`vitest.mutation.config.ts`), so code a test calls in another tree runs uninstrumented; the property suites, CLI tests and peer adapters are not run.",
  "- Timeouts count as detected, as in Stryker's score: a mutant that makes a loop run away is killed by its timeout.",
  "- Static mutants (code run while modules load) have no per-test coverage, and Stryker's incremental mode reuses their results even when tests change; `npm run mutation` therefore drops the surviving static mutants from the incremental files before each run, so they are tested again.",
  '- Survivors are killed by `*.mutation.test.ts` files beside the code, or justified in `scripts/mutation/equivalent.json` as equivalent (reason: category, then why no test can tell the mutant from the original).',
];

const formatScore = (score: number | null) => (score === null ? 'n/a' : `${score.toFixed(2)}%`);

/** Markdown table cell: no pipes or newlines, long code cut short. */
function cell(text: string, limit = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
  return cut.replace(/\|/g, '\\|');
}

const code = (text: string) => `\`${cell(text).replace(/`/g, "'")}\``;

function tallyRow(name: string, t: MutationTally): string {
  return `| ${name} | ${formatScore(t.score)} | ${t.total} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${t.errors} |`;
}

/** Options of {@link renderMutationReport}. */
export interface MutationDocOptions {
  /** What produced the report, shown in the header (e.g. the command). */
  command: string;
  /** Wall-clock time of the Stryker run, if known. */
  runTime?: string;
}

/**
 * The docs/mutation.md text: overall and per-file scores, counts by outcome,
 * excluded files, and every survivor with its justification (flagged when it has none).
 *
 * @example
 * ```ts
 * writeFileSync('docs/mutation.md', renderMutationReport(report, justifications, excluded, { command: 'npm run mutation' }));
 * ```
 */
export function renderMutationReport(
  report: MutationReport,
  justifications: readonly EquivalentJustification[],
  excluded: readonly ExcludedFile[],
  options: MutationDocOptions,
): string {
  const files = Object.keys(report.files).sort();
  const overall = tallyMutants(files.flatMap((f) => report.files[f]!.mutants));
  const survivors = findSurvivors(report, justifications);
  const unjustified = survivors.filter((s) => !s.justification);
  const stale = staleJustifications(justifications, survivors);
  const equivalentByCategory = new Map<string, number>();
  for (const s of survivors) {
    if (!s.justification) continue;
    const category = categoryOf(s.justification.reason);
    equivalentByCategory.set(category, (equivalentByCategory.get(category) ?? 0) + 1);
  }
  const out: string[] = [];
  out.push('# Mutation testing of reference/ and impl/');
  out.push('');
  out.push(
    `_Generated by \`scripts/mutation/report.ts\` from Stryker's JSON report and \`scripts/mutation/equivalent.json\`; do not edit by hand. Regenerate with \`${options.command}\`._`,
  );
  out.push('');
  out.push(
    `**Mutation score: ${formatScore(overall.score)}** (Stryker's score: killed + timeout over all valid mutants).`,
  );
  out.push('');
  out.push(
    `${overall.total} mutants: ${overall.killed} killed, ${overall.timeout} timeout, ${overall.survived} survived, ${overall.noCoverage} no coverage, ${overall.errors} compile/runtime errors, ${overall.ignored} ignored.`,
  );
  if (options.runTime) out.push(`Run time: ${options.runTime}.`);
  out.push('');
  out.push(
    `Survivors: ${survivors.length} (survived + no coverage), ${survivors.length - unjustified.length} justified as equivalent, **${unjustified.length} without justification**.`,
  );
  if (equivalentByCategory.size > 0) {
    const parts = [...equivalentByCategory].sort((a, b) => b[1] - a[1]);
    out.push('');
    out.push('Equivalent mutants by category:');
    out.push('');
    for (const [category, n] of parts) out.push(`- ${category}: ${n}`);
  }
  out.push('');
  out.push('## How it runs');
  out.push('');
  for (const line of METHOD) out.push(line);
  out.push('');
  out.push('## Per file');
  out.push('');
  out.push('| file | score | mutants | killed | timeout | survived | no coverage | errors |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const file of files) out.push(tallyRow(file, tallyMutants(report.files[file]!.mutants)));
  out.push(tallyRow('**all files**', overall));
  out.push('');
  out.push('## Not mutated');
  out.push('');
  out.push('Test files (`*.test.ts`) are never mutated. Also excluded:');
  out.push('');
  for (const e of excluded) out.push(`- \`${e.glob}\`: ${e.reason}.`);
  out.push('');
  out.push('## Surviving mutants');
  out.push('');
  if (survivors.length === 0) {
    out.push('None.');
  } else {
    out.push('| file:line | mutator | original | replacement | status | justification |');
    out.push('| --- | --- | --- | --- | --- | --- |');
    for (const s of survivors) {
      const why = s.justification ? cell(s.justification.reason, 400) : '**UNJUSTIFIED**';
      out.push(
        `| ${s.file}:${s.mutant.location.start.line} | ${s.mutant.mutatorName} | ${code(s.original)} | ${code(s.mutant.replacement ?? '')} | ${s.mutant.status} | ${why} |`,
      );
    }
  }
  if (stale.length > 0) {
    out.push('');
    out.push('## Stale justifications');
    out.push('');
    out.push('These entries of `scripts/mutation/equivalent.json` match no surviving mutant:');
    out.push('');
    for (const j of stale) {
      out.push(`- ${j.file}:${j.line} ${j.mutator} → ${code(j.replacement)}`);
    }
  }
  out.push('');
  return out.join('\n');
}

/**
 * The category of a justification: the text before the first colon of its reason
 * (reasons are written "category: explanation").
 *
 * @example
 * ```ts
 * categoryOf('blocking constant: any positive block size gives the same product'); // 'blocking constant'
 * ```
 */
export function categoryOf(reason: string): string {
  const colon = reason.indexOf(':');
  return colon > 0 ? reason.slice(0, colon).trim() : 'other';
}

/**
 * One report from the reports of several Stryker runs (the mutation groups of
 * stryker.config.mjs); a file present in more than one keeps its last report.
 *
 * @example
 * ```ts
 * mergeReports([referenceReport, implReport]).files; // every mutated file of both
 * ```
 */
export function mergeReports(reports: readonly MutationReport[]): MutationReport {
  const files: Record<string, FileResult> = {};
  for (const report of reports) Object.assign(files, report.files);
  return { files };
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function argValue(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/** The group reports Stryker wrote (reports/mutation/<group>.json). */
function groupReportPaths(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json') && !name.endsWith('.incremental.json'))
    .filter((name) => name !== 'mutation.json')
    .sort()
    .map((name) => resolve(dir, name));
}

function main(args: readonly string[]): number {
  const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const reportDir = resolve(root, 'reports/mutation');
  const outPath = resolve(root, argValue(args, '--out') ?? 'docs/mutation.md');
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
    resolve(root, 'scripts/mutation/equivalent.json'),
  );
  const excluded = readJson<ExcludedFile[]>(resolve(root, 'scripts/mutation/excluded.json'));
  const runTime = argValue(args, '--run-time');
  const markdown = renderMutationReport(report, justifications, excluded, {
    command: 'npm run mutation',
    ...(runTime ? { runTime } : {}),
  });
  writeFileSync(outPath, markdown);
  const all = Object.values(report.files).flatMap((f) => f.mutants);
  const survivors = findSurvivors(report, justifications);
  const unjustified = survivors.filter((s) => !s.justification);
  console.log(
    `mutation score ${formatScore(tallyMutants(all).score)}; ${survivors.length} survivors, ${unjustified.length} unjustified; wrote ${outPath}`,
  );
  return args.includes('--check') && unjustified.length > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
