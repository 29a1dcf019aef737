/**
 * Progress display for long runs: on a TTY one redrawn line per phase (cases
 * done / total, the case now running, elapsed time and ETA); elsewhere one
 * quiet line at the start and end of each phase, so CI logs stay readable.
 */

/** Receives progress events from the runner. */
export interface Progress {
  phaseStart(label: string, total: number): void;
  tick(done: number): void;
  /** Names the case now running (a layer or descriptor), for the TTY line. */
  current?(what: string): void;
  phaseEnd(summary: string): void;
}

/** Where progress goes: a stream, and a clock the tests can drive. */
export interface ProgressConstraints {
  stream?: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean };
  now?: () => number;
}

/** Seconds as "42 s" or "3 min 05 s". */
export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * The TTY progress line: bar, done/total, label, current case, elapsed and ETA
 * (elapsed / done · remaining; '?' before the first case ends).
 *
 * @example
 * ```ts
 * progressLine({ label: 'im2col / real data', done: 5, total: 10, current: 'vgg16/conv1_1', elapsedMs: 5000 });
 * // '██████████████░░░░░░░░░░ 5/10 im2col / real data · vgg16/conv1_1 · 5 s elapsed, ETA 5 s'
 * ```
 */
export function progressLine(state: {
  label: string;
  done: number;
  total: number;
  current: string;
  elapsedMs: number;
}): string {
  const { label, done, total, current, elapsedMs } = state;
  const width = 24;
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  const eta = done > 0 ? formatSeconds((elapsedMs / done) * Math.max(0, total - done)) : '?';
  const now = current === '' ? '' : ` · ${current}`;
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total} ${label}${now} · ${formatSeconds(elapsedMs)} elapsed, ETA ${eta}`;
}

/**
 * A progress display on `stream` (stderr by default). On a TTY it redraws one
 * line; elsewhere it prints only the start and end of each phase.
 *
 * @example
 * ```ts
 * const progress = createProgress();
 * progress.phaseStart('im2col / real', 150); progress.tick(10); progress.phaseEnd('150 passed');
 * ```
 */
export function createProgress(constraints: ProgressConstraints = {}): Progress {
  const stream = constraints.stream ?? process.stderr;
  const now = constraints.now ?? Date.now;
  const tty = stream.isTTY === true;
  let label = '';
  let total = 0;
  let done = 0;
  let current = '';
  let started = 0;
  let lastDraw = 0;
  const draw = (force: boolean) => {
    const t = now();
    if (!tty || (!force && t - lastDraw < 80)) return;
    lastDraw = t;
    const line = progressLine({ label, done, total, current, elapsedMs: t - started });
    stream.write(`\r  ${line}\x1b[K`);
  };
  return {
    phaseStart(l, t) {
      label = l;
      total = t;
      done = 0;
      current = '';
      started = now();
      if (!tty) stream.write(`convcheck: ${label}: running ${total > 0 ? `${total} cases` : ''}\n`);
      draw(true);
    },
    tick(d) {
      done = d;
      draw(d >= total);
    },
    current(what) {
      current = what;
      // Throttled like ticks; a slow case (a large layer) is still named as it starts.
      draw(false);
    },
    phaseEnd(summary) {
      stream.write(tty ? `\r\x1b[K  ${label}: ${summary}\n` : `convcheck: ${label}: ${summary}\n`);
    },
  };
}
