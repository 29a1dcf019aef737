/**
 * The results of a `convcheck check` run, as plain data: what the JSON report
 * holds and what the JUnit and Markdown writers read.
 */

import type { LadderProfile } from '../../properties/precision/ladder.ts';
import type { ConvProblem } from '../../reference/index.ts';
import type { OpName } from '../../reference/ops.ts';
import type { Experiment, NeedName } from './diagnose.ts';

/**
 * The verdict of one case or one phase. 'thin' is a phase that passed but
 * checked fewer cases than {@link THIN_MINIMUM} (the kernel declined most):
 * not evidence enough for PASS.
 */
export type Verdict = 'pass' | 'thin' | 'fail' | 'skip' | 'error';

/** The fewest checked (compared and passed) cases a phase needs to PASS, unless it ran fewer. */
export const THIN_MINIMUM = 20;

/**
 * Whether a phase that checked `passed` cases of `runs` is thin: fewer than
 * {@link THIN_MINIMUM}, or fewer than all of them when it ran fewer.
 *
 * @example
 * ```ts
 * isThin(1, 150); // true
 * isThin(5, 5);   // false: --runs 5 checked every case
 * ```
 */
export function isThin(passed: number, runs: number): boolean {
  return passed < Math.min(THIN_MINIMUM, runs);
}

/** Cases over the whole run (each phase's cases, passed and skipped, summed). */
export interface CaseTotals {
  cases: number;
  passed: number;
  skipped: number;
}

/** A case that failed or errored, after shrinking. */
export interface CaseFailure {
  verdict: 'fail' | 'error';
  /** The op the case was posed for, when not 'conv' (reference/ops.ts). */
  op?: OpName;
  descriptor: string;
  problem: ConvProblem;
  data: string;
  dataSeed: number;
  /** Special data: the shrunk placement of the non-finite values (`--specials`), when shrunk. */
  specials?: string;
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
  /**
   * Features the failure needs: those whose one-feature-simplified variant of
   * the shrunk case passed when the kernel was re-run (see scripts/check/diagnose.ts).
   */
  needs?: NeedName[];
  /** Every re-run behind `needs`: the feature simplified and the verdict. */
  experiments?: Experiment[];
}

/** One property run (a kernel × a data kind, or a fixed shape list). */
export interface PhaseResult {
  kernel: string;
  /** The op of the phase, when not 'conv': the phase group it belongs to (reference/ops.ts). */
  op?: OpName;
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
  /**
   * The real-data phase's precision profile over the cases it judged (float32
   * kernels): the rungs of the ladder that held on every case, the tightest and
   * the effective significand bits (docs/tolerance.md, "Precision classes").
   */
  precision?: LadderProfile;
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
  /** Each kernel, with the padding rule it is judged by ('skip-taps' only when declared). */
  kernels: {
    name: string;
    dtype: string;
    padding: string;
    /** Present when the kernel declares a layout other than NCHW / OIHW. */
    layout?: string;
    weightLayout?: string;
    /** Present (true) when the kernel declares it does not support non-finite data. */
    finiteOnly?: boolean;
    source: string;
  }[];
  /** The family filters of the run (--modes, --groups), when any. */
  filters?: { modes?: readonly string[]; groups?: readonly string[] };
  phases: PhaseResult[];
  totals: Record<Verdict, number>;
  caseTotals: CaseTotals;
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
 * Counts phases by verdict and cases over all phases, and derives the exit
 * code: 1 when anything failed or errored, else 0 (skips and thin phases are
 * allowed; the summary names them).
 *
 * @example
 * ```ts
 * summarize(phases).exitCode; // 0 or 1
 * ```
 */
export function summarize(phases: PhaseResult[]): {
  totals: Record<Verdict, number>;
  caseTotals: CaseTotals;
  exitCode: 0 | 1;
} {
  const totals: Record<Verdict, number> = { pass: 0, thin: 0, fail: 0, skip: 0, error: 0 };
  const caseTotals: CaseTotals = { cases: 0, passed: 0, skipped: 0 };
  for (const p of phases) {
    totals[p.verdict]++;
    caseTotals.cases += p.cases;
    caseTotals.passed += p.passed;
    caseTotals.skipped += p.skipped;
  }
  return { totals, caseTotals, exitCode: totals.fail + totals.error > 0 ? 1 : 0 };
}

/**
 * The run's last line: phases by verdict and cases checked.
 *
 * @example
 * ```ts
 * summaryLine(summarize(phases), 42);
 * // 'convcheck check: 2 passed, 1 thin, 0 failed, 0 errored, 0 skipped phases; 309 of 450 cases checked, 141 skipped (seed 42)'
 * ```
 */
export function summaryLine(
  s: { totals: Record<Verdict, number>; caseTotals: CaseTotals },
  seed: number,
): string {
  const t = s.totals;
  const c = s.caseTotals;
  return `convcheck check: ${t.pass} passed, ${t.thin} thin, ${t.fail} failed, ${t.error} errored, ${t.skip} skipped phases; ${c.passed} of ${c.cases} cases checked, ${c.skipped} skipped (seed ${seed})`;
}
