/**
 * The conformance table's data files load and say which entry is wrong; the
 * rendering lists every finding with its counterexample and repro, uses the
 * hand-checked explanation when there is one, and says so when there is none
 * or when a run shrank to another counterexample.
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_NAMES } from '../../check/builtins.ts';
import type { CheckReport, PhaseResult } from '../../check/results.ts';
import {
  anchor,
  loadExplanations,
  loadFacts,
  loadSubjects,
  renderTable,
  type SubjectRun,
} from './table.ts';

const phase = (over: Partial<PhaseResult>): PhaseResult =>
  ({
    kernel: 'k',
    phase: 'special data',
    seed: 1,
    cases: 10,
    passed: 9,
    skipped: 2,
    skipReasons: { 'only zero padding (paddingMode reflect)': 2 },
    worstBoundRatio: 0.25,
    verdict: 'pass',
    durationMs: 1,
    ...over,
  }) as PhaseResult;

const failing = phase({
  verdict: 'fail',
  numShrinks: 4,
  failure: {
    verdict: 'fail',
    descriptor: 'xcorr:ic1oc1_ih3iw3_kh2kw2',
    problem: {} as never,
    data: 'special',
    dataSeed: 5,
    specials: 'input:0=nan',
    seed: 1,
    path: '0',
    message: '1 of 4 outputs differ: expected NaN, got 0',
    details: '',
    repro: "npx convcheck check --builtin lib --problem 'xcorr:ic1oc1_ih3iw3_kh2kw2'",
  },
});

const run = (name: string, phases: PhaseResult[]): SubjectRun => ({
  subject: { name, library: `Lib ${name}`, how: 'x', run: ['--builtin', name] },
  version: '1.2.3',
  report: { phases } as CheckReport,
});

const how = { suite: 'standard', seed: '7', date: '2026-12-05' };

describe('the conformance table', () => {
  it('the committed subjects and findings load; every --builtin subject names a built-in', () => {
    const subjects = loadSubjects();
    expect(subjects.length).toBeGreaterThan(20);
    for (const s of subjects.filter((x) => x.run[0] === '--builtin')) {
      expect(BUILTIN_NAMES, s.name).toContain(s.run[1]);
    }
    const names = new Set(subjects.map((s) => s.name));
    for (const key of Object.keys(loadExplanations())) {
      expect(names, key).toContain(key.split('/')[0]);
    }
    expect(loadFacts().length).toBeGreaterThan(0);
  });

  it('names the entry and field of a bad subject', () => {
    expect(() => loadSubjects('{"subjects": [{"name": "a", "library": "A", "how": "h"}]}')).toThrow(
      'subjects.json: subjects[0].run must be a non-empty list of arguments',
    );
    const twice = '{"name": "a", "library": "A", "how": "h", "run": ["--builtin", "a"]}';
    expect(() => loadSubjects(`{"subjects": [${twice}, ${twice}]}`)).toThrow(/used twice/);
    expect(() => loadExplanations('{"findings": {"a/b": {"descriptor": "x"}}}')).toThrow(
      "findings['a/b'] needs descriptor and explanation strings",
    );
  });

  it('a finding without an explanation is listed with its counterexample, repro and the gap', () => {
    const md = renderTable([run('lib', [phase({}), failing])], {}, ['a fact'], how);
    expect(md).toMatch(
      /\| Lib lib \| 1\.2\.3 \| special data \| \*\*fail\*\*: 1 of 4 outputs differ/,
    );
    expect(md).toContain(`(#${anchor('lib/special data')}), not yet explained)`);
    expect(md).toContain('### lib/special data');
    expect(md).toContain(
      '`xcorr:ic1oc1_ih3iw3_kh2kw2`, special data, data seed 5, specials `input:0=nan`',
    );
    expect(md).toContain(
      "- repro: `npx convcheck check --builtin lib --problem 'xcorr:ic1oc1_ih3iw3_kh2kw2'`",
    );
    expect(md).toContain('**not yet explained**');
    // Grouped by the general part of the reason (details in parentheses name one case).
    expect(md).toContain('| 2× only zero padding |');
    expect(md).toContain('- a fact');
    expect(md).toContain('| Lib lib | x | `--builtin lib` |');
  });

  it('uses the hand-checked explanation, and says when the run shrank elsewhere', () => {
    const explained = {
      'lib/special data': {
        descriptor: 'xcorr:ic1oc1_ih3iw3_kh2kw2',
        explanation: 'Zero taps are skipped.',
      },
    };
    const md = renderTable([run('lib', [failing])], explained, [], how);
    expect(md).not.toContain('not yet explained');
    expect(md).toContain(
      'checked by hand on `xcorr:ic1oc1_ih3iw3_kh2kw2`): Zero taps are skipped.',
    );
    const elsewhere = {
      'lib/special data': { ...explained['lib/special data'], descriptor: 'other' },
    };
    expect(renderTable([run('lib', [failing])], elsewhere, [], how)).toContain(
      'this run shrank to another counterexample',
    );
  });

  it('a subject that gave no report is a row saying why', () => {
    const md = renderTable(
      [{ ...run('gone', []), report: undefined, note: 'cannot import the module' }],
      {},
      [],
      how,
    );
    expect(md).toContain('| Lib gone | 1.2.3 | — | could not run: cannot import the module |');
    expect(md).toContain('None in this run.');
  });
});
