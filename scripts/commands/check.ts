/**
 * `convcheck check`: validates the built-in kernels, a JS/TS module (--impl) or
 * a program in any language (--impl-cmd) against the oracle, and writes CI
 * reports. Exit codes: 0 nothing failed or errored; 1 something did; 2 the
 * harness could not run.
 *
 * Over 300 lines, on purpose: the check command has many flags; parsing them and checking how
 * they combine stays with the command that reads them.
 */
import type { Command } from 'commander';
import { clockSeed } from '../../properties/config.ts';
import type { DataKind, PlacedSpecial } from '../../properties/data.ts';
import { opGeometry } from '../../properties/ops.ts';
import { QUANTIZED_DATA_KINDS } from '../../properties/quantized/case.ts';
import { parseSpecials } from '../../properties/special-placement.ts';
import {
  type ConvProblem,
  convGeometry,
  isFloatOp,
  OP_NAMES,
  type OpName,
  opOfDescriptor,
  parseOpDescriptor,
} from '../../reference/index.ts';
import { BUILTIN_NAMES } from '../check/builtins.ts';
import {
  type CheckKernelOptions,
  parseOpsOption,
  parseToleranceName,
  runCheck,
  TOLERANCE_NAMES,
} from '../check/check-kernel.ts';
import { consoleReport } from '../check/console-report.ts';
import { type CaseOutcome, evaluateCase } from '../check/evaluate.ts';
import {
  familyFlags,
  GROUP_NAMES,
  MODE_NAMES,
  parseGroups,
  parseModes,
} from '../check/families.ts';
import { HostStartError } from '../check/hosts/index.ts';
import {
  MAX_TIMER_MS,
  parseDims,
  parseIntegerOption,
  parseSeed,
  parseShard,
} from '../check/options.ts';
import { createProgress } from '../check/progress.ts';
import { toJson, toJunit, toMarkdown } from '../check/report-writers.ts';
import type { CheckReport } from '../check/results.ts';
import type { CheckTarget, PhaseDataKind } from '../check/runner.ts';
import { onShutdown, shutdownInProgress } from '../check/shutdown.ts';
import { suiteSpec } from '../check/suites.ts';
import { openTargets, type TargetOptions } from '../check/targets.ts';
import { EXIT_USAGE, UsageError } from '../cli-error.ts';
import { JSON_OPTION_HELP, toStdout, tryWriteOutput } from '../output-file.ts';
import { checkOutputDir, checkOutputFile } from '../output-paths.ts';

interface CheckFlags {
  impl?: string;
  implCmd?: string;
  builtin?: string;
  dtype?: string;
  padding?: string;
  layout?: string;
  weightLayout?: string;
  finiteOnly?: boolean;
  tolerance?: string;
  runs?: string;
  seed?: string;
  suite: string;
  dims: string;
  timeoutMs?: string;
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
  modes?: string;
  groups?: string;
  allowEmpty?: boolean;
  browser?: boolean;
  full?: boolean;
  ops?: string;
}

/** Every file and directory the run will write, checked before it starts. */
function checkOutputs(flags: CheckFlags): void {
  const files = { '--json': flags.json, '--junit': flags.junit, '--markdown': flags.markdown };
  for (const [flag, path] of Object.entries(files)) {
    if (path !== undefined && !toStdout(path)) checkOutputFile(flag, path);
  }
  if (flags.saveFailures !== undefined) checkOutputDir('--save-failures', flags.saveFailures);
}

/** Options that only mean something next to another one are errors alone. */
function checkApplicable(flags: CheckFlags): void {
  const needs = (flag: string, value: unknown, other: string, present: boolean) => {
    if (value !== undefined && !present) throw new UsageError(`${flag} applies only with ${other}`);
  };
  needs('--path', flags.path, '--only', flags.only !== undefined);
  const single = flags.problem !== undefined;
  needs('--data', flags.data, '--problem', single);
  needs('--data-seed', flags.dataSeed, '--problem', single);
  if (single) {
    const runOnly = {
      '--json': flags.json,
      '--junit': flags.junit,
      '--markdown': flags.markdown,
      '--save-failures': flags.saveFailures,
      '--only': flags.only,
    };
    const given = Object.keys(runOnly).find(
      (k) => runOnly[k as keyof typeof runOnly] !== undefined,
    );
    if (given !== undefined) {
      throw new UsageError(
        `${given} does not apply to --problem (one case, printed); drop it or drop --problem`,
      );
    }
  }
  if (flags.path !== undefined && !/^\d+(:\d+)*$/.test(flags.path)) {
    throw new UsageError(
      `--path must be a fast-check path such as '2:0:1' (from a failure report), got '${flags.path}'`,
    );
  }
}

