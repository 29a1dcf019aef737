/**
 * The check runner: for each kernel and each phase of a suite, generates cases
 * with the property suite's arbitraries, runs the kernel (isolated by its host),
 * compares with the oracle under the tolerance model, and on a failure lets
 * fast-check shrink to a minimal counterexample.
 */
import fc from 'fast-check';
import {
  type ConvProblemConstraints,
  convProblemArbitrary,
} from '../../properties/arbitraries/convProblem.ts';
import { coveringCases } from '../../properties/arbitraries/coverage.ts';
import type { ConvCase, DataKind } from '../../properties/data.ts';
import { formatSpecials } from '../../properties/special-placement.ts';
import { formatDescriptor as formatProblem } from '../../reference/index.ts';
import { shellQuote } from '../shell-quote.ts';
import { diagnose } from './diagnose.ts';
import { type CaseOutcome, evaluateCase, type ToleranceChoice } from './evaluate.ts';
import type { KernelHost } from './hosts/index.ts';
import { minimalSpecials } from './minimal-specials.ts';
import { phaseSeed } from './options.ts';
import type { Progress } from './progress.ts';
import { type CaseFailure, isThin, type PhaseResult, THIN_MINIMUM } from './results.ts';
import type { SuiteSpec } from './suites.ts';

/** A kernel to check, with how to name it in repro commands. */
export interface CheckTarget {
  host: KernelHost;
  /** The command-line flags that select this kernel, e.g. `--impl my.mjs`. */
  implFlags: string;
  tolerance: ToleranceChoice;
}

/** Options shared by every phase of a run. */
export interface RunOptions {
  suite: SuiteSpec;
  seed: number;
  runs: number;
  dims: (1 | 2 | 3)[];
  shard: { index: number; count: number };
  timeoutMs: number;
  /** Re-run every n-th passing case to detect nondeterminism (0 = never). */
  determinismEvery: number;
  progress: Progress;
  /** Called with each shrunk failure, e.g. to save it as a fixture. */
  onFailure?: (failure: CaseFailure, outcome: CaseOutcome) => Promise<string | undefined>;
  /** Replays one phase at a fast-check path (from a failure report). */
  replay?: { data: DataKind; path: string };
}

/** Error carrying the outcome of a failing case through fast-check. */
class CaseFailed extends Error {
  constructor(readonly outcome: CaseOutcome) {
    super(outcome.message);
  }
}

/** Where a phase generates problems: the suite's budget, the kernel's domain and --dims. */
function phaseConstraints(target: CheckTarget, options: RunOptions): ConvProblemConstraints {
  return {
    maxMacs: options.suite.maxMacs,
    ...target.tolerance.constraints,
    dims: phaseDims(target, options),
  };
}

/**
 * The covering-array cases a phase runs first (this shard's share of them), as
 * fast-check examples: they count within the phase's runs and shrink like generated ones.
 */
function coveringExamples(
  target: CheckTarget,
  data: DataKind,
  seed: number,
  options: RunOptions,
): [ConvCase][] {
  const { index, count } = options.shard;
  return coveringCases(data, phaseConstraints(target, options), seed)
    .filter((_, i) => i % count === index)
    .map((c) => [c]);
}

