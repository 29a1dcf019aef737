/**
 * The false-alarm check: correct kernels that compute differently from the
 * oracle (another summation order, a float64 accumulator, pairwise sums,
 * simulated Winograd rounding) and convcheck's own kernels must pass the
 * conformance property on every kind of data, for many seeds. A single
 * failure is a bug in the tolerance model, not in the kernel.
 *
 * Run the long version with
 *
 *   npx tsx properties/no-false-alarms.ts [--seeds 10] [--runs 200] [--first-seed 1]
 *
 * and record its summary in docs/tolerance.md; the test suite runs a short one.
 */
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { im2colKernel, im2colKernel64 } from '../impl/im2col/index.ts';
import { winogradF2Kernel, winogradF4Kernel } from '../impl/winograd/index.ts';
import type { ConvProblem } from '../reference/problem.ts';
import { type CorrectKernel, correctKernels, winogradConstraints } from './broken/correct.ts';
import { conformanceProperty, conformanceStats } from './conformance.ts';
import type { DataKind } from './data.ts';
import { referenceKernel } from './kernels.ts';
import { failureReport, formatFailureReport } from './report.ts';
import { winogradModel } from './winogradModel.ts';

/**
 * The correct-but-different kernels plus the oracle in float32 and convcheck's kernels.
 *
 * @example
 * ```ts
 * await noFalseAlarms({ seeds: 1, runs: 20, kernels: falseAlarmKernels().slice(0, 2) });
 * ```
 */
export function falseAlarmKernels(): CorrectKernel[] {
  const winograd = (m: number) => (p: ConvProblem) => winogradModel(m, p.kernelSize);
  return [
    { kernel: referenceKernel('float32') },
    ...correctKernels,
    { kernel: im2colKernel },
    { kernel: im2colKernel64 },
    { kernel: winogradF2Kernel, model: winograd(2), constraints: winogradConstraints },
    { kernel: winogradF4Kernel, model: winograd(4), constraints: winogradConstraints },
  ];
}

/** What one kernel did on one kind of data across all seeds. */
export interface FalseAlarmRow {
  kernel: string;
  data: DataKind;
  seeds: number;
  /** Cases compared with the oracle (unsupported and mistrusted ones excluded). */
  checked: number;
  /** Runs that failed: false alarms. */
  failures: number;
  /** Largest |error| / bound over all checked cases: how close to a false alarm it came. */
  maxBoundRatio: number;
  /** Reports of the failures, if any. */
  reports: string[];
}

/** Options of {@link noFalseAlarms}. */
export interface FalseAlarmOptions {
  seeds: number;
  runs: number;
  firstSeed?: number;
  kernels?: CorrectKernel[];
  data?: DataKind[];
  /** Called after each kernel × data row. */
  onRow?: (row: FalseAlarmRow) => void;
}

/**
 * Runs the conformance property on every kernel × data kind for `seeds`
 * consecutive seeds of `runs` runs each, and tallies the false alarms.
 *
 * @example
 * ```ts
 * const rows = await noFalseAlarms({ seeds: 2, runs: 50 });
 * rows.every((r) => r.failures === 0); // true, or the tolerance model is wrong
 * ```
 */
export async function noFalseAlarms(options: FalseAlarmOptions): Promise<FalseAlarmRow[]> {
  const rows: FalseAlarmRow[] = [];
  const first = options.firstSeed ?? 1;
  for (const { kernel, model, constraints } of options.kernels ?? falseAlarmKernels()) {
    for (const data of options.data ?? (['exact', 'real', 'special'] as const)) {
      const row: FalseAlarmRow = {
        kernel: kernel.name,
        data,
        seeds: options.seeds,
        checked: 0,
        failures: 0,
        maxBoundRatio: 0,
        reports: [],
      };
      for (let seed = first; seed < first + options.seeds; seed++) {
        const stats = conformanceStats();
        const property = conformanceProperty(kernel, {
          data,
          stats,
          ...(model ? { model } : {}),
          ...(constraints ? { constraints } : {}),
        });
        const run = await fc.check(property, { seed, numRuns: options.runs });
        row.checked += stats.checked;
        row.maxBoundRatio = Math.max(row.maxBoundRatio, stats.maxBoundRatio);
        const report = failureReport({
          kernel: kernel.name,
          property: `conformance/${data}`,
          implSpec: kernel.name,
          run,
        });
        if (report) {
          row.failures++;
          row.reports.push(formatFailureReport(report));
        }
      }
      rows.push(row);
      options.onRow?.(row);
    }
  }
  return rows;
}

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i < 0 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(value))
    throw new RangeError(`--${name} must be an integer, got ${process.argv[i + 1]}`);
  return value;
}

async function main(): Promise<void> {
  const seeds = argument('seeds', 10);
  const runs = argument('runs', 200);
  const firstSeed = argument('first-seed', 1);
  const started = Date.now();
  console.log(
    `no false alarms: ${seeds} seeds × ${runs} runs per kernel and data kind (seeds ${firstSeed}..${firstSeed + seeds - 1})`,
  );
  console.log('| kernel | data | cases checked | false alarms | max error / bound |');
  console.log('|---|---|---|---|---|');
  const rows = await noFalseAlarms({
    seeds,
    runs,
    firstSeed,
    onRow: (r) =>
      console.log(
        `| ${r.kernel} | ${r.data} | ${r.checked} | ${r.failures} | ${r.maxBoundRatio.toPrecision(3)} |`,
      ),
  });
  const alarms = rows.reduce((n, r) => n + r.failures, 0);
  const checked = rows.reduce((n, r) => n + r.checked, 0);
  for (const r of rows) for (const report of r.reports) console.log(`\n${report}`);
  console.log(
    `\n${checked} cases checked, ${alarms} false alarms, ${Math.round((Date.now() - started) / 1000)} s`,
  );
  process.exitCode = alarms === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
