import { describe, expect, it } from 'vitest';
import {
  categoryOf,
  type EquivalentJustification,
  findSurvivors,
  type MutantResult,
  type MutantStatus,
  type MutationReport,
  mergeReports,
  mutatedText,
  renderMutationReport,
  staleJustifications,
  summarizeMutations,
  tallyMutants,
} from './report.ts';

const SOURCE = 'const a = 1;\nif (a < 2) {\n  f(a);\n}\n';

function mutant(
  id: string,
  status: MutantStatus,
  line = 2,
  mutatorName = 'EqualityOperator',
): MutantResult {
  return {
    id,
    mutatorName,
    replacement: 'a <= 2',
    status,
    location: { start: { line, column: 5 }, end: { line, column: 10 } },
  };
}

const report: MutationReport = {
  files: {
    'b.ts': { source: SOURCE, mutants: [mutant('3', 'Survived'), mutant('4', 'Killed')] },
    'a.ts': {
      source: SOURCE,
      mutants: [mutant('1', 'Killed'), mutant('2', 'Timeout'), mutant('5', 'NoCoverage')],
    },
  },
};

const justification: EquivalentJustification = {
  file: 'b.ts',
  line: 2,
  mutator: 'EqualityOperator',
  replacement: 'a <= 2',
  reason: 'boundary: a is 1, never 2',
};

describe('tallyMutants', () => {
  it('counts killed and timeout as detected, survived and no coverage as missed', () => {
    const t = tallyMutants([
      mutant('1', 'Killed'),
      mutant('2', 'Timeout'),
      mutant('3', 'Survived'),
      mutant('4', 'NoCoverage'),
      mutant('5', 'CompileError'),
      mutant('6', 'Ignored'),
    ]);
    expect(t).toMatchObject({ total: 6, killed: 1, timeout: 1, survived: 1, noCoverage: 1 });
    expect(t.errors).toBe(1);
    expect(t.ignored).toBe(1);
    // 2 detected out of 4 valid mutants (errors and ignored are outside the score).
    expect(t.score).toBe(50);
  });

  it('has no score without valid mutants', () => {
    expect(tallyMutants([mutant('1', 'RuntimeError')]).score).toBeNull();
  });
});

describe('mutatedText', () => {
  it('cuts a one-line location (1-based columns, end exclusive)', () => {
    const location = { start: { line: 2, column: 5 }, end: { line: 2, column: 10 } };
    expect(mutatedText(SOURCE, location)).toBe('a < 2');
  });

  it('joins a location spanning lines', () => {
    const location = { start: { line: 2, column: 12 }, end: { line: 4, column: 2 } };
    expect(mutatedText(SOURCE, location)).toBe('{\n  f(a);\n}');
  });
});

