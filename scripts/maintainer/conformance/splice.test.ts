/**
 * `npm run conformance -- --only …` into an existing table: the chosen
 * subjects' rows and findings are replaced, every other subject's are kept
 * byte for byte, a new subject is added in table order, and a table made at
 * another suite or seed (or lacking a subject that is not rerun) is refused.
 */
import { describe, expect, it } from 'vitest';
import type { CheckReport, PhaseResult } from '../../check/results.ts';
import { spliceTable } from './splice.ts';
import { renderTable, type SubjectRun } from './table.ts';

const phase = (name: string, passed: number, failure?: string): PhaseResult =>
  ({
    kernel: 'k',
    phase: name,
    seed: 1,
    cases: 20,
    passed,
    skipped: 0,
    skipReasons: {},
    worstBoundRatio: 0.25,
    verdict: failure ? 'fail' : 'pass',
    durationMs: 1,
    ...(failure
      ? {
          numShrinks: 2,
          failure: {
            verdict: 'fail',
            descriptor: `xcorr:${failure}`,
            problem: {} as never,
            data: 'real',
            dataSeed: 5,
            seed: 1,
            path: '0',
            message: `wrong at ${failure}`,
            details: '',
            repro: `npx convcheck check --problem ${failure}`,
          },
        }
      : {}),
  }) as PhaseResult;

const subject = (name: string) => ({
  name,
  library: `Lib ${name}`,
  how: 'x',
  run: ['--builtin', name],
});
const run = (name: string, phases: PhaseResult[]): SubjectRun => ({
  subject: subject(name),
  version: '1.0',
  report: { phases } as CheckReport,
});
const how = { suite: 'standard', seed: '7', date: '2026-12-05' };
const subjects = ['a', 'b', 'c'].map(subject);

describe('regenerating some subjects of the conformance table', () => {
  const before = renderTable(
    [run('a', [phase('real data', 20, 'A1')]), run('c', [phase('real data', 20)])],
    {},
    [],
    how,
  );

  it('replaces the chosen rows and findings, keeps the others byte for byte, adds a new subject', () => {
    const later = { ...how, date: '2026-12-06' };
    const after = spliceTable(
      before,
      subjects,
      [run('b', [phase('integer data', 20)]), run('c', [phase('real data', 19, 'C9')])],
      {},
      [],
      later,
    );
    // The verdict table's rows (the Subjects table below it names the libraries too).
    const table = (doc: string) => doc.split('## Subjects')[0]!.split('\n');
    const rowsOf = (doc: string, lib: string) =>
      table(doc).filter((l) => l.startsWith(`| Lib ${lib} |`));
    expect(rowsOf(after, 'a')).toEqual(rowsOf(before, 'a'));
    expect(rowsOf(after, 'b')).toEqual([
      '| Lib b | 1.0 | integer data | pass | 20/20 | 0.250 |  |  |',
    ]);
    expect(rowsOf(after, 'c')[0]).toContain('**fail**: wrong at C9');
    // Table order: a, b, c; a's finding kept, c's added after it.
    const libraries = table(after).filter((l) => /^\| Lib /.test(l));
    expect(libraries.map((l) => l.slice(6, 7))).toEqual(['a', 'b', 'c']);
    const findings = after.split('\n').filter((l) => l.startsWith('### '));
    expect(findings).toEqual(['### a/real data', '### c/real data']);
    expect(after).toContain('`npx convcheck check --problem A1`');
    expect(after).toContain('The rows of `b`, `c` were regenerated alone');
    expect(after).toContain('last on 2026-12-06');
    expect(after.split('\n')[2]).toContain(`on ${how.date};`);
    // A second splice names both runs' subjects in one paragraph.
    const again = spliceTable(after, subjects, [run('a', [phase('real data', 20)])], {}, [], how);
    expect(again).toContain('The rows of `b`, `c`, `a` were regenerated alone');
    expect(again.match(/regenerated alone/g)).toHaveLength(1);
    expect(again.split('\n').filter((l) => l.startsWith('### '))).toEqual(['### c/real data']);
  });

  it('refuses another suite or seed, and a subject with no rows that is not rerun', () => {
    const other = { ...how, seed: '8' };
    expect(() => spliceTable(before, subjects, [run('a', [])], {}, [], other)).toThrow(
      /made with --suite standard --seed 7/,
    );
    expect(() =>
      spliceTable(before, subjects, [run('a', [phase('real data', 20)])], {}, [], how),
    ).toThrow("no rows of 'b'");
  });
});