function caseArbitrary(
  target: CheckTarget,
  data: DataKind,
  options: RunOptions,
): fc.Arbitrary<ConvCase> {
  const problem = convProblemArbitrary(phaseConstraints(target, options));
  return fc.record({
    problem,
    data: fc.constant(data),
    dataSeed: fc.noShrink(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
  });
}

/** The ranks to generate: --dims, narrowed to the kernel's domain when it declares one. */
function phaseDims(target: CheckTarget, options: RunOptions): (1 | 2 | 3)[] {
  const domain = target.tolerance.constraints.dims;
  return domain ? options.dims.filter((d) => domain.includes(d)) : options.dims;
}

function reproFor(target: CheckTarget, c: ConvCase): string {
  const specials = c.specials ? ` --specials ${shellQuote(formatSpecials(c.specials))}` : '';
  return `npx convcheck check ${target.implFlags} --problem ${shellQuote(formatProblem(c.problem))} --data ${c.data} --data-seed ${c.dataSeed}${specials}`;
}

/**
 * Runs one generated phase (one kernel × one data kind) and returns its result.
 *
 * @example
 * ```ts
 * const result = await runGeneratedPhase(target, 'real', 1, options);
 * ```
 */
export async function runGeneratedPhase(
  target: CheckTarget,
  data: DataKind,
  phaseIndex: number,
  options: RunOptions,
): Promise<PhaseResult> {
  const started = Date.now();
  const seed = phaseSeed(options.seed, phaseIndex, options.shard.index);
  if (phaseDims(target, options).length === 0) {
    const reason = `--dims ${options.dims.join(',')} is outside the kernel's domain (${target.tolerance.constraints.dims?.join(',')}-D)`;
    return {
      kernel: target.host.name,
      phase: `${data} data`,
      seed,
      cases: 0,
      passed: 0,
      skipped: 0,
      skipReasons: { [reason]: 1 },
      worstBoundRatio: 0,
      verdict: 'skip',
      durationMs: 0,
    };
  }
  const runs = Math.max(1, Math.ceil(options.runs / options.shard.count));
  const rule = target.host.padding === 'skip-taps' ? ' (padding: skip-taps)' : '';
  const label = `${target.host.name}${rule} / ${data} data`;
  const stats = { cases: 0, passed: 0, skipped: 0, worst: 0, shrinking: false, detectionMs: 0 };
  const skipReasons: Record<string, number> = {};
  options.progress.phaseStart(label, runs);

  const property = fc.asyncProperty(caseArbitrary(target, data, options), async (c) => {
    const outcome = await evaluateCase(target.host, c, target.tolerance, {
      timeoutMs: options.timeoutMs,
      checkDeterminism:
        options.determinismEvery > 0 && stats.passed % options.determinismEvery === 0,
    });
    if (!stats.shrinking) {
      stats.cases++;
      options.progress.tick(stats.cases);
    }
    if (outcome.verdict === 'skip') {
      if (!stats.shrinking) {
        stats.skipped++;
        skipReasons[outcome.message] = (skipReasons[outcome.message] ?? 0) + 1;
      }
      return true;
    }
    if (outcome.verdict === 'pass') {
      if (!stats.shrinking) {
        stats.passed++;
        stats.worst = Math.max(stats.worst, outcome.boundRatio);
      }
      return true;
    }
    if (!stats.shrinking) stats.detectionMs = Date.now() - started;
    stats.shrinking = true;
    throw new CaseFailed(outcome);
  });

  const details = await fc.check(property, {
    seed,
    numRuns: runs,
    examples: coveringExamples(target, data, seed, options),
    ...(options.replay ? { path: options.replay.path, endOnFailure: true } : {}),
  });

  let failure: CaseFailure | undefined;
  if (details.failed && details.counterexample) {
    const [shrunk] = details.counterexample;
    const caught =
      details.errorInstance instanceof CaseFailed ? details.errorInstance.outcome : undefined;
    // Special data: after the problem, the placement of the non-finite values shrinks too.
    const placed =
      caught &&
      (await minimalSpecials(target.host, shrunk, caught, target.tolerance, options.timeoutMs));
    const c = placed ? placed.c : shrunk;
    const outcome = placed ? placed.outcome : caught;
    failure = {
      verdict: outcome?.verdict === 'fail' ? 'fail' : 'error',
      descriptor: formatProblem(c.problem),
      problem: c.problem,
      data: c.data,
      dataSeed: c.dataSeed,
      ...(c.specials ? { specials: formatSpecials(c.specials) } : {}),
      seed,
      path: details.counterexamplePath ?? '',
      message: outcome?.message ?? String(details.errorInstance),
      details: [
        `fast-check: { seed: ${seed}, path: "${details.counterexamplePath}", endOnFailure: true } (shrunk ${details.numShrinks} times)`,
        `problem: ${JSON.stringify(c.problem)}`,
        placed?.note ?? '',
        outcome?.details ?? '',
      ]
        .filter((s) => s !== '')
        .join('\n'),
      repro: reproFor(target, c),
    };
    // Wrong values only: re-running a crash or a timeout eight times would teach little and cost much.
    if (outcome?.verdict === 'fail') await addDiagnosis(failure, target, c, options);
    if (options.onFailure && outcome) {
      const saved = await options.onFailure(failure, outcome);
      if (saved) failure.savedTo = saved;
    }
  }

  const verdict = failure
    ? failure.verdict
    : stats.passed === 0
      ? stats.skipped > 0
        ? 'skip'
        : 'error'
      : isThin(stats.passed, runs)
        ? 'thin'
        : 'pass';
  const result: PhaseResult = {
    kernel: target.host.name,
    phase: `${data} data`,
    seed,
    cases: stats.cases,
    passed: stats.passed,
    skipped: stats.skipped,
    skipReasons,
    worstBoundRatio: stats.worst,
    verdict,
    durationMs: Date.now() - started,
    ...(failure ? { failure, detectionMs: stats.detectionMs, numShrinks: details.numShrinks } : {}),
  };
  options.progress.phaseEnd(phaseSummary(result));
  return result;
}

/** Re-runs the kernel on simplified variants of the shrunk case; records what they showed. */
async function addDiagnosis(
  failure: CaseFailure,
  target: CheckTarget,
  c: ConvCase,
  options: RunOptions,
): Promise<void> {
  const d = await diagnose(target.host, c, target.tolerance, {
    timeoutMs: options.timeoutMs,
    checkDeterminism: false,
  });
  failure.needs = d.needs;
  failure.experiments = d.experiments;
  if (d.summary !== '') failure.details = `${failure.details}\n${d.summary}`;
}

/** One line for the end of a phase. */
export function phaseSummary(r: PhaseResult): string {
  const base = `${r.verdict.toUpperCase()} — ${r.cases} cases, ${r.passed} passed, ${r.skipped} skipped`;
  const worst =
    r.passed > 0 ? `, worst error ${r.worstBoundRatio.toPrecision(3)} of the bound` : '';
  const thin = r.verdict === 'thin' ? `; thin: fewer than ${THIN_MINIMUM} cases checked` : '';
  // A phase that checked nothing says why, so a skip is never silent.
  const why =
    r.verdict === 'skip' ? `: ${Object.keys(r.skipReasons).join('; ') || 'no reason given'}` : '';
  return `${base}${worst}${thin}${why} (${(r.durationMs / 1000).toFixed(1)} s)`;
}
