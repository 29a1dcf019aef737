/**
 * The results of a `convcheck check` run, as plain data: what the JSON report
 * holds and what the JUnit and Markdown writers read.
 */
import type { ConvProblem } from '../../reference/index.ts';

/** The verdict of one case or one phase. */
export type Verdict = 'pass' | 'fail' | 'skip' | 'error';

/** A case that failed or errored, after shrinking. */
export interface CaseFailure {
  verdict: 'fail' | 'error';
  descriptor: string;
  problem: ConvProblem;
  data: string;
  dataSeed: number;
  /** fast-check replay parameters. */
  seed: number;
  path: string;
  /** One line: why. */
  message: string;
  /** Multi-line human report (worst elements, pattern, ...). */
  details: string;
  /** A command line that replays this case. */
  repro: string;
  /** A command line that replays the whole phase to this counterexample (--only, --path). */
  replay?: string;
  /** Where the counterexample was saved as a fixture, if asked. */
  savedTo?: string;
}

/** One property run (a kernel × a data kind, or a fixed shape list). */
export interface PhaseResult {
  kernel: string;
  phase: string;
  seed: number;
  /** Cases generated (before skips). */
  cases: number;
  /** Checked cases asked for (--runs, per shard); declined cases are redrawn toward it. */
  requested?: number;
  passed: number;
  /** Cases the kernel declined (its `supports()` said no), redrawn within the budget. */
  skipped: number;
  /** Reason → how many cases were skipped for it. */
  skipReasons: Record<string, number>;
  /** Largest |error| / bound seen over passing cases (0 for exact data). */
  worstBoundRatio: number;
  verdict: Verdict;
  failure?: CaseFailure;
  /** Milliseconds from the phase start to the first failing case (before shrinking). */
  detectionMs?: number;
  /** How many shrink steps fast-check took to reach the reported counterexample. */
  numShrinks?: number;
  durationMs: number;
  /** Outputs the oracle computed and outputs judged in total, when any case was sampled. */
  sampled?: { count: number; total: number };
  /** The network suite's per-layer breakdown, in the order run. */
  layers?: LayerTiming[];
  /** True when the run was interrupted before this phase finished. */
  interrupted?: boolean;
}

/** One layer of `--suite networks`: its verdict and where the time went. */
export interface LayerTiming {
  name: string;
  descriptor: string;
  macs: number;
  verdict: Verdict;
  /** Wall time of the whole case: data, kernel, oracle, comparison. */
  ms: number;
  /** Outputs the oracle computed, of all outputs (equal when not sampled). */
  oracleOutputs: number;
  outputs: number;
}

/** The whole run. */
export interface CheckReport {
  tool: { name: 'convcheck'; version: string };
  startedAt: string;
  seed: number;
  suite: string;
  shard: { index: number; count: number };
  kernels: { name: string; dtype: string; source: string }[];
  /** The family filters of the run (--modes, --groups), when any. */
  filters?: { modes?: readonly string[]; groups?: readonly string[] };
  phases: PhaseResult[];
  totals: Record<Verdict, number>;
  /** True when no phase checked a single case (every case declined); exit 1 unless allowed. */
  nothingChecked?: boolean;
  /** 0 passed; 1 failed, errored or checked nothing; 2 could not run (see `error`); 130/143 interrupted by SIGINT/SIGTERM. */
  exitCode: 0 | 1 | 2 | 130 | 143;
  /** Why the check could not run (exitCode 2): one line naming the option or kernel. */
  error?: string;
  /** Present and true when a signal stopped the run: the phases are what finished. */
  interrupted?: boolean;
  signal?: 'SIGINT' | 'SIGTERM';
}

/**
 * Counts phases by verdict and derives the exit code: 1 when anything failed or
 * errored, else 0 (skips are allowed).
 *
 * @example
 * ```ts
 * summarize(phases).exitCode; // 0 or 1
 * ```
 */
export function summarize(phases: PhaseResult[]): {
  totals: Record<Verdict, number>;
  exitCode: 0 | 1;
} {
  const totals: Record<Verdict, number> = { pass: 0, fail: 0, skip: 0, error: 0 };
  for (const p of phases) totals[p.verdict]++;
  return { totals, exitCode: totals.fail + totals.error > 0 ? 1 : 0 };
}
