/**
 * The central property: a kernel's output equals the oracle's under the
 * kernel's bound model, for generated problems and data. It is a plain
 * fast-check property parameterized by the kernel. Each case's verdict comes
 * from the judge (properties/judge/judge.ts), the same one the CLI, `fixtures
 * verify` and the peer tests call; a failure throws a {@link ConformanceFailure}
 * that carries the comparison, from which report.ts builds the full report.
 */
import fc from 'fast-check';
import type { ConvKernel, ConvProblem } from '../reference/problem.ts';
import { convCaseArbitrary } from './arbitraries/convCase.ts';
import type { ConvProblemConstraints } from './arbitraries/convProblem.ts';
import { currentPropertyConfig } from './config.ts';
import { type ConvCase, type DataKind, materializeConvCase } from './data.ts';
import { runAndJudge } from './judge/run.ts';
import { ConformanceFailure, type FailureReport, failureReport } from './report.ts';
import type { BoundModel, Comparison } from './tolerance.ts';

/** A bound model, or a function choosing one per problem (a Winograd model depends on the kernel size). */
export type ModelChoice = BoundModel | ((problem: ConvProblem) => BoundModel);

/** Options of {@link conformanceProperty}. */
export interface ConformanceOptions {
  data: DataKind;
  /**
   * The kernel's accuracy claim; default dot-product. On 'exact' data a
   * dot-product kernel is held to bit-for-bit equality (the judge's rule 3, see
   * properties/judge/judge.ts); other models keep their own bound.
   */
  model?: ModelChoice;
  /** Problem generator limits, over the run configuration's (CONVCHECK_DEEP aware) defaults. */
  constraints?: ConvProblemConstraints;
  /** Counters to fill while the property runs (see {@link conformanceStats}). */
  stats?: ConformanceStats;
}

/** What a conformance run saw, beyond pass/fail. */
export interface ConformanceStats {
  /** Cases compared with the oracle. */
  checked: number;
  /** Cases the kernel declined through `supports`, by reason. */
  unsupported: Map<string, number>;
  /** Cases skipped because the reference was mostly zeros (benchdnn's MISTRUSTED). */
  mistrusted: number;
  /** Largest |error| / bound seen among passing cases. */
  maxBoundRatio: number;
}

/**
 * Fresh counters for {@link ConformanceOptions.stats}.
 *
 * @example
 * ```ts
 * const stats = conformanceStats();
 * await fc.assert(conformanceProperty(kernel, { data: 'real', stats }));
 * stats.checked; // > 0 unless the kernel supports nothing
 * ```
 */
export function conformanceStats(): ConformanceStats {
  return { checked: 0, unsupported: new Map(), mistrusted: 0, maxBoundRatio: 0 };
}

function resolveModel(choice: ModelChoice | undefined, problem: ConvProblem): BoundModel {
  if (choice === undefined) return { kind: 'dot-product' };
  return typeof choice === 'function' ? choice(problem) : choice;
}

/** The outcome of one case that did not fail. */
export type CaseStatus =
  | { status: 'checked'; comparison: Comparison }
  | { status: 'unsupported'; reason: string }
  | { status: 'mistrusted'; zeroFraction: number };

/**
 * Runs one case: asks `supports`, materializes the data in the kernel's dtype,
 * runs the kernel, checks that it left its inputs alone, and compares with the
 * oracle. Throws a {@link ConformanceFailure} when the kernel fails the case.
 *
 * @example
 * ```ts
 * await checkConformanceCase(kernel, { problem, data: 'exact', dataSeed: 0 });
 * ```
 */
export async function checkConformanceCase(
  kernel: ConvKernel,
  c: ConvCase,
  model?: ModelChoice,
): Promise<CaseStatus> {
  const supported = kernel.supports?.(c.problem) ?? true;
  if (supported !== true) return { status: 'unsupported', reason: supported };
  const dtype = kernel.dtype ?? 'float32';
  const operands = materializeConvCase(c, dtype);
  const requested = resolveModel(model, c.problem);
  const outcome = await runAndJudge(kernel, {
    problem: c.problem,
    operands,
    model: requested,
    data: c.data,
  });
  if (outcome.verdict === 'fail' || outcome.verdict === 'error') {
    throw new ConformanceFailure(kernel.name, c, outcome.comparison!);
  }
  if (outcome.verdict === 'skip') {
    return { status: 'mistrusted', zeroFraction: outcome.mistrustedZeroFraction ?? 1 };
  }
  return { status: 'checked', comparison: outcome.comparison! };
}

/**
 * The property "the kernel's output equals the oracle's under the model".
 * Cases the kernel does not support, and mistrusted ones, are skipped with
 * `fc.pre` and counted in `options.stats`; a kernel that supports nothing makes
 * fast-check fail with "too many skips" rather than pass silently.
 *
 * @example
 * ```ts
 * await fc.assert(conformanceProperty(im2colKernel, { data: 'exact' }));
 * await fc.assert(conformanceProperty(winogradF4Kernel, {
 *   data: 'real', model: (p) => winogradModel(4, p.kernelSize),
 *   constraints: { dims: [1, 2], maxStride: 1, maxDilation: 1 },
 * }));
 * ```
 */
export function conformanceProperty(
  kernel: ConvKernel,
  options: ConformanceOptions,
): fc.IAsyncPropertyWithHooks<[ConvCase]> {
  const constraints = { ...currentPropertyConfig().problemConstraints, ...options.constraints };
  const stats = options.stats;
  return fc.asyncProperty(convCaseArbitrary(options.data, constraints), async (c) => {
    const outcome = await checkConformanceCase(kernel, c, options.model);
    if (outcome.status === 'unsupported') {
      stats?.unsupported.set(outcome.reason, (stats.unsupported.get(outcome.reason) ?? 0) + 1);
    } else if (outcome.status === 'mistrusted') {
      if (stats) stats.mistrusted++;
    } else if (stats) {
      stats.checked++;
      stats.maxBoundRatio = Math.max(stats.maxBoundRatio, outcome.comparison.maxBoundRatio);
    }
    fc.pre(outcome.status === 'checked');
  });
}

/** The result of {@link runConformance}. */
export interface ConformanceResult {
  /** 'unsupported' when no case at all was compared (the kernel declined every problem). */
  status: 'passed' | 'failed' | 'unsupported';
  run: fc.RunDetails<[ConvCase]>;
  stats: ConformanceStats;
  /** The failure report, when the run failed. */
  report?: FailureReport;
}

/**
 * Runs the conformance property outside any test framework (the CLI's entry
 * point) and classifies the outcome, with a report on failure.
 *
 * @example
 * ```ts
 * const result = await runConformance(kernel, { data: 'real', implSpec: './my-conv.js' }, { seed: 42 });
 * if (result.report) console.log(formatFailureReport(result.report));
 * ```
 */
export async function runConformance(
  kernel: ConvKernel,
  options: ConformanceOptions & { implSpec?: string },
  params: fc.Parameters<[ConvCase]> = {},
): Promise<ConformanceResult> {
  const stats = options.stats ?? conformanceStats();
  const run = await fc.check(conformanceProperty(kernel, { ...options, stats }), params);
  const report = failureReport({
    kernel: kernel.name,
    property: `conformance/${options.data}`,
    implSpec: options.implSpec ?? kernel.name,
    run,
  });
  if (stats.checked === 0 && !(report?.comparison !== undefined)) {
    return report
      ? { status: 'unsupported', run, stats, report }
      : { status: 'unsupported', run, stats };
  }
  return report ? { status: 'failed', run, stats, report } : { status: 'passed', run, stats };
}
