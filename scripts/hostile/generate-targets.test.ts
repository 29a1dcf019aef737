/**
 * Hostile targets of `fixtures generate` (issue 13, defect 1): no file the user
 * made is ever deleted, whatever --out names and whether or not --force is given.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli-error.ts';
import { refuseDangerousTarget } from '../fixtures/atomic.ts';
import { generateFixtures } from '../fixtures/generate.ts';
import { scratchDir } from '../fixtures/test-helpers.ts';
import { runCli } from '../run-cli.ts';

/** A directory holding one user file, `notes.txt`. */
function userDir(): string {
  const dir = scratchDir();
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  return dir;
}

describe('fixtures generate never deletes user files', () => {
  it("--out '' exits 2 with one line and leaves the current directory alone", () => {
    const cwd = userDir();
    for (const args of [
      ['--out', ''],
      ['.', '--force'],
      ['--out', cwd, '--force'],
    ]) {
      const r = runCli(['fixtures', 'generate', ...args, '--ops', 'maxpool'], { cwd });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(readdirSync(cwd)).toEqual(['notes.txt']);
    }
  });

  it('refuses the root, the current directory and any directory above it', async () => {
    const cwd = userDir();
    const inner = join(cwd, 'a', 'b');
    mkdirSync(inner, { recursive: true });
    const before = process.cwd();
    process.chdir(inner);
    try {
      for (const outDir of ['', ' ', '.', '..', '../..', inner, cwd]) {
        await expect(generateFixtures({ outDir, ops: ['maxpool'], force: true })).rejects.toThrow(
          UsageError,
        );
      }
    } finally {
      process.chdir(before);
    }
    expect(readFileSync(join(cwd, 'notes.txt'), 'utf8')).toBe('mine');
    // The root is refused by the check alone (never attempted, even in a test).
    expect(() => refuseDangerousTarget('/')).toThrow(/refusing to write \/ /);
    expect(() => refuseDangerousTarget(homedir())).toThrow(UsageError);
  });

  it('--force replaces only a fixture set or an empty directory, naming any other path', async () => {
    const root = scratchDir();
    const users = join(root, 'users');
    mkdirSync(users);
    writeFileSync(join(users, 'notes.txt'), 'mine');
    await expect(
      generateFixtures({ outDir: users, ops: ['maxpool'], force: true }),
    ).rejects.toThrow(new RegExp(`${users}.*not a convcheck fixture set`));
    expect(readdirSync(users)).toEqual(['notes.txt']);
    // A file, and a directory whose manifest is someone else's JSON, are refused too.
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    await expect(generateFixtures({ outDir: file, ops: ['maxpool'], force: true })).rejects.toThrow(
      UsageError,
    );
    const other = join(root, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'manifest.json'), '{"format": "not-ours"}');
    await expect(
      generateFixtures({ outDir: other, ops: ['maxpool'], force: true }),
    ).rejects.toThrow(UsageError);
    expect(readFileSync(join(other, 'manifest.json'), 'utf8')).toBe('{"format": "not-ours"}');
    // An empty directory and a fixture set are replaced.
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await generateFixtures({ outDir: empty, ops: ['maxpool'], force: true });
    await generateFixtures({ outDir: empty, ops: ['avgpool'], force: true });
    expect(readdirSync(empty)).toContain('manifest.json');
  });
});
