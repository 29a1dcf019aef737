/**
 * The one way a check runs, for the CLI (`convcheck check`) and the library
 * (`checkKernel`): open the kernels, run every phase of the suite, judge the
 * run as a whole, and return the report that `--json` writes. The CLI only
 * parses its flags into {@link CheckKernelOptions} and prints the report.
 *
 * Over 300 lines, on purpose: the one way a check runs, for the CLI and checkKernel: options,
 * the kernel target, the phases and the report, kept in one place on purpose.
 */
import { resolve } from 'node:path';
import { clockSeed } from '../../properties/config.ts';
import { PRECISION_MODEL_NAMES } from '../../properties/precision/models.ts';
import { quantizedDataKinds } from '../../properties/quantized/case.ts';
import {
  type AnyConvKernel,
  type KernelDType,
  type PaddingRule,
  ProblemError,
} from '../../reference/index.ts';
import {
  type ActivationLayout,
  isCanonical,
  type KernelLayouts,
  type WeightLayout,
} from '../../reference/layout.ts';
import {
  declaredOps,
  isFloatOp,
  OP_NAMES,
  OPS,
  type OpName,
  parseOpList,
} from '../../reference/ops.ts';
import type { QuantizedKernel, QuantizedOp } from '../../reference/quantized-kernel.ts';
import { UsageError } from '../cli-error.ts';
import { shellQuote } from '../shell-quote.ts';
import { packageVersion } from '../version.ts';
import { defaultTolerance, defaultToleranceFor, parseToleranceChoice } from './evaluate.ts';
import { checkFamilyFilter, type FamilyFilter, familyFlags } from './families.ts';
import {
  HostStartError,
  openBrowserHost,
  openCommandHost,
  openInProcessHost,
  openModuleHost,
  openQuantizedInProcessHost,
} from './hosts/index.ts';
import { quantizedOpsOf } from './hosts/quantized-in-process.ts';
import { partialReport, trackProgress } from './interrupt.ts';
import { runNetworkPhase } from './networks.ts';
import { MAX_TIMER_MS, parseDims, parseIntegerOption, parseSeed, parseShard } from './options.ts';
import { PhaseStats } from './phase/stats.ts';
import { skipBeforeRun } from './phase/summary.ts';
import type { Progress } from './progress.ts';
import { runQuantizedPhase } from './quantized-phase.ts';
import { type CaseFailure, type CheckReport, type PhaseResult, summarize } from './results.ts';
import {
  type CheckTarget,
  type PhaseDataKind,
  type RunOptions,
  runGeneratedPhase,
} from './runner.ts';
import { saveFailure } from './save-failure.ts';
import { type SuiteName, suiteSpec } from './suites.ts';
import { commandImplFlags, parseLayouts } from './targets.ts';

/** Names of the bound models (`--tolerance`). */
export const TOLERANCE_NAMES = [
  'exact-data',
  'dot-product',
  'wgsl',
  'fft',
  'winograd-f2',
  'winograd-f4',
  ...PRECISION_MODEL_NAMES,
] as const;
export type ToleranceName = (typeof TOLERANCE_NAMES)[number];

/**
 * A `--tolerance` value; a UsageError lists the names otherwise.
 *
 * @example
 * ```ts
 * parseToleranceName('winograd-f4'); // 'winograd-f4'
 * ```
 */
export function parseToleranceName(text: string): ToleranceName {
  if (!(TOLERANCE_NAMES as readonly string[]).includes(text)) {
    throw new UsageError(`--tolerance must be one of ${TOLERANCE_NAMES.join(', ')}, got '${text}'`);
  }
  return text as ToleranceName;
}

/** The kernel to check: an object, a module file (.js/.mjs/.ts), or a program (docs/protocol.md). */
export type KernelUnderTest =
  | AnyConvKernel
  | QuantizedKernel
  | { module: string }
  | { command: string };

/** A kernel object of the quantized ops only (no `conv`): its host runs just those. */
function quantizedOnly(kernel: KernelUnderTest): kernel is QuantizedKernel {
  const k = kernel as Record<string, unknown>;
  return typeof k.conv !== 'function' && quantizedOpsOf(kernel as QuantizedKernel).length > 0;
}

