/**
 * Progress display for long runs: a redrawn bar on a TTY, otherwise one quiet
 * line per phase so CI logs stay readable.
 */

/** Receives progress events from the runner. */
export interface Progress {
  phaseStart(label: string, total: number): void;
  tick(done: number): void;
  /** Names the case now running (a layer or descriptor), for the TTY line. */
  current?(what: string): void;
  phaseEnd(summary: string): void;
}

/**
 * A progress display on `stream` (stderr by default). On a TTY it redraws one
 * bar line; elsewhere it prints only the start and end of each phase.
 *
 * @example
 * ```ts
 * const progress = createProgress();
 * progress.phaseStart('im2col / real', 150); progress.tick(10); progress.phaseEnd('150 passed');
 * ```
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let label = '';
  let total = 0;
  let lastDraw = 0;
  return {
    phaseStart(l, t) {
      label = l;
      total = t;
      if (!tty) stream.write(`convcheck: ${label}: running ${total > 0 ? `${total} cases` : ''}\n`);
    },
    tick(done) {
      if (!tty) return;
      const now = Date.now();
      if (now - lastDraw < 80 && done < total) return;
      lastDraw = now;
      const width = 24;
      const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
      stream.write(
        `\r  ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total} ${label}\x1b[K`,
      );
    },
    phaseEnd(summary) {
      stream.write(tty ? `\r\x1b[K  ${label}: ${summary}\n` : `convcheck: ${label}: ${summary}\n`);
    },
  };
}
