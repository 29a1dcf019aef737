/**
 * Hostile model files (issue 13, defects 4 and 5): each must end in one line
 * that names the layer and the key, exit 2, and never a stack trace or a hang.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'convcheck-hostile-models-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function modelFile(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

/** Runs `params` and expects exit 2 with exactly one stderr line matching `message`. */
function expectRefused(args: string[], message: RegExp): void {
  const r = runCli(['params', ...args], { timeoutMs: 30_000 });
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('params refuses hostile model files with one line and exit 2', () => {
  it('a layer whose name is a number', () => {
    const path = modelFile(
      'name5.json',
      JSON.stringify({ input: [3, 8, 8], layers: [{ type: 'relu', name: 5 }] }),
    );
    expectRefused([path], /^convcheck: layers\[0\]\.name must be a non-empty string.*got 5$/);
  });

  it('a model name that is a number', () => {
    const path = modelFile('top5.json', JSON.stringify({ name: 5, input: [3, 8, 8], layers: [] }));
    expectRefused([path], /^convcheck: name must be a string, got 5$/);
  });

  it('a misspelled key, naming the layer and the key', () => {
    const layers = [{ type: 'conv', name: 'stem', out: 2, kernel: 3, strid: 2 }];
    const path = modelFile('strid.json', JSON.stringify({ input: [1, 8, 8], layers }));
    expectRefused(
      [path],
      /^convcheck: layers\[0\] \(stem\)\.strid must be absent: a conv layer has no key 'strid'/,
    );
  });

  for (const json of [false, true]) {
    it(`a 130,000-layer model${json ? ' with --json' : ''}`, () => {
      const layers = new Array(130_000).fill({ type: 'relu' });
      const path = modelFile(`big${json}.json`, JSON.stringify({ input: [3, 8, 8], layers }));
      expectRefused(
        json ? [path, '--json', '-'] : [path],
        /^convcheck: layers must be at most 100000 layers/,
      );
    });
  }

  it('deeply nested JSON where a layer belongs', () => {
    const path = modelFile(
      'deep.json',
      `{"input":[3,8,8],"layers":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`,
    );
    expectRefused([path], /^convcheck: layers\[0\] must be a layer object/);
  });

  it('a pool whose output would be huge (no walk over its windows)', () => {
    const layers = [{ type: 'maxpool', name: 'p', kernel: 1, pad: 1e12 }];
    const path = modelFile('pool.json', JSON.stringify({ input: [1, 8], layers }));
    expectRefused(
      [path],
      /^convcheck: layers\[0\] \(p\) output must be a tensor of at most 2\^26 elements/,
    );
  });

  it('adaptive pooling to [1e12, 1]', () => {
    const layers = [{ type: 'adaptiveavgpool', output: [1e12, 1] }];
    const path = modelFile('adaptive.json', JSON.stringify({ input: [1, 8, 8], layers }));
    expectRefused(
      [path],
      /^convcheck: layers\[0\]\.output must be a tensor of at most 2\^26 elements/,
    );
  });

  it('a large model that is accepted still prints --json (written layer by layer)', () => {
    const layers = new Array(2_000).fill({ type: 'relu' });
    const path = modelFile('ok.json', JSON.stringify({ input: [3, 8, 8], layers }));
    const r = runCli(['params', path, '--json', '-'], { timeoutMs: 60_000 });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).layers).toHaveLength(2_000);
  });
});
