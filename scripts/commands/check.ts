/**
 * `convcheck check`: validates the built-in kernels, a JS/TS module (--impl) or
 * a program in any language (--impl-cmd) against the oracle, and writes CI
 * reports. Exit codes: 0 nothing failed or errored; 1 something did; 2 the
 * harness could not run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { clockSeed } from '../../properties/config.ts';
import type { DataKind, PlacedSpecial } from '../../properties/data.ts';
import { parseSpecials } from '../../properties/special-placement.ts';
import { type ConvProblem, convGeometry, parseDescriptor } from '../../reference/index.ts';
import { BUILTIN_NAMES } from '../check/builtins.ts';
import { type CaseOutcome, evaluateCase } from '../check/evaluate.ts';
import { HostStartError } from '../check/hosts/index.ts';
import { runNetworkPhase } from '../check/networks.ts';
import { parseDims, parseIntegerOption, parseSeed, parseShard } from '../check/options.ts';
import { createProgress } from '../check/progress.ts';
import { toJson, toJunit, toMarkdown } from '../check/report-writers.ts';
import { type CheckReport, type PhaseResult, summarize, summaryLine } from '../check/results.ts';
import { type CheckTarget, type RunOptions, runGeneratedPhase } from '../check/runner.ts';
import { saveFailure } from '../check/save-failure.ts';
import { suiteSpec } from '../check/suites.ts';
import { openTargets, type TargetOptions } from '../check/targets.ts';
import { UsageError } from '../cli-error.ts';
import { packageVersion } from '../version.ts';

interface CheckFlags {
  impl?: string;
  implCmd?: string;
  builtin?: string;
  dtype?: string;
  padding?: string;
  tolerance?: string;
  runs?: string;
  seed?: string;
  suite: string;
  dims: string;
  timeoutMs: string;
  shard: string;
  json?: string;
  junit?: string;
  markdown?: string;
  saveFailures?: string;
  problem?: string;
  data?: string;
  dataSeed?: string;
  specials?: string;
  only?: string;
  path?: string;
}

function writeReport(path: string | undefined, text: string): void {
  if (!path) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function parseData(text: string | undefined, fallback: DataKind): DataKind {
  const value = text ?? fallback;
  if (value !== 'exact' && value !== 'real' && value !== 'special') {
    throw new UsageError(`--data must be exact, real or special, got '${value}'`);
  }
  return value;
}

/** The --specials placement of a special-data repro, checked against the problem's tensors. */
function specialsOption(text: string, data: DataKind, problem: ConvProblem): PlacedSpecial[] {
  if (data !== 'special') throw new UsageError('--specials applies to --data special only');
  let specials: PlacedSpecial[];
  try {
    specials = parseSpecials(text);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const g = convGeometry(problem);
  const lengths = { input: g.inputLength, weight: g.weightLength };
  for (const s of specials) {
    if (s.index >= lengths[s.tensor]) {
      throw new UsageError(
        `--specials ${s.tensor}:${s.index} is outside the ${s.tensor} (${lengths[s.tensor]} elements)`,
      );
    }
  }
  return specials;
}

async function runSingleCase(target: CheckTarget, flags: CheckFlags, timeoutMs: number) {
  const parsed = parseDescriptor(flags.problem!);
  if (parsed.kind !== 'conv')
    throw new UsageError('--problem must be a convolution descriptor (xcorr: or trueconv:)');
  const problem: ConvProblem = parsed.problem;
  convGeometry(problem);
  const data = parseData(flags.data, 'real');
  const dataSeed = parseIntegerOption('--data-seed', flags.dataSeed ?? '0', 0, 2 ** 31 - 1);
  const specials =
    flags.specials === undefined ? undefined : specialsOption(flags.specials, data, problem);
  const outcome: CaseOutcome = await evaluateCase(
    target.host,
    { problem, data, dataSeed, ...(specials ? { specials } : {}) },
    target.tolerance,
    {
      timeoutMs,
      checkDeterminism: true,
    },
  );
  process.stdout.write(
    `${target.host.name}: ${outcome.verdict.toUpperCase()} ${flags.problem} (${data} data, seed ${dataSeed})\n`,
  );
  if (outcome.verdict !== 'pass') process.stdout.write(`${outcome.message}\n${outcome.details}\n`);
  return outcome.verdict === 'fail' || outcome.verdict === 'error' ? 1 : 0;
}

async function check(flags: CheckFlags): Promise<number> {
  const suite = suiteSpec(flags.suite);
  const seed = flags.seed !== undefined ? parseSeed(flags.seed) : clockSeed();
  const timeoutMs = parseIntegerOption('--timeout-ms', flags.timeoutMs, 1);
  const shard = parseShard(flags.shard);
  const dims = parseDims(flags.dims);
  const runs = flags.runs !== undefined ? parseIntegerOption('--runs', flags.runs, 1) : suite.runs;
  const only = flags.only === undefined ? undefined : parseData(flags.only, 'real');

  process.stdout.write(
    `convcheck check: seed ${seed}, suite ${suite.name}, shard ${shard.index}/${shard.count}\n`,
  );
  const targetOptions: TargetOptions = {
    ...(flags.impl ? { impl: flags.impl } : {}),
    ...(flags.implCmd ? { implCmd: flags.implCmd } : {}),
    ...(flags.dtype ? { dtype: flags.dtype } : {}),
    ...(flags.padding ? { padding: flags.padding } : {}),
    ...(flags.tolerance ? { tolerance: flags.tolerance } : {}),
    ...(flags.builtin ? { builtin: flags.builtin } : {}),
  };
  const targets = await openTargets(targetOptions);
  try {
    if (flags.problem !== undefined) {
      let code = 0;
      for (const t of targets) code = Math.max(code, await runSingleCase(t, flags, timeoutMs));
      return code;
    }
    const options: RunOptions = {
      suite,
      seed,
      runs,
      dims,
      shard,
      timeoutMs,
      determinismEvery: 10,
      progress: createProgress(),
      ...(flags.saveFailures
        ? { onFailure: (failure, outcome) => saveFailure(flags.saveFailures!, failure, outcome) }
        : {}),
      ...(flags.path !== undefined && only ? { replay: { data: only, path: flags.path } } : {}),
    };
    const phases: PhaseResult[] = [];
    for (const target of targets) {
      if (suite.networks) {
        phases.push(await runNetworkPhase(target, options));
        continue;
      }
      for (const [index, data] of suite.data.entries()) {
        if (only && data !== only) continue;
        phases.push(await runGeneratedPhase(target, data, index, options));
      }
    }
    const summary = summarize(phases);
    const { totals, caseTotals, exitCode } = summary;
    const report: CheckReport = {
      tool: { name: 'convcheck', version: packageVersion() },
      startedAt: new Date().toISOString(),
      seed,
      suite: suite.name,
      shard,
      kernels: targets.map((t) => ({
        name: t.host.name,
        dtype: t.host.dtype,
        padding: t.host.padding,
        source: t.implFlags || 'built-in',
      })),
      phases,
      totals,
      caseTotals,
      exitCode,
    };
    for (const p of phases.filter((x) => x.failure)) {
      const f = p.failure!;
      process.stdout.write(
        `\n${f.verdict.toUpperCase()}: ${p.kernel} — ${p.phase}\n  ${f.descriptor}\n  ${f.message}\n${f.details.replace(/^/gm, '  ')}\n  repro: ${f.repro}\n${f.savedTo ? `  saved: ${f.savedTo}\n` : ''}`,
      );
    }
    writeReport(flags.json, toJson(report));
    writeReport(flags.junit, toJunit(report));
    writeReport(flags.markdown, toMarkdown(report));
    process.stdout.write(`\n${summaryLine(summary, seed)}\n`);
    return exitCode;
  } finally {
    await Promise.all(targets.map((t) => t.host.close()));
  }
}

/** Registers `check` on the program. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check kernels against the oracle (built-in kernels when no --impl/--impl-cmd)')
    .option('--impl <path>', 'a .js/.mjs/.ts module whose default export is a ConvKernel')
    .option(
      '--impl-cmd <command>',
      'a program speaking the line-based JSON protocol (docs/protocol.md)',
    )
    .option(
      '--builtin <names>',
      `built-in kernels by name, comma-separated (${BUILTIN_NAMES.join(', ')})`,
    )
    .option('--dtype <dtype>', 'dtype of an --impl-cmd program: float32 or float64', undefined)
    .option(
      '--padding <rule>',
      'padding rule an --impl-cmd program declares: zeros (default) or skip-taps',
      undefined,
    )
    .option(
      '--tolerance <model>',
      'bound model: dot-product (default), exact, winograd-f2, winograd-f4',
    )
    .option('--runs <n>', 'cases per phase (default from the suite)')
    .option('--seed <s>', 'fast-check seed (default: chosen and printed)')
    .option('--suite <name>', 'quick | standard | deep | exact | networks', 'standard')
    .option('--dims <list>', 'spatial ranks to generate', '1,2,3')
    .option('--timeout-ms <ms>', 'per-case timeout', '20000')
    .option('--shard <i/n>', 'run shard i of n (CI matrices)', '1/1')
    .option('--json <file>', 'write the JSON report')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--markdown <file>', 'write a Markdown summary')
    .option('--save-failures <dir>', 'write each shrunk failing case as a fixture under DIR')
    .option('--problem <descriptor>', 'run one case (repro): a conv descriptor')
    .option('--data <kind>', 'with --problem: exact | real | special', undefined)
    .option('--data-seed <n>', 'with --problem: the data seed', undefined)
    .option(
      '--specials <list>',
      'with --data special: the shrunk placement of non-finite values (input:0=inf,...)',
      undefined,
    )
    .option('--only <kind>', 'run only the phase of this data kind')
    .option('--path <path>', 'with --only: replay a fast-check path')
    .action(async (flags: CheckFlags) => {
      try {
        process.exitCode = await check(flags);
      } catch (e) {
        if (e instanceof HostStartError) throw new UsageError(e.message);
        throw e;
      }
    });
}
