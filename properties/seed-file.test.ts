import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { claimSeedFile } from './seed-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'convcheck-seed-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Claims `file` from a separate Node process (as a vitest worker does); resolves what it got. */
function claimElsewhere(file: string, proposed: number): Promise<{ seed: number; first: boolean }> {
  const module = fileURLToPath(new URL('./seed-file.ts', import.meta.url));
  const script = `import { claimSeedFile } from ${JSON.stringify(module)};
    process.stdout.write(JSON.stringify(claimSeedFile(${JSON.stringify(file)}, ${proposed})));`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))),
    );
  });
}

describe('claimSeedFile', () => {
  it('gives the first claimant its seed and every later one that same seed', () => {
    const file = join(dir, 'run-a');
    expect(claimSeedFile(file, 11)).toEqual({ seed: 11, first: true });
    expect(claimSeedFile(file, 22)).toEqual({ seed: 11, first: false });
    expect(readFileSync(file, 'utf8')).toBe('11');
    // The claimant's own file is gone: only the shared one is left.
    expect(readdirSync(dir)).toEqual(['run-a']);
  });

  it('processes claiming at the same moment all get one seed, and one of them is first', async () => {
    const file = join(dir, 'run-b');
    const claims = await Promise.all([1, 2, 3].map((s) => claimElsewhere(file, s)));
    expect(claims.filter((c) => c.first)).toHaveLength(1);
    const winner = claims.find((c) => c.first)!.seed;
    expect(claims.map((c) => c.seed)).toEqual(claims.map(() => winner));
    expect(existsSync(file)).toBe(true);
  });

  it('refuses a seed file that holds no seed instead of quietly using another seed', () => {
    const file = join(dir, 'run-c');
    writeFileSync(file, '');
    expect(() => claimSeedFile(file, 6)).toThrow(/unreadable seed file/);
  });
});
