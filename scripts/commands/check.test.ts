import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'convcheck-check-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const example = 'docs/examples/naive-kernel.mjs';

/** The example kernel with its flip removed: true convolution becomes cross-correlation. */
function brokenKernel(): string {
  const path = join(work, 'noflip.mjs');
  const source = readFileSync(example, 'utf8').replace(
    "flip = p.mode === 'convolution'",
    'flip = false',
  );
  writeFileSync(path, source);
  return path;
}

describe('convcheck check', () => {
  it('passes a correct third-party module and prints the seed first', () => {
    const r = runCli(['check', '--impl', example, '--suite', 'quick', '--runs', '30']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^convcheck check: seed -?\d+/);
    expect(r.stdout).toMatch(
      /3 passed, 0 thin, 0 failed, 0 errored, 0 skipped phases; 90 of 90 cases checked/,
    );
  });

  it('exits 1 when the kernel declined every case and lists the reasons; --allow-empty exits 0', () => {
    const path = join(work, 'declines.mjs');
    const kernel = `export default { name: 'declines', supports: () => 'no thanks', conv: () => new Float32Array(0) };`;
    writeFileSync(path, kernel);
    const args = ['check', '--impl', path, '--suite', 'quick', '--runs', '2'];
    const r = runCli(args);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('nothing was checked');
    expect(r.stdout).toMatch(
      /declines — exact data: \d+ declined \(0 checked of 2 asked\)\n +\d+ × no thanks/,
    );
    expect(runCli([...args, '--allow-empty']).status).toBe(0);
  });

  it('fails a kernel without the flip, writes the reports, and the repro replays it', () => {
    const kernel = brokenKernel();
    const [json, junit, markdown] = ['r.json', 'r.xml', 'r.md'].map((f) => join(work, f));
    const r = runCli([
      'check',
      '--impl',
      kernel,
      '--suite',
      'quick',
      '--seed',
      '7',
      '--only',
      'exact',
      '--json',
      json!,
      '--junit',
      junit!,
      '--markdown',
      markdown!,
    ]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL: naive-direct — exact data/);
    // Shrunk to the smallest spatial true convolution that tells the modes apart
    // (the data seed does not shrink: where a channel's data make the flip
    // invisible, e.g. equal weights, shrinking keeps a second channel).
    expect(r.stdout).toMatch(/trueconv:mb1g\d+ic\d+oc\d+_iw2_kw2_sw1_dw1_pbw0_pew0_nobias/);
    const report = JSON.parse(readFileSync(json!, 'utf8'));
    expect(report.exitCode).toBe(1);
    expect(report.phases[0].failure.verdict).toBe('fail');
    expect(readFileSync(junit!, 'utf8')).toMatch(/<failure message=/);
    expect(readFileSync(markdown!, 'utf8')).toMatch(/## convcheck: FAILED/);

    const repro = /repro: npx convcheck (.*)$/m.exec(r.stdout)![1]!;
    const args = repro.match(/'[^']*'|\S+/g)!.map((a) => a.replace(/^'|'$/g, ''));
    const replay = runCli(args);
    expect(replay.status).toBe(1);
    expect(replay.stdout).toMatch(/FAIL trueconv:/);
  });

  it('replays a fast-check path to the same shrunk counterexample', () => {
    const kernel = brokenKernel();
    const first = runCli([
      'check',
      '--impl',
      kernel,
      '--suite',
      'quick',
      '--seed',
      '7',
      '--only',
      'exact',
    ]);
    const path = /path: "([^"]+)"/.exec(first.stdout)![1]!;
    const replay = runCli([
      'check',
      '--impl',
      kernel,
      '--suite',
      'quick',
      '--seed',
      '7',
      '--only',
      'exact',
      '--path',
      path,
    ]);
    expect(replay.status).toBe(1);
    expect(/trueconv:\S+/.exec(replay.stdout)![0]).toBe(/trueconv:\S+/.exec(first.stdout)![0]);
  });

  it('prints a phase replay line that carries the filters and reaches the same counterexample', () => {
    const kernel = brokenKernel();
    const args = ['--suite', 'quick', '--seed', '8', '--dims', '1,2', '--modes', 'trueconv'];
    const first = runCli(['check', '--impl', kernel, ...args, '--only', 'real']);
    const line = /replay phase: npx convcheck (.+)/.exec(first.stdout)![1]!;
    expect(line).toContain('--dims 1,2 --modes trueconv --only real --path');
    const replayArgs = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
    const replay = runCli(replayArgs);
    expect(replay.status).toBe(1);
    expect(/trueconv:\S+/.exec(replay.stdout)![0]).toBe(/trueconv:\S+/.exec(first.stdout)![0]);
  });

  const usage: [string, string[], RegExp][] = [
    ['an unknown suite', ['--suite', 'huge'], /--suite must be one of/],
    ['a bad shard', ['--shard', '3/2'], /--shard must be i\/n/],
    ['bad dims', ['--dims', '4'], /--dims must be/],
    ['a missing module', ['--impl', 'no/such/kernel.mjs'], /kernel\.mjs/],
    ['a module without the contract', ['--impl', 'package.json'], /package\.json/],
    ['a command that does not start', ['--impl-cmd', 'no-such-program-xyz'], /no-such-program-xyz/],
    ['an unknown built-in', ['--builtin', 'cudnn'], /--builtin must name one of/],
  ];
  for (const [what, args, message] of usage) {
    it(`exits 2 for ${what}`, () => {
      const r = runCli(['check', ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe('convcheck check --save-failures', () => {
  it('saves the shrunk counterexample as a fixture that verify replays', () => {
    const kernel = brokenKernel();
    const saved = join(work, 'regressions');
    const r = runCli([
      'check',
      '--impl',
      kernel,
      '--suite',
      'quick',
      '--seed',
      '7',
      '--only',
      'real',
      '--save-failures',
      saved,
    ]);
    expect(r.status).toBe(1);
    const dir = /saved: (.*)$/m.exec(r.stdout)![1]!.trim();
    // The broken kernel still fails the saved case; the oracle and built-in kernels pass it.
    expect(runCli(['fixtures', 'verify', dir, '--impl', kernel]).status).toBe(1);
    expect(runCli(['fixtures', 'verify', dir]).status).toBe(0);
  });
});
