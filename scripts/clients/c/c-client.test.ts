/**
 * The C client header: example_naive.c compiles with `cc` and passes
 * `convcheck check`, a copy with a planted bug is caught, and a declined rank
 * comes back as a skip with the kernel's reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../check/results.ts';
import { runCli } from '../../run-cli.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'convcheck-c-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hasCc = spawnSync('cc', ['--version']).status === 0;
const example = readFileSync(join(here, 'example_naive.c'), 'utf8');

/** Compiles C source that includes convcheck_client.h (strict warnings) and returns the binary. */
function compile(name: string, source: string): string {
  const file = join(work, `${name}.c`);
  writeFileSync(file, source);
  const binary = join(work, name);
  const flags = ['-std=c99', '-O2', '-Wall', '-Wextra', '-pedantic', '-Werror', `-I${here}`];
  execFileSync('cc', [...flags, '-o', binary, file]);
  return binary;
}

function check(binary: string, extra: string[] = [], suite: 'quick' | 'exact' = 'quick') {
  const r = runCli(['check', '--impl-cmd', binary, '--suite', suite, '--runs', '25', ...extra]);
  return { ...r, report: r.status === 2 ? undefined : (JSON.parse(r.stdout) as CheckReport) };
}

describe.skipIf(!hasCc)(`C client (${hasCc ? 'cc found' : 'skipped: no cc on PATH'})`, () => {
  it('example_naive.c passes every phase', () => {
    const r = check(compile('naive', example), ['--json', '-']);
    expect(r.status).toBe(0);
    expect(r.report?.phases.map((p) => p.passed)).toEqual([25, 25, 25]);
  });

  it('catches a planted bug (the flip of true convolution removed)', () => {
    const buggy = example.replace('int flip = !p->cross_correlation;', 'int flip = 0;');
    expect(buggy).not.toBe(example);
    // The exact-data phase alone: a wrong flip is caught there bit for bit, and the
    // other phases would only repeat the finding.
    const r = check(compile('noflip', buggy), ['--json', '-'], 'exact');
    expect(r.status).toBe(1);
    expect(r.report?.phases.map((p) => p.phase)).toEqual(['exact data']);
    expect(r.report?.phases[0]?.failure?.descriptor).toMatch(/^trueconv:/);
  });

  it('passes a declined problem back as a skip with the reason', () => {
    const declining = example.replace(
      '  long at = 0;',
      '  long at = 0;\n  if (p->rank == 3) return cc_unsupported("no 3-D (rank %d)", p->rank);',
    );
    const r = check(compile('no3d', declining), ['--json', '-']);
    expect(r.status).toBe(0);
    // The program's own reason, next to the harness's mistrusted skips (mostly-zero references)
    // and the header's own for the padding modes it does not implement.
    const reasons = r.report!.phases.flatMap((p) => Object.keys(p.skipReasons));
    expect(reasons).toContain('no 3-D (rank 3)');
    const header =
      /^this C client pads with zeros only \(paddingMode '(reflect|replicate|circular)'\)$/;
    expect(
      reasons.filter(
        (x) => x !== 'no 3-D (rank 3)' && !x.startsWith('mistrusted:') && !header.test(x),
      ),
    ).toEqual([]);
  });
});