/** An empty kernel option would otherwise read as absent and check the built-ins instead. */
function refuseEmptyKernelOptions(flags: CheckFlags): void {
  const kernels = { '--impl': flags.impl, '--impl-cmd': flags.implCmd, '--builtin': flags.builtin };
  for (const [flag, value] of Object.entries(kernels)) {
    if (value !== undefined && value.trim() === '') {
      throw new UsageError(`${flag} must not be empty, got '${value}'`);
    }
  }
}

function parseData(flag: string, text: string | undefined, fallback: DataKind): DataKind {
  const value = text ?? fallback;
  if (value !== 'exact' && value !== 'real' && value !== 'special') {
    throw new UsageError(`${flag} must be exact, real or special, got '${value}'`);
  }
  return value;
}

/** The --only phase: a float op's data kind, or a quantized op's (integer, ties, saturation). */
function parseOnly(text: string): PhaseDataKind {
  const kinds: readonly PhaseDataKind[] = ['exact', 'real', 'special', ...QUANTIZED_DATA_KINDS];
  if (!(kinds as readonly string[]).includes(text)) {
    throw new UsageError(`--only must be one of ${kinds.join(', ')}, got '${text}'`);
  }
  return text as PhaseDataKind;
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

/**
 * The case a --problem descriptor names: its kind says the op (xcorrT: is
 * ConvTranspose, xcorrBD:/xcorrBW: the backward passes); --ops, when given,
 * must agree with it.
 */
function singleCaseProblem(flags: CheckFlags): { op: OpName; problem: ConvProblem } {
  const parsed = parseOpDescriptor(flags.problem!);
  const op = opOfDescriptor(parsed.op);
  if (!isFloatOp(op)) {
    throw new UsageError(
      `--problem '${flags.problem}' is a ${op} case: a quantized case is replayed by its phase (the repro line's --ops, --only and --path), not by --problem`,
    );
  }
  if (flags.ops !== undefined && parseOpsOption(flags.ops).join(',') !== op) {
    throw new UsageError(
      `--problem '${flags.problem}' is a ${op} case, but --ops says '${flags.ops}'`,
    );
  }
  if (op === 'conv') convGeometry(parsed.problem);
  else opGeometry({ op, problem: parsed.problem });
  return { op, problem: parsed.problem };
}

async function runSingleCase(target: CheckTarget, flags: CheckFlags, timeoutMs: number) {
  const { op, problem } = singleCaseProblem(flags);
  const data = parseData('--data', flags.data, 'real');
  const dataSeed = parseIntegerOption('--data-seed', flags.dataSeed ?? '0', 0, 2 ** 31 - 1);
  if (flags.specials !== undefined && op !== 'conv') {
    throw new UsageError(`--specials applies to conv cases only, got a ${op} case`);
  }
  const specials =
    flags.specials === undefined ? undefined : specialsOption(flags.specials, data, problem);
  const c = { ...(op === 'conv' ? {} : { op }), problem, data, dataSeed };
  const outcome: CaseOutcome = await evaluateCase(
    target.host,
    { ...c, ...(specials ? { specials } : {}) },
    target.tolerance,
    {
      timeoutMs,
      checkDeterminism: true,
      full: flags.full === true,
    },
  );
  const sampled = outcome.sampled
    ? `, oracle sampled ${outcome.sampled.count.toLocaleString('en-US')} of ${outcome.sampled.total.toLocaleString('en-US')} outputs`
    : '';
  process.stdout.write(
    `${target.host.name}: ${outcome.verdict.toUpperCase()} ${flags.problem} (${data} data, seed ${dataSeed}${sampled})\n`,
  );
  if (outcome.verdict !== 'pass') process.stdout.write(`${outcome.message}\n${outcome.details}\n`);
  return outcome.verdict === 'fail' || outcome.verdict === 'error' ? 1 : 0;
}

/** Writes every report asked for (complete or partial); false if one could not be written. */
function writeReports(flags: CheckFlags, report: CheckReport): boolean {
  return [
    tryWriteOutput('--json', flags.json, toJson(report)),
    tryWriteOutput('--junit', flags.junit, toJunit(report)),
    tryWriteOutput('--markdown', flags.markdown, toMarkdown(report)),
  ].every(Boolean);
}

/** The library options a command line asks for (values checked by runCheck). */
function checkOptions(flags: CheckFlags): CheckKernelOptions {
  const suite = suiteSpec(flags.suite);
  return {
    suite: suite.name,
    seed: flags.seed !== undefined ? parseSeed(flags.seed) : clockSeed(),
    ...(flags.runs !== undefined ? { runs: parseIntegerOption('--runs', flags.runs, 1) } : {}),
    dims: parseDims(flags.dims),
    shard: parseShard(flags.shard),
    ...(flags.timeoutMs !== undefined
      ? // setTimeout clamps delays above 2^31 − 1 ms to 1 ms: larger values are refused.
        { timeoutMs: parseIntegerOption('--timeout-ms', flags.timeoutMs, 1, MAX_TIMER_MS) }
      : {}),
    ...(flags.only !== undefined ? { data: [parseOnly(flags.only)] } : {}),
    ...(flags.path !== undefined ? { replayPath: flags.path } : {}),
    ...(flags.tolerance !== undefined ? { tolerance: parseToleranceName(flags.tolerance) } : {}),
    ...(flags.modes !== undefined ? { modes: parseModes(flags.modes) } : {}),
    ...(flags.ops !== undefined ? { ops: parseOpsOption(flags.ops) } : {}),
    ...(flags.groups !== undefined ? { groups: parseGroups(flags.groups) } : {}),
    ...(flags.saveFailures ? { saveFailures: flags.saveFailures } : {}),
    allowEmpty: flags.allowEmpty === true,
    full: flags.full === true,
    progress: createProgress(),
  };
}

async function check(flags: CheckFlags): Promise<number> {
  refuseEmptyKernelOptions(flags);
  checkApplicable(flags);
  const options = checkOptions(flags);
  checkOutputs(flags);
  const targetOptions: TargetOptions = {
    ...(flags.impl !== undefined ? { impl: flags.impl } : {}),
    ...(flags.implCmd !== undefined ? { implCmd: flags.implCmd } : {}),
    ...(flags.dtype !== undefined ? { dtype: flags.dtype } : {}),
    ...(flags.padding !== undefined ? { padding: flags.padding } : {}),
    ...(flags.layout !== undefined ? { layout: flags.layout } : {}),
    ...(flags.weightLayout !== undefined ? { weightLayout: flags.weightLayout } : {}),
    ...(flags.finiteOnly ? { finiteOnly: true } : {}),
    ...(flags.tolerance !== undefined ? { tolerance: flags.tolerance } : {}),
    ...(flags.builtin !== undefined ? { builtin: flags.builtin } : {}),
    ...(flags.browser ? { browser: true } : {}),
    ...(flags.ops !== undefined ? { ops: parseOpsOption(flags.ops) } : {}),
  };
  if (flags.problem !== undefined) {
    const targets = await openTargets(targetOptions);
    try {
      let code = 0;
      for (const t of targets)
        code = Math.max(code, await runSingleCase(t, flags, options.timeoutMs ?? 20_000));
      return code;
    } finally {
      await Promise.all(targets.map((t) => t.host.close()));
    }
  }
  const text = !toStdout(flags.json);
  if (text)
    process.stdout.write(
      `convcheck check: seed ${options.seed}, suite ${options.suite}, shard ${options.shard!.index}/${options.shard!.count}${familyFlags(options)}\n`,
    );
  // On SIGINT/SIGTERM (scripts/check/shutdown.ts) the reports are written with
  // what finished, marked interrupted, before the kernels are killed.
  let partial: ((signal: 'SIGINT' | 'SIGTERM') => CheckReport) | undefined;
  const release = onShutdown(({ signal }) => {
    if (!partial) return;
    writeReports(flags, partial(signal));
    process.stderr.write(`\nconvcheck: interrupted (${signal}): partial reports written\n`);
  });
  let report: CheckReport;
  try {
    report = await runCheck(() => openTargets(targetOptions), {
      ...options,
      onRunStart: (build) => {
        partial = build;
      },
    });
  } finally {
    release();
  }
  // A signal that arrived during the run owns the reports and the exit code:
  // never overwrite its partial reports with whatever the run did next.
  await shutdownInProgress();
  if (report.exitCode === 2) throw new UsageError(report.error ?? 'the check could not run');
  if (text) process.stdout.write(consoleReport(report));
  const written = writeReports(flags, report);
  // A report that was asked for and not written is a harness fault.
  return written ? report.exitCode : EXIT_USAGE;
}

/** Registers `check` on the program. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check kernels against the oracle (built-in kernels when no --impl/--impl-cmd)')
    .option('--impl <module>', 'a .js/.mjs/.ts module whose default export is a ConvKernel')
    .option(
      '--impl-cmd <command>',
      'a program speaking the line-based JSON protocol (docs/protocol.md)',
    )
    .option(
      '--builtin <names>',
      `built-in kernels by name, comma-separated (${BUILTIN_NAMES.join(', ')})`,
    )
    .option('--browser', 'run the --impl module in headless Chromium, with a WebGPU device')
    .option(
      '--dtype <dtype>',
      'dtype of an --impl-cmd program: float32, float64, float16 or bfloat16 (16-bit patterns)',
      undefined,
    )
    .option(
      '--padding <rule>',
      'padding rule an --impl-cmd program declares: zeros (default) or skip-taps',
      undefined,
    )
    .option(
      '--layout <layout>',
      'input/output layout an --impl-cmd program declares: nchw (default) or nhwc (NWC, NDHWC in 1-D, 3-D)',
      undefined,
    )
    .option(
      '--weight-layout <layout>',
      'weight layout an --impl-cmd program declares: oihw (default), ohwi, hwio or ihwo',
      undefined,
    )
    .option(
      '--finite-only',
      'an --impl-cmd program that does not support non-finite data: its special-data phase is skipped with that reason',
    )
    .option(
      '--tolerance <model>',
      `bound model: ${TOLERANCE_NAMES.join(' | ')} (default: exact-data, i.e. dot-product and bit-exact on exact data; winograd-f2/f4 for those kernels; wgsl with --browser)`,
    )
    .option('--runs <n>', 'cases per phase (default from the suite)')
    .option('--seed <s>', 'fast-check seed (default: chosen and printed)')
    .option('--suite <name>', 'quick | standard | deep | exact | networks', 'standard')
    .option('--dims <list>', 'spatial ranks to generate', '1,2,3')
    .option('--timeout-ms <ms>', 'per-case timeout (default 20000)')
    .option('--shard <i/n>', 'run shard i of n (CI matrices)', '1/1')
    .option('--json <file>', JSON_OPTION_HELP)
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
    .option(
      '--ops <list>',
      `ops (phase groups) to check, comma-separated: ${OP_NAMES.join(',')} (default: every op the kernel implements; an --impl-cmd program declares its ops with it, default conv)`,
    )
    .option(
      '--only <kind>',
      'run only the phase of this data kind: exact | real | special (float ops) | integer | ties | saturation (quantized ops)',
    )
    .option('--path <path>', 'with --only: replay a fast-check path')
    .option('--modes <list>', `generate only these modes, comma-separated: ${MODE_NAMES.join(',')}`)
    .option(
      '--groups <list>',
      `generate only these group families, comma-separated: ${GROUP_NAMES.join(',')} (1: groups = 1; depthwise: groups = inChannels > 1; grouped: other groups > 1)`,
    )
    .option('--full', 'compute the oracle at every output of large layers (default: a sample)')
    .option('--allow-empty', 'exit 0 even when the kernel declined every case (default: exit 1)')
    .action(async (flags: CheckFlags) => {
      try {
        process.exitCode = await check(flags);
      } catch (e) {
        if (e instanceof HostStartError) throw new UsageError(e.message);
        throw e;
      }
    });
}
