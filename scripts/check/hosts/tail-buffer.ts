/**
 * The last few kilobytes of a child's stdout or stderr: enough to explain a
 * crash in an error message, never enough to exhaust memory, and never printed
 * where it could corrupt the harness's own output.
 */

/** Default number of characters a tail keeps. */
export const DEFAULT_TAIL_CHARS = 4096;

/**
 * A bounded text buffer that keeps only the most recent characters.
 *
 * @example
 * ```ts
 * const tail = new TailBuffer(8);
 * tail.append('hello, world\n');
 * tail.text(); // 'world\n'
 * ```
 */
export class TailBuffer {
  private kept = '';
  constructor(readonly capacity: number = DEFAULT_TAIL_CHARS) {}

  append(chunk: string | Buffer): void {
    this.kept += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    // Trim only once the buffer doubles, so appending stays amortized O(chunk).
    if (this.kept.length > 2 * this.capacity) this.kept = this.kept.slice(-this.capacity);
  }

  text(): string {
    return this.kept.length > this.capacity ? this.kept.slice(-this.capacity) : this.kept;
  }

  clear(): void {
    this.kept = '';
  }
}

/**
 * Appends the non-empty tails to an error message, each under its label, the
 * last lines only, so a crash report shows what the process said last.
 *
 * @example
 * ```ts
 * withTails('process exited with code 3', { stderr });
 * // 'process exited with code 3\n--- last stderr ---\nTraceback …'
 * ```
 */
export function withTails(message: string, tails: Record<string, TailBuffer>): string {
  let text = message;
  for (const [label, tail] of Object.entries(tails)) {
    const kept = tail.text().trimEnd();
    if (kept !== '') text += `\n--- last ${label} ---\n${lastLines(kept, 20)}`;
  }
  return text;
}

function lastLines(text: string, count: number): string {
  const lines = text.split('\n');
  return lines.slice(-count).join('\n');
}
