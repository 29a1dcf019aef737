/**
 * Failure reports: what a person needs to understand and replay a failing
 * property. A report names the kernel and property, prints the shrunk problem
 * as a descriptor, the worst elements (coordinates, expected, got, error in
 * ULPs and as a fraction of the bound), the mismatch pattern, fast-check's
 * replay parameters and a one-line repro command.
 */
import type fc from 'fast-check';
import { formatDescriptor } from '../reference/descriptor.ts';
import { convGeometry } from '../reference/geometry.ts';
import { type ActivationLayout, activationAxisNames, coordsInLayout } from '../reference/layout.ts';
import { type OpName, opEntry } from '../reference/ops.ts';
import type { ConvProblem } from '../reference/problem.ts';
import type { ConvCase } from './data.ts';
import type { Comparison, WorstElement } from './tolerance.ts';

/**
 * Thrown by a conformance predicate when the kernel's output is not the
 * oracle's under the model. It carries the comparison, so a runner (vitest or
 * the CLI) can print the full report from `runDetails.errorInstance`.
 *
 * @example
 * ```ts
 * if (run.failed && run.errorInstance instanceof ConformanceFailure) {
 *   console.log(run.errorInstance.comparison.worst);
 * }
 * ```
 */
export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
  constructor(
    readonly kernelName: string,
    readonly convCase: ConvCase,
    readonly comparison: Comparison,
  ) {
    super(
      `${kernelName}: ${comparison.reason ?? comparison.verdict} on ${formatDescriptor(convCase.problem)}`,
    );
  }
}

/** Arguments of {@link reproCommand}. */
export interface ReproArgs {
  /** How the CLI names the implementation: a built-in name or a module path. */
  implSpec: string;
  seed: number;
  path: string;
  /** The shrunk problem, when known. */
  descriptor?: string;
}

