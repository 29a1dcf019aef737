/**
 * The seed file one vitest run's workers share (properties/setup.ts): the first
 * worker to claim it writes its seed, every other worker reads that seed.
 */
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Claims `file` for `proposed`; the first claimant's seed wins. The seed is
 * written to a file of this process's own and hard-linked into place, so `file`
 * appears with its content or not at all: workers starting at the same moment
 * (two at once, vitest.config.ts) never read it half written.
 *
 * @example
 * ```ts
 * const { seed, first } = claimSeedFile(join(tmpdir(), 'convcheck-seed-42-7'), 123);
 * ```
 */
export function claimSeedFile(file: string, proposed: number): { seed: number; first: boolean } {
  const claim = `${file}.${process.pid}`;
  writeFileSync(claim, String(proposed));
  try {
    linkSync(claim, file);
    return { seed: proposed, first: true };
  } catch (error) {
    // EEXIST: another worker of this run claimed it first.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(claim, { force: true });
  }
  const text = readFileSync(file, 'utf8');
  const seed = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(seed)) {
    throw new Error(`unreadable seed file ${file}: ${JSON.stringify(text.slice(0, 40))}`);
  }
  return { seed, first: false };
}