describe('findSurvivors', () => {
  it('lists survived and uncovered mutants by file, with their justification', () => {
    const survivors = findSurvivors(report, [justification]);
    expect(survivors.map((s) => [s.file, s.mutant.id])).toEqual([
      ['a.ts', '5'],
      ['b.ts', '3'],
    ]);
    expect(survivors[0]!.justification).toBeUndefined();
    expect(survivors[1]!.justification).toBe(justification);
    expect(survivors[1]!.original).toBe('a < 2');
  });

  it('matches by line, or by the original text when the justification records it', () => {
    const moved = { ...justification, line: 40 };
    expect(findSurvivors(report, [moved])[1]!.justification).toBeUndefined();
    const anchored = { ...moved, original: 'a < 2' };
    expect(findSurvivors(report, [anchored])[1]!.justification).toBe(anchored);
    const wrongText = { ...justification, original: 'a > 2' };
    expect(findSurvivors(report, [wrongText])[1]!.justification).toBeUndefined();
  });

  /** A survivor spanning columns 1–6 of `line`, where the sources below put `a < 2`. */
  const survivorAt = (
    id: string,
    line: number,
    mutatorName = 'EqualityOperator',
  ): MutantResult => ({
    ...mutant(id, 'Survived', line),
    mutatorName,
    location: { start: { line, column: 1 }, end: { line, column: 6 } },
  });
  const reportOf = (source: string, mutants: MutantResult[]): MutationReport => ({
    files: { 'b.ts': { source, mutants } },
  });

  it('gives twin mutants (same text, mutator and replacement) the entry of their own line', () => {
    const twins = reportOf('a < 2;\na < 2;\n', [survivorAt('1', 1), survivorAt('2', 2)]);
    const first = { ...justification, line: 1, original: 'a < 2', reason: 'one' };
    const second = { ...first, line: 2, reason: 'two' };
    const survivors = findSurvivors(twins, [first, second]);
    expect(survivors.map((s) => s.justification?.reason)).toEqual(['one', 'two']);
    expect(staleJustifications([first, second], survivors, ['b.ts'])).toEqual([]);
  });

  it('pairs moved twins with their entries in line order, whatever else sits on the old lines', () => {
    // Line 1 holds another live mutant; the entries were written when the twins sat at 0 and 1.
    const moved = reportOf('x;\na < 2;\na < 2;\n', [
      survivorAt('1', 1, 'BlockStatement'),
      survivorAt('2', 2),
      survivorAt('3', 3),
    ]);
    const first = { ...justification, line: 0, original: 'a < 2', reason: 'one' };
    const second = { ...first, line: 1, reason: 'two' };
    for (const entries of [
      [first, second],
      [second, first],
    ]) {
      const survivors = findSurvivors(moved, entries);
      expect(survivors.map((s) => s.justification?.reason)).toEqual([undefined, 'one', 'two']);
      expect(staleJustifications(entries, survivors, ['b.ts'])).toEqual([]);
    }
  });

  it('lets twins beyond the entries share the first matching entry', () => {
    const twins = reportOf('a < 2;\na < 2;\n', [survivorAt('1', 1), survivorAt('2', 2)]);
    const only = { ...justification, line: 7, original: 'a < 2', reason: 'one' };
    const survivors = findSurvivors(twins, [only]);
    expect(survivors.map((s) => s.justification)).toEqual([only, only]);
  });

  it('requires the same mutator and replacement', () => {
    expect(
      findSurvivors(report, [{ ...justification, mutator: 'ConditionalExpression' }])[1]!
        .justification,
    ).toBeUndefined();
    expect(
      findSurvivors(report, [{ ...justification, replacement: 'true' }])[1]!.justification,
    ).toBeUndefined();
  });

  it('reports justifications of a mutated file that match no survivor as stale', () => {
    const gone = { ...justification, file: 'a.ts', replacement: 'a >= 2' };
    const survivors = findSurvivors(report, [justification, gone]);
    expect(staleJustifications([justification, gone], survivors, ['a.ts', 'b.ts'])).toEqual([gone]);
  });

  it('does not call a justification of a file outside the report stale', () => {
    const elsewhere = { ...justification, file: 'c.ts' };
    const survivors = findSurvivors(report, [justification, elsewhere]);
    expect(staleJustifications([justification, elsewhere], survivors, ['a.ts', 'b.ts'])).toEqual(
      [],
    );
    expect(summarizeMutations(report, [justification, elsewhere]).stale).toEqual([]);
  });
});

describe('renderMutationReport', () => {
  const doc = renderMutationReport(
    summarizeMutations(report, [justification]),
    [{ glob: 'x/**', reason: 'why' }],
    {
      command: 'npm run mutation',
    },
  );

  it('gives the overall score and a row per file', () => {
    // 3 detected (2 killed + 1 timeout) of 5 valid mutants.
    expect(doc).toContain('**Mutation score: 60.00%**');
    expect(doc).toContain('| a.ts | 66.67% | 3 | 1 | 1 | 0 | 1 | 0 |');
    expect(doc).toContain('| b.ts | 50.00% | 2 | 1 | 0 | 1 | 0 | 0 |');
  });

  it('flags the survivor without justification and shows the justified one with its reason', () => {
    expect(doc).toContain('**1 without justification**');
    expect(doc).toMatch(
      /\| a\.ts:2 \| EqualityOperator \| `a < 2` \| `a <= 2` \| NoCoverage \| \*\*UNJUSTIFIED\*\* \|/,
    );
    expect(doc).toContain(
      '| b.ts:2 | EqualityOperator | `a < 2` | `a <= 2` | Survived | boundary: a is 1, never 2 |',
    );
    expect(doc).toContain('- boundary: 1');
  });

  it('lists the excluded files with their reason', () => {
    expect(doc).toContain('- `x/**`: why.');
  });

  it('names the mutated folders in its title, so a one-group report says which group', () => {
    expect(doc.split('\n')[0]).toBe('# Mutation testing of ./');
    const files = {
      'impl/wasm/a.ts': report.files['a.ts']!,
      'reference/b.ts': report.files['b.ts']!,
    };
    const twoFolders = renderMutationReport(summarizeMutations({ ...report, files }, []), [], {
      command: 'npm run mutation',
    });
    expect(twoFolders.split('\n')[0]).toBe('# Mutation testing of impl/wasm/, reference/');
  });
});

describe('mergeReports and categoryOf', () => {
  it('unites the files of several reports', () => {
    const merged = mergeReports([
      { files: { 'a.ts': report.files['a.ts']! } },
      { files: { 'b.ts': report.files['b.ts']! } },
    ]);
    expect(Object.keys(merged.files).sort()).toEqual(['a.ts', 'b.ts']);
  });

  it('takes the category before the first colon', () => {
    expect(categoryOf('blocking constant: any size works')).toBe('blocking constant');
    expect(categoryOf('no colon here')).toBe('other');
  });
});
