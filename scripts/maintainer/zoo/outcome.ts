/**
 * What one zoo kernel's check run means: was the bug caught (or the correct
 * kernel passed), by which phase, after how many generated cases and how much
 * harness time, and on which shrunk counterexample.
 */
import type { PhaseResult } from '../../check/results.ts';
import type { ZooKernel } from './catalog.ts';
import type { CheckRun } from './cli-runner.ts';

/**
 * A phase result, plus the time to the first failing case should the CLI
 * report it (a field `detectionMs`, measured before shrinking). Without it, the
 * failing phase's whole duration, shrinking included, is an upper bound.
 */
type PhaseWithDetection = PhaseResult & { detectionMs?: number };

/** The zoo's verdict on one kernel. */
export type ZooVerdict = 'fail' | 'error' | 'pass' | 'escaped' | 'false alarm' | 'could not run';

/** One kernel's outcome, as the report and the exit code need it. */
export interface ZooResult {
  kernel: ZooKernel;
  /** CLI exit code (null: killed). */
  status: number | null;
  verdict: ZooVerdict;
  /** Whether the harness said what it must: buggy caught (exit 1), correct passed (exit 0). */
  ok: boolean;
  /** The first phase that failed or errored, e.g. 'exact data'. */
  caughtBy?: string;
  /** Later phases that failed too. */
  alsoCaughtBy: string[];
  /** Cases generated until the first failing case, earlier phases included. */
  casesUntilDetection?: number;
  /** Harness milliseconds until detection, earlier phases included (CLI start-up excluded). */
  detectionMs?: number;
  /** True when {@link detectionMs} includes the failing phase's shrinking (an upper bound). */
  detectionIncludesShrinking: boolean;
  /** The shrunk counterexample, as a descriptor. */
  descriptor?: string;
  /** The failure's one-line reason (or why the run could not be judged). */
  message?: string;
  /** Cases generated in the whole run. */
  totalCases: number;
  /** Wall time of the whole CLI run. */
  wallMs: number;
}

const isCaught = (p: PhaseResult) => p.verdict === 'fail' || p.verdict === 'error';

function couldNotRun(kernel: ZooKernel, run: CheckRun, why: string): ZooResult {
  return {
    kernel,
    status: run.status,
    verdict: 'could not run',
    ok: false,
    alsoCaughtBy: [],
    detectionIncludesShrinking: false,
    message: `${why}\n${run.tail}`,
    totalCases: 0,
    wallMs: run.wallMs,
  };
}

/**
 * Judges one CLI run against the kernel's expectation.
 *
 * @example
 * ```ts
 * const result = zooResult(kernel, await runCheck(kernel.path, options));
 * result.ok; // true when a buggy kernel exited 1 or a correct one exited 0
 * ```
 */
export function zooResult(kernel: ZooKernel, run: CheckRun): ZooResult {
  const report = run.report;
  if (report === undefined) return couldNotRun(kernel, run, `exit ${run.status}, no JSON report`);
  if (run.status !== 0 && run.status !== 1) {
    return couldNotRun(kernel, run, `exit ${run.status}: the harness could not run`);
  }
  const phases = report.phases as PhaseWithDetection[];
  const totalCases = phases.reduce((n, p) => n + p.cases, 0);
  const caughtIndex = phases.findIndex(isCaught);
  const base = { kernel, status: run.status, totalCases, wallMs: run.wallMs };
  if (caughtIndex < 0) {
    const verdict = kernel.expect === 'fail' ? 'escaped' : 'pass';
    return {
      ...base,
      verdict,
      ok: verdict === 'pass' && run.status === 0,
      alsoCaughtBy: [],
      detectionIncludesShrinking: false,
    };
  }
  const caught = phases[caughtIndex]!;
  const before = phases.slice(0, caughtIndex);
  const earlierMs = before.reduce((t, p) => t + p.durationMs, 0);
  const failure = caught.failure;
  const phaseVerdict = failure?.verdict ?? (caught.verdict === 'fail' ? 'fail' : 'error');
  return {
    ...base,
    verdict: kernel.expect === 'fail' ? phaseVerdict : 'false alarm',
    ok: kernel.expect === 'fail' && run.status === 1,
    caughtBy: caught.phase,
    alsoCaughtBy: phases
      .slice(caughtIndex + 1)
      .filter(isCaught)
      .map((p) => p.phase),
    casesUntilDetection: before.reduce((n, p) => n + p.cases, 0) + caught.cases,
    detectionMs: earlierMs + (caught.detectionMs ?? caught.durationMs),
    detectionIncludesShrinking: caught.detectionMs === undefined,
    ...(failure ? { descriptor: failure.descriptor, message: failure.message } : {}),
    ...(failure === undefined
      ? { message: `${caught.phase}: ${caught.verdict} without a case` }
      : {}),
  };
}
