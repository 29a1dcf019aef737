/**
 * The published package, as a user gets it: `npm pack` (which runs `prepare`,
 * the build), the tarball unpacked into a temporary project's node_modules,
 * then plain `node` imports it, runs its bin, and vitest runs its helper. The
 * network is closed here, so the tarball's dependencies are linked from this
 * checkout's node_modules, laid out as npm's hoisted install would.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'convcheck-pack-'));
const project = join(work, 'project');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const example = readFileSync(join(root, 'docs/examples/naive-kernel.mjs'), 'utf8');
/** The example kernel with its flip removed: wrong on every true convolution. */
const noFlip = example.replace("flip = p.mode === 'convolution'", 'flip = false');

function installPackedTarball(): void {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as { filename: string }[];
  const modules = join(project, 'node_modules');
  mkdirSync(modules, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, packed[0]!.filename), '-C', work]);
  renameSync(join(work, 'package'), join(modules, 'convcheck'));
  const deps = resolve(root, 'node_modules');
  for (const name of readdirSync(deps)) {
    if (name.startsWith('.')) continue;
    symlinkSync(join(deps, name), join(modules, name));
  }
  writeFileSync(
    join(project, 'package.json'),
    '{ "name": "user", "private": true, "type": "module" }',
  );
  writeFileSync(join(project, 'kernel.ts'), example);
  writeFileSync(join(project, 'no-flip.mjs'), noFlip);
}

function nodeIn(args: string[]) {
  return spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8', timeout: 60_000 });
}

describe('the packed tarball', () => {
  beforeAll(installPackedTarball, 60_000);

  it('is compiled JavaScript: plain node imports it and checkKernel checks a .ts kernel', () => {
    const script = `
      import { checkKernel, referenceConv } from 'convcheck';
      const opts = { suite: 'quick', runs: 5, seed: 3 };
      const good = await checkKernel({ module: 'kernel.ts' }, opts);
      const bad = await checkKernel({ module: 'no-flip.mjs' }, opts);
      console.log(JSON.stringify([typeof referenceConv, good.exitCode, bad.exitCode]));`;
    const r = nodeIn(['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(['function', 0, 1]);
  });

  it('runs its bin with plain node (no tsx at run time)', () => {
    const manifest = JSON.parse(
      readFileSync(join(project, 'node_modules/convcheck/package.json'), 'utf8'),
    ) as { bin: { convcheck: string } };
    expect(manifest.bin.convcheck).toMatch(/\.js$/);
    const bin = join(project, 'node_modules/convcheck', manifest.bin.convcheck);
    const r = nodeIn([bin, 'check', '--suite', 'quick', '--runs', '3', '--seed', '1']);
    // im2col: conv, convtranspose and conv-backward-data × 3 phases; each Winograd kernel: conv × 3;
    // im2col-int8: conv-integer × 1 and qlinear-conv × 3 (integer, rounding-tie, saturation data).
    expect(r.stdout).toMatch(/19 passed, 0 thin, 0 failed, 0 errored/);
    expect(r.status).toBe(0);
  });

  it('vitest helper: one test per phase, the buggy kernel fails with its repro line', () => {
    const spec = (file: string, title: string) =>
      `import { describeConformance } from 'convcheck/vitest';\n` +
      `describeConformance({ module: '${file}' }, { title: '${title}', suite: 'quick', runs: 8, seed: 5 });\n`;
    writeFileSync(join(project, 'good.test.mjs'), spec('kernel.ts', 'good'));
    writeFileSync(join(project, 'bad.test.mjs'), spec('no-flip.mjs', 'bad'));
    const out = join(work, 'vitest.json');
    const vitest = join(project, 'node_modules/vitest/vitest.mjs');
    const r = nodeIn([vitest, 'run', '--reporter=json', `--outputFile=${out}`]);
    expect(r.status).toBe(1);
    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      testResults: {
        assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
      }[];
    };
    const tests = json.testResults.flatMap((f) => f.assertionResults);
    const status = Object.fromEntries(tests.map((t) => [t.fullName, t.status]));
    expect(status).toEqual({
      'good exact data': 'passed',
      'good real data': 'passed',
      'good special data': 'passed',
      'bad exact data': 'failed',
      'bad real data': 'failed',
      'bad special data': 'failed',
    });
    const message = tests.find((t) => t.fullName === 'bad exact data')!.failureMessages[0];
    expect(message).toMatch(/FAIL: naive-direct — exact data\n {2}trueconv:/);
    expect(message).toMatch(/repro: npx convcheck check --impl 'no-flip.mjs' --problem/);
  });
});
