/**
 * `--json FILE` (and `--junit`, `--markdown`), the same in every command: the
 * report is written to FILE, folders created; `-` prints it on stdout instead
 * of the command's text output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Help text of `--json <file>`, shared by every command that has it. */
export const JSON_OPTION_HELP =
  'write the JSON report to FILE (- prints it on stdout instead of the text)';

/** Whether an output option asks for stdout. */
export function toStdout(path: string | undefined): boolean {
  return path === '-';
}

/**
 * Writes `text` to `path` ('-': stdout; undefined: nowhere).
 *
 * @example
 * ```ts
 * writeOutput('reports/check.json', toJson(report));
 * ```
 */
export function writeOutput(path: string | undefined, text: string): void {
  if (path === undefined) return;
  if (toStdout(path)) {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/**
 * Writes like {@link writeOutput}, but a report that cannot be written is one
 * line on stderr and `false`, so that the other reports and the verdict still
 * come out.
 */
export function tryWriteOutput(flag: string, path: string | undefined, text: string): boolean {
  try {
    writeOutput(path, text);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    process.stderr.write(`convcheck: ${flag} ${path}: the report could not be written (${code})\n`);
    return false;
  }
}
