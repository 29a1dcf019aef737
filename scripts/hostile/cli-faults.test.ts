/**
 * Harness faults on the command line (issue 13, defects 5 to 7 and the "also
 * fix" list): every bad value and every output that cannot be written exits 2
 * with one line before any work, the exit code always equals the report's, and
 * the JUnit report is well-formed XML whatever a kernel prints or is named.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../fixtures/test-helpers.ts';
import { CLI_PATH, runCli } from '../run-cli.ts';

const QUICK = ['--suite', 'quick', '--runs', '1', '--dims', '1', '--seed', '1'];

/** Runs the CLI and expects exit 2 with exactly one line on stderr matching `message`. */
function expectUsageError(args: string[], message: RegExp, cwd?: string): void {
  const r = runCli(args, cwd === undefined ? {} : { cwd });
  expect(r.status, `${args.join(' ')}\n${r.stderr}`).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(r.stdout).not.toMatch(/passed, .* failed/); // refused before the run
}

/** What a test kernel does (see {@link testKernel}). */
interface TestKernel {
  name?: string;
  /** Written to stderr on every call. */
  stderr?: string;
  /** Computes the right answer (passes) instead of zeros (fails the exact phase at once). */
  correct?: boolean;
  /** A directory the kernel replaces by a file on every call (an output gone bad mid-run). */
  sabotage?: string;
}

const moduleUrl = (path: string) => JSON.stringify(new URL(path, import.meta.url).pathname);

/** Writes a kernel module for a test and returns its path. */
function testKernel(dir: string, k: TestKernel = {}): string {
  const file = join(dir, 'kernel.mjs');
  const sabotage = k.sabotage === undefined ? '' : JSON.stringify(k.sabotage);
  writeFileSync(
    file,
    `import { rmSync, writeFileSync } from 'node:fs';\n` +
      `import { referenceConv } from ${moduleUrl('../../reference/conv.ts')};\n` +
      `import { convGeometry } from ${moduleUrl('../../reference/geometry.ts')};\n` +
      `export default { name: ${JSON.stringify(k.name ?? 'test-kernel')}, conv(p, x, w, b) {\n` +
      `  process.stderr.write(${JSON.stringify(k.stderr ?? '')});\n` +
      (sabotage === ''
        ? ''
        : `  rmSync(${sabotage}, { recursive: true, force: true });\n` +
          `  writeFileSync(${sabotage}, 'not a directory');\n`) +
      (k.correct
        ? '  return new Float32Array(referenceConv(p, x, w, b));\n'
        : '  return new Float32Array(convGeometry(p).outputLength);\n') +
      '} };\n',
  );
  return file;
}

describe('bad values exit 2 with one line', () => {
  it('empty --impl, --impl-cmd and --builtin do not silently run the built-ins', () => {
    expectUsageError(['check', '--impl', '', ...QUICK], /--impl must not be empty/);
    expectUsageError(['check', '--impl-cmd', ' ', ...QUICK], /--impl-cmd must not be empty/);
    expectUsageError(['check', '--builtin', '', ...QUICK], /--builtin must not be empty/);
    expectUsageError(['fixtures', 'verify', 'fixtures/golden', '--impl', ''], /--impl must not/);
  });

  it('a timeout Node would clamp to 1 ms is refused, and so is a non-positive one', () => {
    expectUsageError(['check', '--timeout-ms', '3000000000', ...QUICK], /--timeout-ms.*3000000000/);
    for (const t of ['-5', '0']) {
      expectUsageError(['fixtures', 'verify', 'fixtures/golden', '--timeout', t], /--timeout/);
    }
  });

  it('--only bogus names --only; --path needs --only and a path; --problem takes no reports', () => {
    expectUsageError(['check', '--only', 'bogus', ...QUICK], /^convcheck: --only must be/);
    expectUsageError(['check', '--path', '1:2', ...QUICK], /--path applies only with --only/);
    expectUsageError(
      ['check', '--only', 'exact', '--path', 'zz:-1', ...QUICK],
      /--path must be a fast-check path/,
    );
    const dir = scratchDir();
    expectUsageError(
      ['check', '--problem', 'xcorr:ic1oc1_iw3_kw2', '--json', join(dir, 'r.json')],
      /--json does not apply to --problem/,
    );
  });

  it('a well-formed --path that does not exist for the seed is one line, exit 2', () => {
    const dir = scratchDir();
    const kernel = testKernel(dir);
    const r = runCli([
      'check',
      '--impl',
      kernel,
      '--only',
      'exact',
      '--path',
      '999:999:999',
      ...QUICK,
    ]);
    expect(r.status, r.stderr).toBe(2);
    // The phase had started (its progress line), so the refusal is the last line.
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/--path '999:999:999' does not exist/);
  });
});

