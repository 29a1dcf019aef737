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
import { UsageError } from '../cli-error.ts';
import { shellQuote } from '../shell-quote.ts';
import { diagnose } from './diagnose.ts';
import { type CaseOutcome, evaluateCase, type ToleranceChoice } from './evaluate.ts';
import { type FamilyFilter, familyConstraints, inGroupFamily } from './families.ts';
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
  /** Only these modes / group families are generated (--modes, --groups). */
  family?: FamilyFilter;
  /** Compute the oracle at every output, never a sample (`--full`). */
  fullOracle?: boolean;
}

/**
 * How many declined cases (the kernel's `supports()` said no) a phase may draw
 * per requested case before it stops: declined cases are redrawn so that
 * `runs` counts checked cases, within runs × DECLINE_BUDGET draws.
 */
export const DECLINE_BUDGET = 10;

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
    ...familyConstraints(options.family ?? {}),
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
  // Shards are numbered from 1 (--shard i/n): case i goes to shard (i mod n) + 1.
  const { index, count } = options.shard;
  const family = options.family ?? {};
  return coveringCases(data, phaseConstraints(target, options), seed)
    .filter(
      (c, i) => (i % count) + 1 === index && (!family.groups || inGroupFamily(family, c.problem)),
    )
    .map((c) => [c]);
}

function caseArbitrary(
  target: CheckTarget,
  data: DataKind,
  options: RunOptions,
): fc.Arbitrary<ConvCase> {
  const family = options.family ?? {};
  const problem = convProblemArbitrary(phaseConstraints(target, options));
  return fc.record({
    problem: family.groups ? problem.filter((p) => inGroupFamily(family, p)) : problem,
    data: fc.constant(data),
    dataSeed: fc.noShrink(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
  });
}

/** The ranks to generate: --dims, narrowed to the kernel's domain when it declares one. */
function phaseDims(target: CheckTarget, options: RunOptions): (1 | 2 | 3)[] {
  const domain = target.tolerance.constraints.dims;
  return domain ? options.dims.filter((d) => domain.includes(d)) : options.dims;
}

function reproFor(target: CheckTarget, c: ConvCase, options: RunOptions): string {
  const specials = c.specials ? ` --specials ${shellQuote(formatSpecials(c.specials))}` : '';
  return `npx convcheck check ${target.implFlags} --problem ${shellQuote(formatProblem(c.problem))} --data ${c.data} --data-seed ${c.dataSeed}${specials}${options.fullOracle ? ' --full' : ''}`;
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
    if (!stats.shrinking) options.progress.current?.(formatProblem(c.problem));
    const outcome = await evaluateCase(target.host, c, target.tolerance, {
      timeoutMs: options.timeoutMs,
      checkDeterminism:
        options.determinismEvery > 0 && stats.passed % options.determinismEvery === 0,
      full: options.fullOracle === true,
    });
    if (!stats.shrinking) stats.cases++;
    if (outcome.verdict === 'skip') {
      if (!stats.shrinking) {
        stats.skipped++;
        skipReasons[outcome.message] = (skipReasons[outcome.message] ?? 0) + 1;
      }
      // Declined: a precondition failure, so fast-check draws another case
      // (within DECLINE_BUDGET) and a shrink candidate the kernel declines is no counterexample.
      fc.pre(false);
    }
    if (!stats.shrinking) options.progress.tick(stats.cases - stats.skipped);
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

  let details: Awaited<ReturnType<typeof fc.check<[ConvCase]>>>;
  try {
    details = await fc.check(property, {
      seed,
      numRuns: runs,
      maxSkipsPerRun: DECLINE_BUDGET,
      examples: coveringExamples(target, data, seed, options),
      ...(options.replay ? { path: options.replay.path, endOnFailure: true } : {}),
    });
  } catch (e) {
    // fast-check refuses (synchronously) a path that does not exist in this seed's tree.
    if (options.replay && /Unable to replay/.test(String(e))) {
      throw new UsageError(
        `--path '${options.replay.path}' does not exist in this phase's tree: take the path, --seed and the other options from one failure report`,
      );
    }
    throw e;
  }

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
      repro: reproFor(target, c, options),
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
    requested: runs,
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
  const sampled = r.sampled
    ? `, oracle sampled ${r.sampled.count.toLocaleString('en-US')} of ${r.sampled.total.toLocaleString('en-US')} outputs`
    : '';
  const thin = r.verdict === 'thin' ? `; thin: fewer than ${THIN_MINIMUM} cases checked` : '';
  // A phase that checked nothing says why, so a skip is never silent.
  const why =
    r.verdict === 'skip' ? `: ${Object.keys(r.skipReasons).join('; ') || 'no reason given'}` : '';
  return `${base}${worst}${sampled}${thin}${why} (${(r.durationMs / 1000).toFixed(1)} s)`;
}