/** Quotes a word for POSIX shells (single quotes; embedded ones closed and escaped). */
function shellQuote(word: string): string {
  return /^[\w./:@=+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The one-line command that replays a failure straight to its shrunk case.
 *
 * @example
 * ```ts
 * reproCommand({ implSpec: './my-conv.js', seed: 42, path: '3:0:1', descriptor: 'xcorr:mb1g1ic1oc1_iw2_kw2' });
 * // npx convcheck check --impl ./my-conv.js --seed 42 --path "3:0:1" --problem 'xcorr:mb1g1ic1oc1_iw2_kw2'
 * ```
 */
export function reproCommand(args: ReproArgs): string {
  const parts = [
    'npx convcheck check',
    `--impl ${shellQuote(args.implSpec)}`,
    `--seed ${args.seed}`,
    `--path "${args.path}"`,
  ];
  if (args.descriptor !== undefined)
    parts.push(`--problem '${args.descriptor.replaceAll("'", '')}'`);
  return parts.join(' ');
}

/** Everything known about one failing property run. */
export interface FailureReport {
  kernel: string;
  property: string;
  seed: number;
  path: string;
  /** Pass these to fc.assert / fc.check to replay straight to the shrunk case. */
  replay: { seed: number; path: string; endOnFailure: true };
  numRuns: number;
  numShrinks: number;
  numSkips: number;
  /** The shrunk case, when the property's value is a ConvCase. */
  convCase?: ConvCase;
  descriptor?: string;
  /** The comparison of the shrunk case, when the failure was a conformance failure. */
  comparison?: Comparison;
  /** The error message, for any other failure (a law, an exception, too many skips). */
  message: string;
  repro: string;
}

function isConvCase(value: unknown): value is ConvCase {
  return (
    typeof value === 'object' &&
    value !== null &&
    'problem' in value &&
    'dataSeed' in value &&
    typeof (value as { dataSeed: unknown }).dataSeed === 'number'
  );
}

/**
 * Builds the report of a failed fast-check run, or returns undefined for a
 * passing one. The first element of the counterexample is taken as the case
 * when it looks like a ConvCase (conformance properties and most laws).
 *
 * @example
 * ```ts
 * const run = await fc.check(conformanceProperty(kernel, { data: 'exact' }));
 * const report = failureReport({ kernel: kernel.name, property: 'conformance/exact',
 *   implSpec: 'my-conv', run });
 * if (report) console.log(formatFailureReport(report));
 * ```
 */
export function failureReport<Ts>(args: {
  kernel: string;
  property: string;
  implSpec: string;
  run: fc.RunDetails<Ts>;
}): FailureReport | undefined {
  const { run } = args;
  if (!run.failed) return undefined;
  const path = run.counterexamplePath ?? '';
  const first = Array.isArray(run.counterexample) ? run.counterexample[0] : undefined;
  const convCase = isConvCase(first) ? first : undefined;
  const error = run.errorInstance;
  const descriptor = convCase ? formatDescriptor(convCase.problem) : undefined;
  const report: FailureReport = {
    kernel: args.kernel,
    property: args.property,
    seed: run.seed,
    path,
    replay: { seed: run.seed, path, endOnFailure: true },
    numRuns: run.numRuns,
    numShrinks: run.numShrinks,
    numSkips: run.numSkips,
    message: run.interrupted
      ? 'run interrupted (time limit) before a counterexample was found'
      : run.counterexample === null
        ? `too many skipped cases (${run.numSkips}): the kernel supports almost none of the generated problems`
        : error instanceof Error
          ? error.message
          : String(error),
    repro: reproCommand({
      implSpec: args.implSpec,
      seed: run.seed,
      path,
      ...(descriptor ? { descriptor } : {}),
    }),
  };
  if (convCase) report.convCase = convCase;
  if (descriptor) report.descriptor = descriptor;
  if (error instanceof ConformanceFailure) report.comparison = error.comparison;
  return report;
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf';
  if (Object.is(v, -0)) return '-0';
  return Number.isInteger(v) && Math.abs(v) < 1e15 ? String(v) : v.toPrecision(9);
}

function formatWorst(w: WorstElement, shape: readonly number[], layout: ActivationLayout): string {
  // In the kernel's own index order: the element a channels-last kernel wrote there.
  const at = coordsInLayout(w.coords, shape, layout);
  const error = Math.abs(w.got - w.expected);
  const ratio = Number.isFinite(w.boundRatio)
    ? `${w.boundRatio.toPrecision(3)}× the bound`
    : 'no tolerance';
  const ulps = Number.isFinite(w.ulps) ? `${w.ulps.toPrecision(3)} ulp` : 'special value';
  return (
    `    [${at.coords.join(', ')}] (index ${at.index}): expected ${formatNumber(w.expected)}, ` +
    `got ${formatNumber(w.got)}, error ${formatNumber(error)} (${ulps}, ${ratio})`
  );
}

/**
 * The comparison part of a report, indented by two spaces: verdict, pattern,
 * bound, worst elements and statistics. The problem is only used for context;
 * coordinates and indices are given in the kernel's `layout` (default NCHW).
 *
 * @example
 * ```ts
 * console.log(formatComparison(p, compareConvOutput({ ... })));
 * //   verdict:  fail: 3 of 9 outputs differ from the oracle (exact comparison)
 * //   pattern:  padding: only outputs whose window touches the padding are wrong
 * ```
 */
export function formatComparison(
  problem: ConvProblem,
  c: Comparison,
  layout: ActivationLayout = 'nchw',
  op: OpName = 'conv',
): string {
  const lines = [`  verdict:  ${c.verdict}${c.reason ? `: ${c.reason}` : ''}`];
  if (c.pattern) lines.push(`  pattern:  ${c.pattern.kind}: ${c.pattern.detail}`);
  const p = c.parameters;
  lines.push(
    p.model === 'exact'
      ? '  bound:    exact (the oracle rounded to the dtype; ±0 equal)'
      : `  bound:    |got − ref| ≤ ${p.factor} · ksb ${p.ksb} · max(${p.unitRoundoff.toExponential(3)} · mag, ${p.normalMin.toExponential(3)}) [${p.model}, ${p.dtype}]`,
  );
  if (p.note) lines.push(`  note:     ${p.note}`);
  if (c.worst.length > 0) {
    const spatial = ['d', 'h', 'w'].slice(3 - problem.inputSize.length);
    const axes =
      op === 'conv'
        ? activationAxisNames(problem.inputSize.length, layout)
        : opEntry(op).geometry(problem).outputName === 'weightGradient'
          ? ['o', 'i', ...spatial.map((a) => `k${a}`)].join(', ')
          : ['n', 'c', ...spatial].join(', ');
    lines.push(
      `  worst elements (${c.failures} of ${c.outputs} failing; [${axes}]${layout === 'nchw' ? '' : ` (the kernel's ${layout} order)`}):`,
    );
    const shape =
      op === 'conv' ? convGeometry(problem).outputShape : opEntry(op).geometry(problem).outputShape;
    for (const w of c.worst) lines.push(formatWorst(w, shape, layout));
  }
  if (c.stats?.applied) {
    const s = c.stats;
    lines.push(
      `  statistics: Σe² ${s.sumSquared.toPrecision(4)} ≤ ${s.varianceLimit.toPrecision(4)}, ` +
        `|Σe| ${Math.abs(s.sum).toPrecision(4)} ≤ ${s.biasLimit.toPrecision(4)} over ${s.judged} outputs`,
    );
  }
  return lines.join('\n');
}

/**
 * A multi-line, human-readable report.
 *
 * @example
 * ```ts
 * console.log(formatFailureReport(report));
 * // convcheck: my-conv FAILED conformance/exact
 * //   problem:  trueconv:mb1g1ic1oc1_iw2_kw2_sw1_dw1_pbw0_pew0_nobias (data exact, seed 0)
 * //   ...
 * ```
 */
export function formatFailureReport(report: FailureReport): string {
  const lines = [`convcheck: ${report.kernel} FAILED ${report.property}`];
  if (report.descriptor && report.convCase) {
    lines.push(
      `  problem:  ${report.descriptor} (data ${report.convCase.data}, seed ${report.convCase.dataSeed})`,
    );
  }
  if (report.comparison && report.convCase) {
    lines.push(formatComparison(report.convCase.problem, report.comparison));
  } else {
    lines.push(`  error:    ${report.message}`);
  }
  lines.push(
    `  runs:     ${report.numRuns} (${report.numSkips} skipped), ${report.numShrinks} shrinks`,
    `  replay:   { seed: ${report.seed}, path: "${report.path}", endOnFailure: true }`,
    `  repro:    ${report.repro}`,
  );
  return lines.join('\n');
}
