/**
 * The model of a mutation run: Stryker's JSON report (the part read), the
 * maintained justifications of equivalent mutants, and the pairing of each
 * survivor with its justification.
 */

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
 * Justifications of a mutated file that match no surviving mutant (the mutant is now killed,
 * or its code changed). Entries for files the report did not mutate are not stale: a report
 * of one group (`npm run mutation -- --group wasm`) says nothing about the others' mutants.
 *
 * @example
 * ```ts
 * staleJustifications(justifications, findSurvivors(report, justifications), Object.keys(report.files));
 * ```
 */
export function staleJustifications(
  justifications: readonly EquivalentJustification[],
  survivors: readonly Survivor[],
  mutatedFiles: readonly string[],
): EquivalentJustification[] {
  const mutated = new Set(mutatedFiles);
  return justifications.filter(
    (j) => mutated.has(j.file) && !survivors.some((s) => s.justification === j),
  );
}

/** The method, as configured in stryker.config.mjs and scripts/maintainer/mutation/run.ts. */

/** What the report and the --check exit status are computed from: one pass over the report. */
export interface MutationSummary {
  report: MutationReport;
  /** Mutated files, sorted. */
  files: string[];
  overall: MutationTally;
  survivors: Survivor[];
  unjustified: Survivor[];
  stale: EquivalentJustification[];
}

/**
 * Tallies a report and pairs its survivors with their justifications, once.
 *
 * @example
 * ```ts
 * const summary = summarizeMutations(report, justifications);
 * summary.unjustified.length; // 0 when every survivor is explained
 * ```
 */
export function summarizeMutations(
  report: MutationReport,
  justifications: readonly EquivalentJustification[],
): MutationSummary {
  const files = Object.keys(report.files).sort();
  const overall = tallyMutants(files.flatMap((f) => report.files[f]!.mutants));
  const survivors = findSurvivors(report, justifications);
  const unjustified = survivors.filter((s) => !s.justification);
  const stale = staleJustifications(justifications, survivors, files);
  return { report, files, overall, survivors, unjustified, stale };
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
