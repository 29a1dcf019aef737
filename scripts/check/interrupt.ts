/**
 * Interrupted runs: on SIGINT or SIGTERM, `check` writes its reports with what
 * finished (marked `"interrupted": true`), closes its kernel hosts (which kills
 * their processes) and exits 130 or 143.
 *
 * This module is plain data: {@link trackProgress} remembers the phase in
 * flight, {@link partialReport} builds the report. The signal wiring is
 * scripts/check/shutdown.ts, whose hook (registered by `check`) writes it.
 */
import type { Progress } from './progress.ts';
import type { CheckReport, PhaseResult } from './results.ts';
import { summarize } from './results.ts';
import { SIGNAL_EXIT_CODES } from './shutdown.ts';

/** The phase running when the run stopped: its progress label, cases done and planned. */
export interface RunningPhase {
  label: string;
  done: number;
  total: number;
  startedAt: number;
}

/** A Progress that also remembers the running phase, for the partial report. */
export interface TrackedProgress extends Progress {
  running(): RunningPhase | undefined;
}

/**
 * Wraps a progress display so the phase in flight can be reported if the run stops.
 *
 * @example
 * ```ts
 * const progress = trackProgress(createProgress());
 * progress.running(); // undefined between phases
 * ```
 */
export function trackProgress(inner: Progress, now: () => number = Date.now): TrackedProgress {
  let running: RunningPhase | undefined;
  return {
    phaseStart(label, total) {
      running = { label, done: 0, total, startedAt: now() };
      inner.phaseStart(label, total);
    },
    tick(done) {
      if (running) running.done = done;
      inner.tick(done);
    },
    current(what) {
      inner.current?.(what);
    },
    phaseEnd(summary) {
      running = undefined;
      inner.phaseEnd(summary);
    },
    running: () => running,
  };
}

/**
 * The report of an interrupted run: the finished phases, then the running one
 * as an 'error' phase marked interrupted, with `interrupted: true` and the
 * signal's exit code.
 *
 * @example
 * ```ts
 * const report = partialReport(base, finished, progress.running(), 'SIGINT');
 * report.interrupted; // true
 * ```
 */
export function partialReport(
  base: Omit<CheckReport, 'phases' | 'totals' | 'caseTotals' | 'exitCode'>,
  finished: readonly PhaseResult[],
  running: RunningPhase | undefined,
  signal: 'SIGINT' | 'SIGTERM',
  now: number = Date.now(),
): CheckReport {
  const phases = [...finished];
  if (running) phases.push(interruptedPhase(running, base.seed, now));
  return {
    ...base,
    phases,
    ...(({ totals, caseTotals }) => ({ totals, caseTotals }))(summarize(phases)),
    exitCode: SIGNAL_EXIT_CODES[signal],
    interrupted: true,
    signal,
  };
}

function interruptedPhase(running: RunningPhase, seed: number, now: number): PhaseResult {
  // Progress labels are '<kernel> / <phase>'.
  const at = running.label.indexOf(' / ');
  return {
    kernel: at < 0 ? running.label : running.label.slice(0, at),
    phase: at < 0 ? running.label : running.label.slice(at + 3),
    seed,
    cases: running.done,
    passed: 0,
    skipped: 0,
    skipReasons: {},
    worstBoundRatio: 0,
    verdict: 'error',
    durationMs: now - running.startedAt,
    interrupted: true,
  };
}