/**
 * What to check and how; every field is optional and is the CLI option of the
 * same name (`runs` is `--runs`, `timeoutMs` is `--timeout-ms`, `data` is `--only`).
 */
export interface CheckKernelOptions extends FamilyFilter {
  /** Cases per phase and problem size; default 'standard'. */
  suite?: SuiteName;
  /** Checked cases per phase; default from the suite. */
  runs?: number;
  /** Run seed; default chosen from the clock (the report records it). */
  seed?: number;
  /** Spatial ranks to generate; default [1, 2, 3]. */
  dims?: readonly (1 | 2 | 3)[];
  /** Data kinds (phases) to run; default every phase of the suite. */
  data?: readonly PhaseDataKind[];
  /**
   * Ops (phase groups) to run (`--ops`); default every op the kernel implements
   * (reference/ops.ts). For a `{ command }` program it also declares the ops
   * the program implements (default conv only).
   */
  ops?: readonly OpName[];
  /** Bound model; default by kernel name (dot-product, bit-exact on exact data). */
  tolerance?: ToleranceName;
  /** dtype of a `{ command }` program (`--dtype`: float16 and bfloat16 travel as 16-bit patterns); default float32. */
  dtype?: KernelDType;
  /** Padding rule a `{ command }` program declares (`--padding`); a kernel object or module declares its own. */
  padding?: PaddingRule;
  /** Input/output layout a `{ command }` program declares (`--layout`); default 'nchw'. */
  layout?: ActivationLayout;
  /** Weight layout a `{ command }` program declares (`--weight-layout`); default 'oihw'. */
  weightLayout?: WeightLayout;
  /** A `{ command }` program that does not support non-finite data (`--finite-only`); a kernel object or module declares `finiteOnly` itself. */
  finiteOnly?: boolean;
  /** Per-case time limit; default 20 000 ms. */
  timeoutMs?: number;
  /** Shard i of n; default 1/1. */
  shard?: { index: number; count: number };
  /** Let a run in which the kernel declined every case exit 0 (default: exit 1). */
  allowEmpty?: boolean;
  /** Write each shrunk failing case as a fixture under this folder. */
  saveFailures?: string;
  /** Progress events; default none. */
  progress?: Progress;
  /** Replays one phase at a fast-check path (the CLI's --only K --path P). */
  replayPath?: string;
  /** Run a `{ module }` kernel in headless Chromium with a GPUDevice (the CLI's --browser). */
  browser?: boolean;
  /** Compute the oracle at every output of large problems instead of a sample (`--full`). */
  full?: boolean;
  /**
   * Called once the kernels are open with a function that builds the report of
   * what has finished so far, marked interrupted: the CLI writes it on SIGINT
   * or SIGTERM.
   */
  onRunStart?: (partial: (signal: 'SIGINT' | 'SIGTERM') => CheckReport) => void;
}

const SILENT: Progress = { phaseStart() {}, tick() {}, phaseEnd() {} };

/** How a library caller's kernel is named in repro lines. */
function implFlagsOf(
  kernel: KernelUnderTest,
  dtype: KernelDType,
  padding: PaddingRule,
  layouts: KernelLayouts,
  browser: boolean,
  finiteOnly: boolean,
): string {
  if ('command' in kernel && typeof kernel.command === 'string') {
    return commandImplFlags(kernel.command, dtype, padding, layouts, finiteOnly);
  }
  if ('module' in kernel && typeof kernel.module === 'string') {
    return `--impl ${shellQuote(kernel.module)}${browser ? ' --browser' : ''}`;
  }
  return `--impl <module exporting kernel ${shellQuote(String((kernel as AnyConvKernel).name))}>`;
}

/**
 * Opens one library-given kernel as a check target (closing is the caller's).
 *
 * @example
 * ```ts
 * const [target] = await openKernelTarget({ command: 'python3 k.py' }, {});
 * ```
 */
