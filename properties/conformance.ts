/**
 * The central property: a kernel's output equals the oracle's under the
 * kernel's bound model, for generated problems and data. It is a plain
 * fast-check property parameterized by the kernel, so vitest and the CLI run
 * the same code; a failure throws a {@link ConformanceFailure} that carries the
 * comparison, from which report.ts builds the full report.
 */
import fc from 'fast-check';
import { referenceConv } from '../reference/conv.ts';
import { convGeometry } from '../reference/geometry.ts';
import type { ConvKernel, ConvProblem, DType, FloatArray } from '../reference/problem.ts';
import { convCaseArbitrary } from './arbitraries/convCase.ts';
import type { ConvProblemConstraints } from './arbitraries/convProblem.ts';
import { currentPropertyConfig } from './config.ts';
import {
  type ConvCase,
  type ConvOperands,
  type DataKind,
  EXACT_LIMIT,
  materializeConvCase,
  mistrustCheck,
} from './data.ts';
import { ConformanceFailure, type FailureReport, failureReport } from './report.ts';
import {
  type BoundModel,
  boundParameters,
  type Comparison,
  compareConvOutput,
  hasDtype,
  magnitudeFor,
} from './tolerance.ts';

/** A bound model, or a function choosing one per problem (a Winograd model depends on the kernel size). */
export type ModelChoice = BoundModel | ((problem: ConvProblem) => BoundModel);

/** Options of {@link conformanceProperty}. */
export interface ConformanceOptions {
  data: DataKind;
  /**
   * The kernel's accuracy claim; default dot-product. On 'exact' data a
   * dot-product kernel is held to bit-for-bit equality (every partial sum is an
   * integer below 2^24, so no summation order can round); other models keep
   * their own bound.
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

/** The model a case is judged by: dot-product kernels are bit-exact on 'exact' data. */
function effectiveModel(model: BoundModel, c: ConvCase, magnitude: Float64Array): BoundModel {
  if (c.data !== 'exact' || model.kind !== 'dot-product') return model;
  // Exactness needs every partial sum below 2^24 (guaranteed by the data unless its density dropped).
  for (let i = 0; i < magnitude.length; i++) if (!(magnitude[i]! < EXACT_LIMIT)) return model;
  return { kind: 'exact' };
}

/** A comparison for an output that could not be compared at all. */
function errorComparison(
  problem: ConvProblem,
  dtype: DType,
  model: BoundModel,
  reason: string,
): Comparison {
  return {
    verdict: 'error',
    reason,
    parameters: boundParameters(problem, dtype, model),
    outputs: convGeometry(problem).outputLength,
    failures: 0,
    worst: [],
    maxBoundRatio: 0,
  };
}

function snapshot(operands: ConvOperands): FloatArray[] {
  return [operands.input, operands.weight, ...(operands.bias ? [operands.bias] : [])].map((a) =>
    a.slice(),
  );
}

function sameBits(a: FloatArray, b: FloatArray): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
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
  const requested = resolveModel(model, c.problem);
  const operands = materializeConvCase(c, dtype);
  const before = snapshot(operands);
  const fail = (reason: string): never => {
    throw new ConformanceFailure(
      kernel.name,
      c,
      errorComparison(c.problem, dtype, requested, reason),
    );
  };
  let got: unknown;
  try {
    got = await kernel.conv(c.problem, operands.input, operands.weight, operands.bias);
  } catch (error) {
    fail(`the kernel threw: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!hasDtype(got, dtype)) {
    fail(`the kernel returned ${Object.prototype.toString.call(got)}, expected a ${dtype} array`);
  }
  const after = [operands.input, operands.weight, ...(operands.bias ? [operands.bias] : [])];
  const changed = ['input', 'weight', 'bias'].filter(
    (_, i) => i < after.length && !sameBits(before[i]!, after[i]!),
  );
  if (changed.length > 0) fail(`the kernel wrote into its ${changed.join(' and ')}`);
  const output = got as FloatArray;
  // A kernel that declares 'skip-taps' is judged by that padding rule.
  const padding = kernel.padding ?? 'zeros';
  const reference = referenceConv(
    c.problem,
    operands.input,
    operands.weight,
    operands.bias,
    padding,
  );
  const trust = mistrustCheck(c.problem, reference);
  if (trust.mistrusted) return { status: 'mistrusted', zeroFraction: trust.zeroFraction };
  const magnitude = magnitudeFor(c.problem, operands, requested, dtype, padding);
  const comparison = compareConvOutput({
    problem: c.problem,
    got: output,
    reference,
    magnitude,
    dtype,
    model: effectiveModel(requested, c, magnitude),
  });
  if (comparison.verdict !== 'pass') throw new ConformanceFailure(kernel.name, c, comparison);
  return { status: 'checked', comparison };
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
