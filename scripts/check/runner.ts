/**
 * The check runner: for each kernel and each phase of a suite, generates cases
 * with the property suite's arbitraries, runs the kernel (isolated by its host),
 * has the judge decide each case, and on a failure lets fast-check shrink to a
 * minimal counterexample. The pieces live in scripts/check/phase/: where cases
 * are drawn (case-space.ts), what is counted (stats.ts), the verdict
 * (verdict.ts), the failure and result builders (failure.ts, result.ts) and the
 * end-of-phase line (summary.ts). The real-data phase also profiles its cases
 * over the precision ladder (properties/precision/ladder.ts).
 */
import fc from 'fast-check';
import type { ConvCase, DataKind } from '../../properties/data.ts';
import { caseOp } from '../../properties/ops.ts';
import { type CaseLadder, ladderProfile } from '../../properties/precision/ladder.ts';
import { PRECISION_PROBES } from '../../properties/precision/probes.ts';
import type { QuantizedDataKind } from '../../properties/quantized/case.ts';
import { formatDescriptor as formatProblem } from '../../reference/index.ts';
import type { OpName } from '../../reference/ops.ts';
import { UsageError } from '../cli-error.ts';
import { diagnose } from './diagnose.ts';
import {
  type CaseOutcome,
  evaluateCase,
  FINITE_ONLY_REASON,
  type ToleranceChoice,
} from './evaluate.ts';
import type { FamilyFilter } from './families.ts';
import type { KernelHost } from './hosts/index.ts';
import { minimalSpecials } from './minimal-specials.ts';
import { phaseSeed } from './options.ts';
import { caseArbitrary, coveringExamples, phaseDims } from './phase/case-space.ts';
import { caseDescriptor, reproFor, toFailure } from './phase/failure.ts';
import { phaseResult } from './phase/result.ts';
import { PhaseStats } from './phase/stats.ts';
import { phaseSummary, skipBeforeRun } from './phase/summary.ts';
import type { Progress } from './progress.ts';
import type { CaseFailure, PhaseResult } from './results.ts';
import type { SuiteSpec } from './suites.ts';

export { phaseSummary } from './phase/summary.ts';

/** A phase's data kind: a float op's (exact, real, special) or a quantized op's (integer, ties, saturation). */
export type PhaseDataKind = DataKind | QuantizedDataKind;

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
  replay?: { data: PhaseDataKind; path: string };
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

/** Error carrying the outcome of a failing case through fast-check (every phase runner's). */
export class CaseFailed extends Error {
  constructor(readonly outcome: CaseOutcome) {
    super(outcome.message);
  }
}

/**
 * A judged case inside a phase's property: counted (until the first failure),
 * a decline redrawn, a failure thrown for fast-check to shrink.
 *
 * @example
 * ```ts
 * fc.asyncProperty(cases, async (c) => recordCase(stats, await judge(c), options.progress));
 * ```
 */
export function recordCase(stats: PhaseStats, outcome: CaseOutcome, progress: Progress): true {
  const counted = stats.counting;
  stats.record(outcome);
  // Declined: a precondition failure, so fast-check draws another case
  // (within DECLINE_BUDGET) and a shrink candidate the kernel declines is no counterexample.
  if (outcome.verdict === 'skip') fc.pre(false);
  if (counted) progress.tick(stats.checked);
  if (outcome.verdict !== 'pass') throw new CaseFailed(outcome);
  return true;
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
  op: OpName = 'conv',
): Promise<PhaseResult> {
  const started = Date.now();
  const seed = phaseSeed(options.seed, phaseIndex, options.shard.index);
  const conv = op === 'conv';
  const named = {
    kernel: target.host.name,
    phase: conv ? `${data} data` : `${op} / ${data} data`,
    seed,
    ...(conv ? {} : { op }),
  };
  const stats = new PhaseStats(started);
  if (phaseDims(target, options).length === 0) {
    const reason = `--dims ${options.dims.join(',')} is outside the kernel's domain (${target.tolerance.constraints.dims?.join(',')}-D)`;
    return skipBeforeRun(options.progress, named, stats, reason);
  }
  if (data === 'special' && target.host.finiteOnly) {
    return skipBeforeRun(options.progress, named, stats, FINITE_ONLY_REASON);
  }
  const runs = Math.max(1, Math.ceil(options.runs / options.shard.count));
  const rule = target.host.padding === 'skip-taps' ? ' (padding: skip-taps)' : '';
  options.progress.phaseStart(`${target.host.name}${rule} / ${named.phase}`, runs);
  // The real-data phase profiles every case it judges (not the shrink candidates) over the ladder.
  const ladder: CaseLadder[] = [];

  const property = fc.asyncProperty(caseArbitrary(target, data, options, op), async (c) => {
    if (stats.counting) options.progress.current?.(caseDescriptor(c));
    const outcome = await evaluateCase(target.host, c, target.tolerance, {
      timeoutMs: options.timeoutMs,
      checkDeterminism:
        options.determinismEvery > 0 && stats.passed % options.determinismEvery === 0,
      full: options.fullOracle === true,
      profile: conv && data === 'real' && stats.counting,
    });
    if (stats.counting && outcome.precision) ladder.push(outcome.precision);
    return recordCase(stats, outcome, options.progress);
  });

  const details = await checkPhase(
    property,
    seed,
    runs,
    // The covering array is built from the forward conv's bug-prone features.
    conv ? coveringExamples(target, data, seed, options) : [],
    options,
  );
  if (conv && data === 'real' && !options.replay) await addProbes(ladder, target, options);
  const failure =
    details.failed && details.counterexample
      ? await shrunkFailure(details, details.counterexample[0], seed, target, options)
      : undefined;
  const result = phaseResult({
    ...named,
    stats,
    requested: runs,
    failure,
    numShrinks: details.numShrinks,
    durationMs: Date.now() - started,
  });
  if (ladder.length > 0) result.precision = ladderProfile(ladder);
  options.progress.phaseEnd(phaseSummary(result));
  return result;
}