export async function openKernelTarget(
  kernel: KernelUnderTest,
  options: Pick<
    CheckKernelOptions,
    'tolerance' | 'dtype' | 'padding' | 'layout' | 'weightLayout' | 'browser' | 'finiteOnly' | 'ops'
  >,
): Promise<CheckTarget[]> {
  const dtype = options.dtype ?? 'float32';
  const padding = options.padding ?? 'zeros';
  const layouts = parseLayouts(options);
  const browser = options.browser === true;
  if (options.finiteOnly && !('command' in kernel && typeof kernel.command === 'string')) {
    throw new UsageError(
      'finiteOnly: true applies only to a { command } program; a kernel declares finiteOnly itself',
    );
  }
  if (browser && !('module' in kernel && typeof kernel.module === 'string')) {
    throw new UsageError('browser: true applies only to a { module } kernel (a .js/.mjs file)');
  }
  const host = browser
    ? await openBrowserHost(resolve((kernel as { module: string }).module))
    : 'command' in kernel && typeof kernel.command === 'string'
      ? await openCommandHost(kernel.command, {
          dtype,
          padding,
          layouts,
          finiteOnly: options.finiteOnly === true,
          ...(options.ops ? { ops: declaredOps(options.ops) } : {}),
        })
      : 'module' in kernel && typeof kernel.module === 'string'
        ? await openModuleHost(resolve(kernel.module))
        : quantizedOnly(kernel)
          ? openQuantizedInProcessHost(kernel)
          : await openInProcessHost(kernel as AnyConvKernel);
  const tolerance =
    options.tolerance === undefined
      ? browser
        ? parseToleranceChoice('wgsl') // a page's kernel runs WGSL
        : defaultToleranceFor(host, defaultTolerance()) // never chosen by the kernel's name
      : parseToleranceChoice(options.tolerance);
  const flags = implFlagsOf(kernel, dtype, padding, layouts, browser, options.finiteOnly === true);
  return [{ host, implFlags: flags, tolerance }];
}

/** The run settings, validated as the CLI validates its flags (a UsageError names the option). */
function runSettings(options: CheckKernelOptions): Omit<RunOptions, 'progress'> & {
  data: readonly PhaseDataKind[] | undefined;
  ops: readonly OpName[] | undefined;
} {
  const suite = suiteSpec(options.suite ?? 'standard');
  checkFamilyFilter(options);
  if (options.tolerance !== undefined) parseToleranceName(options.tolerance);
  const shard = options.shard ?? { index: 1, count: 1 };
  return {
    suite,
    seed: options.seed === undefined ? clockSeed() : parseSeed(String(options.seed)),
    runs:
      options.runs === undefined
        ? suite.runs
        : parseIntegerOption('--runs', String(options.runs), 1),
    dims: parseDims((options.dims ?? [1, 2, 3]).join(',')),
    shard: parseShard(`${shard.index}/${shard.count}`),
    timeoutMs: parseIntegerOption(
      '--timeout-ms',
      String(options.timeoutMs ?? 20_000),
      1,
      MAX_TIMER_MS,
    ),
    determinismEvery: 10,
    fullOracle: options.full === true,
    data: options.data,
    ops: options.ops === undefined ? undefined : parseOpsOption(options.ops.join(',')),
    family: {
      ...(options.modes ? { modes: options.modes } : {}),
      ...(options.groups ? { groups: options.groups } : {}),
    },
  };
}

/** Options that change a single case's verdict, appended to every repro line. */
function verdictFlags(options: CheckKernelOptions): string {
  return [
    options.tolerance ? ` --tolerance ${options.tolerance}` : '',
    options.timeoutMs !== undefined ? ` --timeout-ms ${options.timeoutMs}` : '',
    options.full === true ? ' --full' : '',
  ].join('');
}

/**
 * The command that replays a failed phase at its fast-check path: the same run
 * seed, suite, shard, ranks, families and tolerance regenerate the same cases.
 */
function phaseReplay(
  target: CheckTarget,
  settings: ReturnType<typeof runSettings>,
  failure: CaseFailure,
): string {
  const { shard, dims } = settings;
  return [
    `npx convcheck check ${target.implFlags} --suite ${settings.suite.name} --seed ${settings.seed}`,
    ` --ops ${failure.op ?? 'conv'}`,
    dims.join(',') === '1,2,3' ? '' : ` --dims ${dims.join(',')}`,
    shard.count === 1 ? '' : ` --shard ${shard.index}/${shard.count}`,
    familyFlags(settings.family ?? {}),
    ` --only ${failure.data} --path ${shellQuote(failure.path)}`,
  ].join('');
}

