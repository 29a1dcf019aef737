/**
 * Regenerating some subjects alone (`npm run conformance -- --only a,b`): the
 * chosen subjects' rows and findings are rendered afresh and put in place of
 * theirs in the existing docs/conformance.md; every other subject's rows and
 * findings are kept as they are, byte for byte. Only a table made at the same
 * suite and seed can be spliced (a table must not mix runs); the header says
 * which subjects were regenerated alone, and when. Pure: conformance.ts runs.
 */
import { type Explanation, renderTable, type Subject, type SubjectRun } from './table.ts';

/** The parts of a rendered table that belong to subjects. */
interface Parts {
  /** Everything before the first row of the table, the header line included. */
  head: string[];
  /** The table's rows, by library cell, in order. */
  rows: Map<string, string[]>;
  /** The lines between the table and the findings (the Subjects section). */
  middle: string[];
  /** The findings, by subject name, each its `### subject/phase` blocks. */
  findings: Map<string, string[]>;
  /** From "## Results kept beside this table" on. */
  tail: string[];
}

const FINDINGS = '## Findings';
const AFTER_FINDINGS = '## Results kept beside this table';
const NONE = 'None in this run.';

function parts(doc: string): Parts {
  const lines = doc.split('\n');
  const separator = lines.findIndex((l) => l.startsWith('|---|'));
  const findingsAt = lines.indexOf(FINDINGS);
  const tailAt = lines.indexOf(AFTER_FINDINGS);
  if (separator < 0 || findingsAt < 0 || tailAt < 0) {
    throw new Error('docs/conformance.md does not have the generated layout (table, findings)');
  }
  let end = separator + 1;
  const rows = new Map<string, string[]>();
  for (; lines[end]?.startsWith('| '); end++) {
    const library = lines[end]!.split(' | ')[0]!.slice(2);
    rows.set(library, [...(rows.get(library) ?? []), lines[end]!]);
  }
  const findings = new Map<string, string[]>();
  let subject = '';
  for (const line of lines.slice(findingsAt + 2, tailAt)) {
    if (line.startsWith('### ')) subject = line.slice(4).split('/')[0]!;
    if (subject === '' || line === NONE) continue;
    findings.set(subject, [...(findings.get(subject) ?? []), line]);
  }
  return {
    head: lines.slice(0, separator + 1),
    rows,
    middle: lines.slice(end, findingsAt + 2),
    findings,
    tail: lines.slice(tailAt),
  };
}

/** The settings of a generated table, from its first line. */
function settingsOf(doc: string): { suite: string; seed: string } | undefined {
  const m = /npm run conformance -- --suite (\S+) --seed (\S+?)`/.exec(doc);
  return m ? { suite: m[1]!, seed: m[2]! } : undefined;
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const ALONE = /^The rows of (.+) were regenerated alone/;

/**
 * The existing table with the chosen subjects' runs in place of their rows and
 * findings. Throws when the existing table was made at another suite or seed,
 * or lacks rows of a subject that is not rerun.
 *
 * @example
 * ```ts
 * spliceTable(readFileSync('docs/conformance.md', 'utf8'), subjects, runs, explanations, facts, how);
 * ```
 */
export function spliceTable(
  existing: string,
  subjects: readonly Subject[],
  runs: readonly SubjectRun[],
  explanations: Record<string, Explanation>,
  facts: readonly string[],
  how: { suite: string; seed: string; date: string },
): string {
  const was = settingsOf(existing);
  if (was?.suite !== how.suite || was.seed !== how.seed) {
    throw new Error(
      `docs/conformance.md was made with --suite ${was?.suite} --seed ${was?.seed}; regenerate some subjects only at the same suite and seed`,
    );
  }
  const chosen = new Set(runs.map((r) => r.subject.name));
  // Every subject in table order; the others' rows are taken from the existing table.
  const all = subjects.map(
    (subject) => runs.find((r) => r.subject.name === subject.name) ?? { subject, version: '' },
  );
  const fresh = parts(renderTable(all, explanations, facts, how));
  const old = parts(existing);
  const rows = subjects.flatMap((s) => {
    const library = cell(s.library);
    const kept = chosen.has(s.name) ? fresh.rows.get(library) : old.rows.get(library);
    if (kept === undefined) {
      throw new Error(`docs/conformance.md has no rows of '${s.name}': add it to --only`);
    }
    return kept;
  });
  const findings = subjects.flatMap(
    (s) => (chosen.has(s.name) ? fresh.findings : old.findings).get(s.name) ?? [],
  );
  const previous = old.head.map((l) => ALONE.exec(l)?.[1]).find((names) => names !== undefined);
  const alone = [
    ...new Set([...(previous?.split(', ').map((n) => n.replaceAll('`', '')) ?? []), ...chosen]),
  ];
  const note = `The rows of ${alone.map((n) => `\`${n}\``).join(', ')} were regenerated alone (\`npm run conformance -- --suite ${how.suite} --seed ${how.seed} --only …\`), last on ${how.date}, at the table's suite and seed.`;
  // The header as rendered now, with the date of the run the kept rows come from, and
  // the note in its own paragraph just above the table.
  const generated = old.head.find((l) => l.startsWith('Generated by'));
  const head = fresh.head.map((l) => (l.startsWith('Generated by') && generated ? generated : l));
  head.splice(head.length - 2, 0, note, '');
  return [
    ...head,
    ...rows,
    ...fresh.middle,
    ...(findings.length === 0 ? [NONE, ''] : findings),
    ...fresh.tail,
  ].join('\n');
}
