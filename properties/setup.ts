/**
 * Vitest setup file (registered in vitest.config.ts): installs the property
 * configuration (runs, seed) in every test worker and prints the seed once.
 *
 * Vitest runs setup files in each worker process. When no CONVCHECK_SEED is
 * given, the seed is chosen once per vitest run and shared through a small
 * temp file named after the parent (vitest) process and its start time, so
 * that every test file uses the same seed and only the first worker prints it.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPropertyConfig, seedBanner, useRunConfig } from './config.ts';
import { claimSeedFile } from './seed-file.ts';

/** The parent's start time (Linux /proc), so a reused process id never shares a seed. */
function parentStartTime(): string {
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    // Field 22 (starttime) counted after the parenthesised command name.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

/** Removes the seed files of vitest runs whose process is gone. */
function removeStaleSeedFiles(): void {
  for (const name of readdirSync(tmpdir())) {
    const match = /^convcheck-seed-(\d+)-/.exec(name);
    if (!match) continue;
    try {
      process.kill(Number(match[1]), 0);
    } catch (error) {
      // ESRCH: no such process. (EPERM means alive but someone else's: keep it.)
      if ((error as NodeJS.ErrnoException).code === 'ESRCH')
        rmSync(join(tmpdir(), name), { force: true });
    }
  }
}

/** Claims this run's seed file (see seed-file.ts). */
function sharedSeed(proposed: number): { seed: number; first: boolean } {
  const file = join(tmpdir(), `convcheck-seed-${process.ppid}-${parentStartTime()}`);
  const claimed = claimSeedFile(file, proposed);
  if (claimed.first) removeStaleSeedFiles();
  return claimed;
}

function install(): void {
  const config = readPropertyConfig();
  let shared: { seed: number; first: boolean };
  try {
    shared = sharedSeed(config.seed);
  } catch {
    // No usable temp dir: each worker keeps its own seed and says so.
    shared = { seed: config.seed, first: true };
  }
  // A seed from the environment is never overridden, only announced once.
  const seed = config.seedSource === 'env' ? config.seed : shared.seed;
  useRunConfig({ ...config, seed });
  if (shared.first) console.log(seedBanner(seed));
}

install();