/** The SKIP phase of an op asked for (--ops) that the kernel does not implement. */
function notImplementedPhase(
  target: CheckTarget,
  op: OpName,
  settings: ReturnType<typeof runSettings>,
  progress: Progress,
): PhaseResult {
  // The browser host runs the float ops only: say so rather than blame the kernel.
  const reason =
    target.implFlags.includes('--browser') && !isFloatOp(op)
      ? `the --browser host runs the float ops only, not ${op}`
      : `the kernel does not implement ${op} (no ${OPS[op].method} method)`;
  const phase = `${op === 'conv' ? '' : `${op} / `}all data`;
  const named = {
    kernel: target.host.name,
    phase,
    seed: settings.seed,
    ...(op === 'conv' ? {} : { op }),
  };
  return skipBeforeRun(progress, named, new PhaseStats(Date.now()), reason);
}

/**
 * The --ops list: known op names (reference/ops.ts), as a UsageError otherwise.
 *
 * @example
 * ```ts
 * parseOpsOption('conv,convtranspose'); // ['conv', 'convtranspose']
 * ```
 */
export function parseOpsOption(text: string): OpName[] {
  let ops: OpName[];
  try {
    ops = parseOpList(text);
  } catch (e) {
    if (e instanceof ProblemError) {
      throw new UsageError(
        `--ops must be a comma-separated list of ${OP_NAMES.join(', ')}, got '${text}'`,
      );
    }
    throw e;
  }
  return ops;
}

/** Runs every phase, appending each result to `phases` as it finishes (a partial report reads it). */
async function runPhases(
  targets: CheckTarget[],
  settings: ReturnType<typeof runSettings>,
  run: RunOptions,
  phases: PhaseResult[],
): Promise<PhaseResult[]> {
  for (const target of targets) {
    if (settings.suite.networks) {
      phases.push(await runNetworkPhase(target, run));
      continue;
    }
    const kinds = settings.suite.data.length;
    for (const op of settings.ops ?? target.host.ops) {
      // Each op's phases get seeds of their own; conv keeps the seeds it had before ops.
      const first = OP_NAMES.indexOf(op) * kinds;
      const quantized = !isFloatOp(op);
      if (!target.host.ops.includes(op) || (quantized && !target.host.quantized)) {
        phases.push(notImplementedPhase(target, op, settings, run.progress));
        continue;
      }
      if (quantized) {
        await runQuantizedPhases(target, op as QuantizedOp, first, settings, run, phases);
        continue;
      }
      for (const [index, data] of settings.suite.data.entries()) {
        if (settings.data && !settings.data.includes(data)) continue;
        const phase = await runGeneratedPhase(target, data, first + index, run, op);
        if (phase.failure) phase.failure.replay = phaseReplay(target, settings, phase.failure);
        phases.push(phase);
      }
    }
  }
  return phases;
}

/**
 * The phases of one quantized op (scripts/check/quantized-phase.ts), one per
 * data kind it has; each failure's repro is its phase replay (--only, --path),
 * which regenerates the case with its types and quantization parameters.
 */
async function runQuantizedPhases(
  target: CheckTarget,
  op: QuantizedOp,
  first: number,
  settings: ReturnType<typeof runSettings>,
  run: RunOptions,
  phases: PhaseResult[],
): Promise<void> {
  for (const [index, kind] of quantizedDataKinds(op).entries()) {
    if (settings.data && !settings.data.includes(kind)) continue;
    const phase = await runQuantizedPhase(target, op, kind, first + index, run);
    if (phase.failure) phase.failure.repro = phaseReplay(target, settings, phase.failure);
    phases.push(phase);
  }
}

/**
 * The --save-failures callback: a failure that cannot be saved is one line on
 * stderr, and the run goes on (its report says nothing was saved).
 */
function saveFailuresTo(dir: string): NonNullable<RunOptions['onFailure']> {
  return async (failure, outcome) => {
    try {
      return await saveFailure(dir, failure, outcome);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      process.stderr.write(
        `convcheck: --save-failures ${dir}: could not save a failure (${code})\n`,
      );
      return undefined;
    }
  };
}

/** Cases that were run and judged (not declined) over every phase. */
function checkedCases(phases: PhaseResult[]): number {
  return phases.reduce((n, p) => n + p.passed + (p.failure ? 1 : 0), 0);
}

