/**
 * Checks, before any work starts, that every file and directory a command will
 * write can be written: a run of many minutes must not end in an EISDIR stack
 * trace. The checks probe for real (permission bits say nothing for root, an
 * immutable file or a read-only mount), leaving nothing behind and never
 * changing an existing file.
 */
import { closeSync, mkdtempSync, openSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './cli-error.ts';

const errorCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** The nearest path at or above `path` that exists, with its stat. */
function nearestExisting(path: string): { path: string; isDirectory: boolean } {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      return { path: p, isDirectory: statSync(p).isDirectory() };
    } catch {
      if (dirname(p) === p) return { path: p, isDirectory: true };
    }
  }
}

/** Throws unless an entry can be created in directory `dir` (probed with a temporary directory). */
function probeDirectory(flag: string, path: string, dir: string): void {
  try {
    rmdirSync(mkdtempSync(join(dir, '.convcheck-probe-')));
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot write in ${dir} (${errorCode(e)})`);
  }
}

/**
 * Throws a one-line UsageError unless `path` may be created, missing parents
 * included, in its nearest existing ancestor (which must be a writable directory).
 *
 * @example
 * ```ts
 * checkCreatable('--out', 'fixtures/new-set'); // throws if 'fixtures' is a file
 * ```
 */
export function checkCreatable(flag: string, path: string): void {
  const ancestor = nearestExisting(dirname(resolve(path)));
  if (!ancestor.isDirectory) {
    throw new UsageError(`${flag} ${path}: ${ancestor.path} is not a directory`);
  }
  probeDirectory(flag, path, ancestor.path);
}

/**
 * Refuses an empty path, then says whether `path` is a directory; a path that
 * does not exist yet is checked for creation and gives undefined.
 */
function existingIsDirectory(flag: string, path: string): boolean | undefined {
  if (path.trim() === '') throw new UsageError(`${flag} must name a path, got '${path}'`);
  try {
    return statSync(path).isDirectory();
  } catch {
    checkCreatable(flag, path);
    return undefined;
  }
}

/**
 * Throws a one-line UsageError unless the report file `path` (given by `flag`)
 * can be written: not a directory, and writable if it exists, creatable if not.
 *
 * @example
 * ```ts
 * checkOutputFile('--json', 'out/report.json');
 * ```
 */
export function checkOutputFile(flag: string, path: string): void {
  const isDirectory = existingIsDirectory(flag, path);
  if (isDirectory === undefined) return;
  if (isDirectory) throw new UsageError(`${flag} ${path}: is a directory`);
  try {
    closeSync(openSync(path, 'r+')); // opens for writing without changing a byte
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot be written (${errorCode(e)})`);
  }
}

/**
 * Throws a one-line UsageError unless entries can be created in directory
 * `path` (given by `flag`), creating it first if needed.
 *
 * @example
 * ```ts
 * checkOutputDir('--save-failures', 'regressions');
 * ```
 */
export function checkOutputDir(flag: string, path: string): void {
  const isDirectory = existingIsDirectory(flag, path);
  if (isDirectory === undefined) return;
  if (!isDirectory) throw new UsageError(`${flag} ${path}: is not a directory`);
  probeDirectory(flag, path, path);
}
