/**
 * `npm run bench`: GFLOP/s of every convolution implementation on the layers
 * a–f of the kernels issue (batch 1, float32, cross-correlation), all in one
 * run, each output checked once against the oracle.
 *
 * Options: --quick (few repetitions), --json FILE, --shapes a,b, --impls
 * im2col,ort, --seed N. Progress goes to stderr, the report to stdout.
 *
 * The reference (the float64 oracle) is slow: it is timed on the one oracle
 * run each shape needs anyway, without warm-up, and says so in its note.
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { releaseOrtSessions } from '../../impl/peers/ort.ts';
import { benchImpls } from './bench/impls.ts';
import { formatMachine, machineInfo } from './bench/machine.ts';
import { benchJson, computeRatios, formatRatios, formatReport } from './bench/report.ts';
import { runBench } from './bench/run.ts';
import { benchShapes } from './bench/shapes.ts';
import type { TimingPlan } from './bench/timing.ts';

/** Full run: enough repetitions for a stable median on a quiet machine. */
const FULL_PLAN: TimingPlan = { warmups: 2, repetitions: 10, budgetMs: 20_000 };
/** --quick: a rough number in about a minute. */
const QUICK_PLAN: TimingPlan = { warmups: 1, repetitions: 3, budgetMs: 4_000 };

interface BenchOptions {
  quick?: boolean;
  json?: string;
  shapes?: string[];
  impls?: string[];
  seed: number;
}

function listOf(known: readonly string[], what: string) {
  return (value: string): string[] => {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    const unknown = items.filter((s) => !known.includes(s));
    if (items.length === 0 || unknown.length > 0) {
      throw new InvalidArgumentError(
        `unknown ${what} '${unknown.join(',') || value}'; known: ${known.join(',')}`,
      );
    }
    return items;
  };
}

function seedOf(value: string): number {
  const seed = Number(value);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidArgumentError(`--seed must be a non-negative integer, got '${value}'`);
  }
  return seed;
}

const shapeIds = benchShapes.map((s) => s.id);
const implIds = benchImpls.map((i) => i.id);

const program = new Command('bench')
  .description('GFLOP/s of every convolution implementation on layers a–f')
  .option('--quick', 'few repetitions and a short time budget per cell')
  .option('--json <file>', 'also write the results as JSON')
  .option(
    '--shapes <ids>',
    `comma-separated subset of ${shapeIds.join(',')}`,
    listOf(shapeIds, 'shape'),
  )
  .option(
    '--impls <ids>',
    `comma-separated subset of ${implIds.join(',')}`,
    listOf(implIds, 'impl'),
  )
  .option('--seed <n>', 'seed of the input data', seedOf, 1)
  .parse();

const options = program.opts<BenchOptions>();
const shapes = benchShapes.filter((s) => options.shapes?.includes(s.id) ?? true);
const impls = benchImpls.filter((i) => options.impls?.includes(i.id) ?? true);
const plan = options.quick ? QUICK_PLAN : FULL_PLAN;

const machine = machineInfo();
const say = (line: string) => process.stdout.write(`${line}\n`);
say(formatMachine(machine));
say(
  `timing: ${plan.warmups} warm-up(s) (the first one checked against the oracle), up to ` +
    `${plan.repetitions} timed runs, at most ${plan.budgetMs / 1000} s per cell` +
    `${options.quick ? ' (--quick)' : ''}; reference: timed on its single oracle run per shape, no warm-up`,
);

const cells = await runBench({ shapes, impls, plan, seed: options.seed }, (line) =>
  process.stderr.write(`bench: ${line}\n`),
);
releaseOrtSessions();

say('');
for (const line of formatReport(
  shapes,
  impls.map((i) => i.id),
  cells,
))
  say(line);
const ratios = computeRatios(cells);
if (ratios.length > 0) {
  say('');
  say('target ratios (GFLOP/s over GFLOP/s, same run):');
  for (const line of formatRatios(ratios)) say(line);
}
if (options.json !== undefined) {
  const mode = options.quick ? 'quick' : 'full';
  const json = benchJson({ ...machine, mode, timing: plan }, shapes, cells, ratios);
  writeFileSync(options.json, `${JSON.stringify(json, null, 2)}\n`);
  process.stderr.write(`bench: wrote ${options.json}\n`);
}
