/**
 * Hostile input files (issue 13, defects 5 and 8): a manifest that is a symlink
 * out of the directory, a FIFO, /dev/zero, JSON nested beyond reason, a tensor
 * over 2 GiB. Each is refused with one line naming the file (exit 2); nothing
 * blocks, overflows the stack or reads without bound.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli-error.ts';
import { generateFixtures } from '../fixtures/generate.ts';
import { FixtureIntegrityError } from '../fixtures/integrity.ts';
import { scratchDir } from '../fixtures/test-helpers.ts';
import { verifyFixtures } from '../fixtures/verify.ts';
import { readProblem } from '../problem-input.ts';
import { jsonDepth, readJsonFile } from '../read-input.ts';
import { runCli } from '../run-cli.ts';

/** A fresh one-op fixture set and its manifest path. */
async function fixtureSet(): Promise<{ dir: string; manifest: string }> {
  const dir = join(scratchDir(), 'fx');
  await generateFixtures({ outDir: dir, ops: ['maxpool'] });
  return { dir, manifest: join(dir, 'manifest.json') };
}

const deep = (n: number) => `{"op": "maxpool", "x": ${'['.repeat(n)}${']'.repeat(n)}}`;

describe('manifest.json obeys the rules of tensors', () => {
  it('a symlink to /dev/zero is refused without reading it', async () => {
    const { dir, manifest } = await fixtureSet();
    rmSync(manifest);
    symlinkSync('/dev/zero', manifest);
    await expect(verifyFixtures({ dir })).rejects.toThrow(/manifest\.json.*outside the fixture/);
  });

  it("a symlink to another directory's manifest is refused", async () => {
    const a = await fixtureSet();
    const b = await fixtureSet();
    rmSync(b.manifest);
    symlinkSync(a.manifest, b.manifest);
    await expect(verifyFixtures({ dir: b.dir })).rejects.toThrow(/outside the fixture directory/);
  });

  it('a FIFO is refused at once, not waited on', async () => {
    const { dir, manifest } = await fixtureSet();
    rmSync(manifest);
    execFileSync('mkfifo', [manifest]);
    await expect(verifyFixtures({ dir })).rejects.toThrow(/manifest\.json.*not a regular file/);
  });

  it('JSON nested 100 000 deep is refused as too deep', async () => {
    const { dir, manifest } = await fixtureSet();
    writeFileSync(manifest, deep(100_000));
    await expect(verifyFixtures({ dir })).rejects.toThrow(FixtureIntegrityError);
    await expect(verifyFixtures({ dir })).rejects.toThrow(/nested 100001 deep/);
  });

  it('a manifest over the size cap is refused before it is read', async () => {
    const { dir, manifest } = await fixtureSet();
    truncateSync(manifest, 65 * 2 ** 20);
    await expect(verifyFixtures({ dir })).rejects.toThrow(/bytes, more than the limit/);
  });
});

describe('tensors and problems from outside', () => {
  it('a tensor file over 2 GiB is refused by size (no ERR_FS_FILE_TOO_LARGE)', async () => {
    const { dir, manifest } = await fixtureSet();
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    const file = join(dir, m.cases[0].tensors.input.file);
    truncateSync(file, 2 ** 31 + 10); // sparse: no disk space used
    await expect(verifyFixtures({ dir })).rejects.toThrow(FixtureIntegrityError);
    await expect(verifyFixtures({ dir })).rejects.toThrow(/2147483658 bytes, more than the limit/);
  });

  it('a problem JSON nested deeply is one UsageError; `shape` exits 2 with one line', () => {
    expect(() => readProblem(deep(5_000))).toThrow(UsageError);
    expect(() => readProblem(deep(5_000))).toThrow(/nested 5001 deep/);
    const r = runCli(['shape', deep(60_000)]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('jsonDepth skips strings and escapes', () => {
    expect(jsonDepth('{"a": "[[[\\"[[", "b": [[1]]}')).toBe(3);
    expect(jsonDepth('[]')).toBe(1);
  });

  it('readJsonFile refuses a directory and a missing file with one line each', () => {
    const dir = scratchDir();
    expect(() => readJsonFile(dir, { what: 'model' })).toThrow(/model .*: is not a regular file/);
    const missing = join(dir, 'nope.json');
    expect(() => readJsonFile(missing, { what: 'model' })).toThrow(/cannot be read \(ENOENT\)/);
  });
});