type PhaseDetails = fc.RunDetails<[ConvCase]>;

/**
 * Runs a phase's property with fast-check (the float phases' and the quantized
 * ones', scripts/check/quantized-phase.ts): declined cases redrawn within
 * {@link DECLINE_BUDGET}, --path replayed; a --path that is not in the tree is
 * a usage error.
 */
export async function checkPhase<C>(
  property: fc.IAsyncPropertyWithHooks<[C]>,
  seed: number,
  runs: number,
  examples: [C][],
  options: RunOptions,
): Promise<fc.RunDetails<[C]>> {
  try {
    return await fc.check(property, {
      seed,
      numRuns: runs,
      maxSkipsPerRun: DECLINE_BUDGET,
      examples,
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
}

/**
 * The failure of a phase from fast-check's shrunk counterexample: the special
 * values' placement shrunk too, a diagnosis of wrong values, saved if asked.
 */
async function shrunkFailure(
  details: PhaseDetails,
  shrunk: ConvCase,
  seed: number,
  target: CheckTarget,
  options: RunOptions,
): Promise<CaseFailure> {
  const caught =
    details.errorInstance instanceof CaseFailed ? details.errorInstance.outcome : undefined;
  // Special data: after the problem, the placement of the non-finite values shrinks too (conv).
  const placed =
    caught && caseOp(shrunk) === 'conv'
      ? await minimalSpecials(target.host, shrunk, caught, target.tolerance, options.timeoutMs)
      : undefined;
  const c = placed ? placed.c : shrunk;
  const outcome = placed ? placed.outcome : caught;
  const shrink = {
    seed,
    path: details.counterexamplePath ?? '',
    numShrinks: details.numShrinks,
    error: details.errorInstance,
  };
  const repro = reproFor(target.implFlags, c, options.fullOracle === true);
  const failure = toFailure(c, outcome, shrink, repro, placed?.note ?? '');
  // Wrong values only: re-running a crash or a timeout eight times would teach little and cost much.
  // The simplified variants are the forward conv's.
  if (outcome?.verdict === 'fail' && caseOp(c) === 'conv') {
    await addDiagnosis(failure, target, c, options);
  }
  if (options.onFailure && outcome) {
    const saved = await options.onFailure(failure, outcome);
    if (saved) failure.savedTo = saved;
  }
  return failure;
}

/**
 * Adds the precision probes' ladder records (properties/precision/probes.ts):
 * run after the generated cases, whatever their verdict, for the profile only.
 * A probe the kernel declines, or fails to answer, adds nothing.
 */
async function addProbes(
  ladder: CaseLadder[],
  target: CheckTarget,
  options: RunOptions,
): Promise<void> {
  if (target.host.dtype !== 'float32') return;
  for (const probe of PRECISION_PROBES) {
    if (probe.needed && !probe.needed(ladderProfile(ladder))) continue;
    options.progress.current?.(`precision probe ${formatProblem(probe.c.problem)}`);
    const outcome = await evaluateCase(target.host, probe.c, target.tolerance, {
      timeoutMs: options.timeoutMs,
      checkDeterminism: false,
      full: true,
      profile: true,
    });
    if (outcome.precision) ladder.push(outcome.precision);
  }
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
