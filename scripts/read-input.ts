/**
 * Reading files a user (or a stranger) handed us: a manifest, a tensor, a model,
 * a descriptor file. Whatever the path names, the harness either reads a bounded
 * regular file or stops with one line (exit 2): a FIFO does not block it,
 * `/dev/zero` does not exhaust memory, a 3 GiB file does not raise
 * ERR_FS_FILE_TOO_LARGE, and JSON nested 100 000 deep does not overflow the stack
 * of the code that walks it.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from './cli-error.ts';

/** Largest JSON document read by default (manifests, models): 64 MiB. */
export const MAX_JSON_BYTES = 64 * 2 ** 20;
/** Deepest JSON nesting accepted by default; real documents nest a handful deep. */
export const MAX_JSON_DEPTH = 64;

/**
 * A file or JSON text that cannot be accepted. Its message is one line,
 * `<what> <path>: <reason>`; `reason` alone is kept for callers that report
 * the file their own way.
 */
export class InputFileError extends UsageError {
  constructor(
    what: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${what}${path === '' ? '' : ` ${path}`}: ${reason}`);
  }
}

/** Limits of {@link readRegularFile}. */
export interface ReadFileConstraints {
  /** What the file is, for the error line ('manifest.json', '--model'). */
  what: string;
  /** Largest size accepted, in bytes. */
  maxBytes: number;
}

/**
 * Reads a whole regular file of at most `maxBytes` bytes. Anything else (missing,
 * unreadable, a directory, a FIFO, a device, too large) throws an InputFileError
 * naming the path and the reason. The file is opened non-blocking, so a FIFO
 * without a writer is refused instead of waited on.
 *
 * @example
 * ```ts
 * const bytes = readRegularFile('fx/manifest.json', { what: 'manifest', maxBytes: 2 ** 20 });
 * ```
 */
export function readRegularFile(path: string, constraints: ReadFileConstraints): Buffer {
  const { what, maxBytes } = constraints;
  const refuse = (reason: string): never => {
    throw new InputFileError(what, path, reason);
  };
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return refuse(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) refuse('is not a regular file');
    if (stat.size > maxBytes) refuse(`is ${stat.size} bytes, more than the limit of ${maxBytes}`);
    const bytes = Buffer.alloc(stat.size);
    let read = 0;
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return bytes.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * The deepest nesting of arrays and objects in a JSON text (strings skipped),
 * found without recursion, so that it is safe on any input.
 *
 * @example
 * ```ts
 * jsonDepth('{"a": [1, [2]]}'); // 3
 * ```
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Parses JSON text that came from outside, refusing nesting deeper than
 * `maxDepth` (default {@link MAX_JSON_DEPTH}) before any code walks it. Every
 * failure is a one-line UsageError naming `what`.
 *
 * @example
 * ```ts
 * parseJsonInput('[[1]]', { what: 'shape descriptor' }); // [[1]]
 * ```
 */
export function parseJsonInput(
  text: string,
  constraints: { what: string; path?: string; maxDepth?: number },
): unknown {
  const maxDepth = constraints.maxDepth ?? MAX_JSON_DEPTH;
  const refuse = (reason: string): never => {
    throw new InputFileError(constraints.what, constraints.path ?? '', reason);
  };
  const depth = jsonDepth(text);
  if (depth > maxDepth) refuse(`JSON nested ${depth} deep, more than the limit of ${maxDepth}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    return refuse(`not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Reads and parses a JSON file with both limits: a bounded regular file, then
 * bounded nesting.
 *
 * @example
 * ```ts
 * const model = readJsonFile('net.json', { what: '--model' });
 * ```
 */
export function readJsonFile(
  path: string,
  constraints: { what: string; maxBytes?: number; maxDepth?: number },
): unknown {
  const bytes = readRegularFile(path, {
    what: constraints.what,
    maxBytes: constraints.maxBytes ?? MAX_JSON_BYTES,
  });
  return parseJsonInput(bytes.toString('utf8'), {
    what: constraints.what,
    path,
    maxDepth: constraints.maxDepth,
  });
}