/** A report for a run that could not start (exit 2): bad options, a kernel that cannot be opened. */
function harnessErrorReport(message: string, options: CheckKernelOptions): CheckReport {
  return {
    tool: { name: 'convcheck', version: packageVersion() },
    startedAt: new Date().toISOString(),
    seed: options.seed ?? 0,
    suite: options.suite ?? 'standard',
    shard: options.shard ?? { index: 1, count: 1 },
    kernels: [],
    phases: [],
    totals: { pass: 0, thin: 0, fail: 0, skip: 0, error: 0 },
    caseTotals: { cases: 0, passed: 0, skipped: 0 },
    exitCode: 2,
    error: message,
  };
}

/**
 * Runs a check on targets opened by `open` and returns its report. Errors the
 * harness cannot get past (a bad option, a kernel that cannot be opened) give
 * a report with exitCode 2 and `error`; a kernel's misbehaviour never does.
 *
 * @example
 * ```ts
 * const report = await runCheck(() => openTargets({ impl: 'k.mjs' }), { suite: 'quick' });
 * ```
 */
export async function runCheck(
  open: () => Promise<CheckTarget[]>,
  options: CheckKernelOptions,
): Promise<CheckReport> {
  let settings: ReturnType<typeof runSettings>;
  let targets: CheckTarget[];
  try {
    settings = runSettings(options);
    targets = await open();
  } catch (e) {
    if (e instanceof UsageError || e instanceof HostStartError || e instanceof ProblemError) {
      return harnessErrorReport(e.message, options);
    }
    throw e;
  }
  try {
    for (const t of targets) t.implFlags += verdictFlags(options);
    const base = {
      tool: { name: 'convcheck' as const, version: packageVersion() },
      startedAt: new Date().toISOString(),
      seed: settings.seed,
      suite: settings.suite.name,
      shard: settings.shard,
      ...(settings.family && Object.keys(settings.family).length > 0
        ? { filters: settings.family }
        : {}),
      kernels: targets.map((t) => ({
        name: t.host.name,
        // A kernel of the quantized ops only has no float dtype: its operands are 8-bit.
        dtype: t.host.ops.includes('conv') ? (t.host.storage ?? t.host.dtype) : 'int8/uint8',
        padding: t.host.padding,
        ...(isCanonical(t.host.layouts) ? {} : t.host.layouts),
        ...(t.host.finiteOnly ? { finiteOnly: true } : {}),
        source: t.implFlags || 'built-in',
      })),
    };
    const progress = trackProgress(options.progress ?? SILENT);
    const phases: PhaseResult[] = [];
    options.onRunStart?.((signal) => partialReport(base, phases, progress.running(), signal));
    const only = settings.data?.[0];
    const run: RunOptions = {
      ...settings,
      progress,
      ...(options.saveFailures !== undefined
        ? { onFailure: saveFailuresTo(options.saveFailures) }
        : {}),
      ...(options.replayPath !== undefined && only
        ? { replay: { data: only, path: options.replayPath } }
        : {}),
    };
    await runPhases(targets, settings, run, phases);
    const { totals, caseTotals, exitCode } = summarize(phases);
    const nothingChecked = checkedCases(phases) === 0;
    return {
      ...base,
      phases,
      totals,
      caseTotals,
      ...(nothingChecked ? { nothingChecked: true } : {}),
      exitCode: nothingChecked && !options.allowEmpty ? 1 : exitCode,
    };
  } finally {
    await Promise.all(targets.map((t) => t.host.close()));
  }
}

/**
 * Checks a kernel against the oracle: the library form of `convcheck check`,
 * on the same code path. The result is the report `--json` writes; `exitCode`
 * is 0 (nothing failed or errored, something was checked), 1 (a failure, an
 * error, or nothing checked) or 2 (the check could not run; see `error`).
 *
 * @example
 * ```ts
 * import { checkKernel } from 'convcheck';
 * const report = await checkKernel(myKernel, { suite: 'quick', modes: ['xcorr'] });
 * if (report.exitCode !== 0) console.log(report.phases.map((p) => p.failure?.repro));
 * ```
 */
export function checkKernel(
  kernel: KernelUnderTest,
  options: CheckKernelOptions = {},
): Promise<CheckReport> {
  return runCheck(() => openKernelTarget(kernel, options), options);
}