describe('outputs are checked before the run', () => {
  it('--json to a directory, below a file or where nothing can be created; --save-failures and --out likewise', () => {
    const dir = scratchDir();
    const file = join(dir, 'file');
    writeFileSync(file, 'mine');
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expectUsageError(['check', '--json', sub, ...QUICK], /--json .*: is a directory/);
    expectUsageError(['check', '--junit', join(file, 'x.xml'), ...QUICK], /is not a directory/);
    expectUsageError(['check', '--markdown', '/proc/convcheck.md', ...QUICK], /cannot write in/);
    expectUsageError(['check', '--save-failures', file, ...QUICK], /is not a directory/);
    expectUsageError(['check', '--save-failures', '/proc/fails', ...QUICK], /cannot write in/);
    expectUsageError(['fixtures', 'generate', '--out', join(file, 'sub')], /is not a directory/);
    expectUsageError(['fixtures', 'generate', '--out', '/proc/convcheck-fx'], /cannot write/);
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('fixtures generate --count is capped', () => {
    expectUsageError(
      [
        'fixtures',
        'generate',
        '--out',
        join(scratchDir(), 'x'),
        '--suite',
        'quick',
        '--count',
        '1e9',
      ],
      /count must be an integer in \[1, 10000\]/,
    );
  });
});

describe('exit codes and reports', () => {
  it('`check … | true`: the exit code is still the report’s (1), and the report is written', () => {
    const dir = scratchDir();
    const json = join(dir, 'r.json');
    const kernel = testKernel(dir);
    const node = [process.execPath, CLI_PATH, 'check', '--impl', kernel, '--only', 'exact']
      .concat(QUICK, ['--json', json])
      .map((a) => `'${a}'`)
      .join(' ');
    const r = spawnSync('bash', ['-c', `${node} | true; exit \${PIPESTATUS[0]}`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(1);
    expect(JSON.parse(readFileSync(json, 'utf8')).exitCode).toBe(1);
  });

  it('a report that cannot be written at the end is one line; the verdict is still printed; exit 2', () => {
    const dir = scratchDir();
    const reports = join(dir, 'reports');
    mkdirSync(reports);
    // The kernel passes, and replaces the report directory by a file: the check
    // before the run passed, the write after it cannot.
    const kernel = testKernel(dir, { name: 'saboteur', correct: true, sabotage: reports });
    const json = join(reports, 'r.json');
    const r = runCli(['check', '--impl', kernel, '--only', 'exact', ...QUICK, '--json', json]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/convcheck check: 1 passed, 0 thin, 0 failed, 0 errored/);
    const reportLines = r.stderr.split('\n').filter((l) => l.includes('--json'));
    expect(reportLines).toEqual([
      expect.stringMatching(/--json .*r\.json: the report could not be written/),
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--save-failures that becomes unwritable mid-run: one line, the run and its verdict go on', () => {
    const dir = scratchDir();
    const saves = join(dir, 'saves');
    mkdirSync(saves);
    const kernel = testKernel(dir, { name: 'saboteur', sabotage: saves });
    const r = runCli([
      'check',
      '--impl',
      kernel,
      '--only',
      'exact',
      ...QUICK,
      '--save-failures',
      saves,
    ]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/FAIL: saboteur/);
    expect(r.stdout).toMatch(/convcheck check: 0 passed, 0 thin, 1 failed/);
    const lines = r.stderr.split('\n').filter((l) => l.includes('--save-failures'));
    expect(lines).toEqual([expect.stringMatching(/could not save a failure/)]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('JUnit stays well-formed XML when the kernel name and stderr carry U+FFFE, U+FFFF and controls', () => {
    const dir = scratchDir();
    const junit = join(dir, 'r.xml');
    const kernel = testKernel(dir, {
      name: 'bad\uFFFEname\u0001',
      stderr: 'noise \uFFFF\u0007 \uD800 end\n',
    });
    const r = runCli(['check', '--impl', kernel, '--only', 'exact', ...QUICK, '--junit', junit]);
    expect(r.status, r.stderr).toBe(1);
    const parsed = execFileSync(
      'python3',
      [
        '-c',
        'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); print(r.tag)',
        junit,
      ],
      { encoding: 'utf8' },
    );
    expect(parsed.trim()).toBe('testsuites');
    expect(readFileSync(junit, 'utf8')).toContain('badname');
  });
});
