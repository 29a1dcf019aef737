/**
 * `convcheck fixtures generate <dir>` and `convcheck fixtures verify <dir>`:
 * portable regression fixtures (manifest.json + .npy files), see docs/fixtures.md.
 *
 * Exit codes of verify: 0 nothing failed or errored; 1 something failed or
 * errored; 2 could not run (missing directory, integrity failure, bad arguments).
 */

import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import {
  ACTIVATION_LAYOUTS,
  type ActivationLayout,
  WEIGHT_LAYOUTS,
  type WeightLayout,
} from '../../reference/index.ts';
import { declaredOps, isOpName, OP_NAMES, type OpName } from '../../reference/ops.ts';
import { KERNEL_DTYPES } from '../../reference/storage.ts';
import { BUILTIN_NAMES } from '../check/builtins.ts';
import {
  HostStartError,
  type KernelHost,
  openCommandHost,
  openModuleHost,
} from '../check/hosts/index.ts';
import { MAX_TIMER_MS } from '../check/options.ts';
import { UsageError } from '../cli-error.ts';
import { generateFixtures } from '../fixtures/generate.ts';
import type { FixtureOp } from '../fixtures/manifest.ts';
import { FIXTURE_OPS, FIXTURE_SUITES, type FixtureSuite } from '../fixtures/suites.ts';
import { formatVerifyReport, type VerifyReport, verifyFixtures } from '../fixtures/verify.ts';
import { JSON_OPTION_HELP, toStdout, writeOutput } from '../output-file.ts';

/** Options of `fixtures generate` as commander parses them. */
export interface GenerateCommandOptions {
  suite?: string;
  seed?: string;
  count?: string;
  ops?: string;
  force?: boolean;
  layout?: string;
  weightLayout?: string;
  /** float32 (default), float16 or bfloat16: the storage of conv operands. */
  dtype?: string;
}

/** Options of `fixtures verify` as commander parses them. */
export interface VerifyCommandOptions {
  impl?: string;
  implCmd?: string;
  dtype?: string;
  /** Alias of `impl`. */
  kernel?: string;
  /** Alias of `implCmd`. */
  cmd?: string;
  timeoutMs?: string;
  /** Alias of `timeoutMs`. */
  timeout?: string;
  /** Where to write the JSON report ('-': stdout instead of the text). */
  json?: string;
  verbose?: boolean;
  /** The ops an --impl-cmd program implements, comma-separated (conv implied). */
  ops?: string;
  /** Built-in kernels by `check --builtin` name, comma-separated. */
  builtin?: string;
}

function integer(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value)) {
    throw new UsageError(`${flag} must be an integer, got '${text}'`);
  }
  return value;
}

function parseOps(text: string | undefined): FixtureOp[] | undefined {
  if (text === undefined) return undefined;
  const ops = text.split(',').map((s) => s.trim());
  for (const op of ops) {
    if (!FIXTURE_OPS.includes(op as FixtureOp)) {
      throw new UsageError(`--ops: '${op}' is not one of ${FIXTURE_OPS.join(', ')}`);
    }
  }
  return ops as FixtureOp[];
}

function parseStorageDtype(text: string): 'float32' | 'float16' | 'bfloat16' {
  if (text === 'float32' || text === 'float16' || text === 'bfloat16') return text;
  throw new UsageError(`--dtype must be float32, float16 or bfloat16, got '${text}'`);
}

function parseSuite(text: string | undefined): FixtureSuite | undefined {
  if (text !== undefined && !FIXTURE_SUITES.includes(text as FixtureSuite)) {
    throw new UsageError(`--suite must be one of ${FIXTURE_SUITES.join(', ')}, got '${text}'`);
  }
  return text as FixtureSuite | undefined;
}

function parseLayout(text: string | undefined): ActivationLayout | undefined {
  if (text !== undefined && !ACTIVATION_LAYOUTS.includes(text as ActivationLayout)) {
    throw new UsageError(`--layout must be one of ${ACTIVATION_LAYOUTS.join(', ')}, got '${text}'`);
  }
  return text as ActivationLayout | undefined;
}

function parseWeightLayout(text: string | undefined): WeightLayout | undefined {
  if (text !== undefined && !WEIGHT_LAYOUTS.includes(text as WeightLayout)) {
    throw new UsageError(
      `--weight-layout must be one of ${WEIGHT_LAYOUTS.join(', ')}, got '${text}'`,
    );
  }
  return text as WeightLayout | undefined;
}

/**
 * Runs `fixtures generate` and returns the line it prints.
 *
 * @example
 * ```ts
 * await runFixturesGenerate('out/golden', { suite: 'golden', force: true });
 * ```
 */
export async function runFixturesGenerate(
  dir: string,
  options: GenerateCommandOptions,
): Promise<string> {
  const result = await generateFixtures({
    outDir: dir,
    suite: parseSuite(options.suite),
    seed: integer('--seed', options.seed),
    count: integer('--count', options.count),
    ops: parseOps(options.ops),
    force: options.force ?? false,
    layout: parseLayout(options.layout),
    weightLayout: parseWeightLayout(options.weightLayout),
    ...(options.dtype !== undefined ? { dtype: parseStorageDtype(options.dtype) } : {}),
  });
  const m = result.manifest;
  const stored = m.layout === undefined ? '' : `, layouts ${m.layout}/${m.weightLayout}`;
  return `fixtures: wrote ${m.cases.length} case(s), ${result.tensorFiles} .npy file(s), ${result.bytes} bytes to ${dir} (suite ${m.generator.suite}, seed ${m.generator.seed}${stored})`;
}

/** The ops an --impl-cmd program declares (`fixtures verify --ops`), conv always implied. */
function programOps(text: string | undefined): OpName[] | undefined {
  if (text === undefined) return undefined;
  const names = text.split(',').map((s) => s.trim());
  const bad = names.find((n) => !isOpName(n));
  if (bad !== undefined)
    throw new UsageError(`--ops: '${bad}' is not one of ${OP_NAMES.join(', ')}`);
  return declaredOps(names as OpName[]);
}

/** The --builtin names (checked when opened), refused beside --impl or --impl-cmd. */
function builtinNames(options: VerifyCommandOptions): string[] | undefined {
  if (options.builtin === undefined) return undefined;
  if ((options.impl ?? options.kernel ?? options.implCmd ?? options.cmd) !== undefined) {
    throw new UsageError('fixtures verify: give --builtin, --impl or --impl-cmd, not two of them');
  }
  const names = options.builtin.split(',').map((n) => n.trim());
  const bad = names.find((n) => !BUILTIN_NAMES.includes(n));
  if (bad !== undefined) {
    throw new UsageError(`--builtin must name one of ${BUILTIN_NAMES.join(', ')}, got '${bad}'`);
  }
  return names;
}

/** Opens the host named by --impl or --impl-cmd; HostStartError becomes a UsageError (exit 2). */
async function openHost(options: VerifyCommandOptions): Promise<KernelHost | undefined> {
  const impl = options.impl ?? options.kernel;
  const implCmd = options.implCmd ?? options.cmd;
  if (impl !== undefined && implCmd !== undefined) {
    throw new UsageError('fixtures verify: give --impl or --impl-cmd, not both');
  }
  for (const [flag, value] of [
    ['--impl', impl],
    ['--impl-cmd', implCmd],
  ] as const) {
    if (value !== undefined && value.trim() === '') {
      throw new UsageError(`fixtures verify: ${flag} must not be empty, got '${value}'`);
    }
  }
  const dtype = KERNEL_DTYPES.find((d) => d === (options.dtype ?? 'float32'));
  if (dtype === undefined) {
    throw new UsageError(
      `fixtures verify: --dtype must be ${KERNEL_DTYPES.join(', ')}, got '${options.dtype}'`,
    );
  }
  const ops = programOps(options.ops);
  if (ops !== undefined && implCmd === undefined) {
    throw new UsageError(
      'fixtures verify: --ops declares the ops of an --impl-cmd program (a module declares its own by its methods)',
    );
  }
  try {
    if (impl !== undefined) return await openModuleHost(resolve(impl));
    if (implCmd !== undefined) {
      return await openCommandHost(implCmd, { dtype, ...(ops ? { ops } : {}) });
    }
  } catch (e) {
    if (e instanceof HostStartError) throw new UsageError(`fixtures verify: ${e.message}`);
    throw e;
  }
  return undefined;
}

/**
 * Runs `fixtures verify` and returns the report, its rendering and the exit code.
 *
 * @example
 * ```ts
 * const { text, exitCode } = await runFixturesVerify('fixtures/golden', {});
 * ```
 */
export async function runFixturesVerify(
  dir: string,
  options: VerifyCommandOptions,
): Promise<{ report: VerifyReport; text: string; json: string; exitCode: 0 | 1 }> {
  const timeoutMs = integer('--timeout-ms', options.timeoutMs ?? options.timeout);
  if (timeoutMs !== undefined && (timeoutMs < 1 || timeoutMs > MAX_TIMER_MS)) {
    throw new UsageError(
      `--timeout-ms must be in [1, ${MAX_TIMER_MS}] ms, got '${options.timeoutMs ?? options.timeout}'`,
    );
  }
  const builtins = builtinNames(options);
  const host = await openHost(options);
  try {
    const report = await verifyFixtures({
      dir,
      host: host ?? 'builtin',
      timeoutMs,
      ...(builtins ? { builtins } : {}),
    });
    const text = formatVerifyReport(report, options.verbose ?? false);
    return { report, text, json: JSON.stringify(report, null, 2), exitCode: report.exitCode };
  } finally {
    await host?.close();
  }
}

/**
 * Registers `fixtures generate` and `fixtures verify` on the program.
 *
 * @example
 * ```ts
 * registerFixtures(program); // in scripts/cli.ts
 * ```
 */
export function registerFixtures(program: Command): void {
  const fixtures = program
    .command('fixtures')
    .description('generate or verify portable regression fixtures (manifest.json + .npy)');
  fixtures
    .command('generate')
    .description('write a fixture directory atomically (deterministic for a seed and version)')
    .argument('[dir]', 'directory to create (or --out)')
    .option('--out <dir>', 'directory to create')
    .option('--suite <name>', `one of ${FIXTURE_SUITES.join(', ')}`, 'golden')
    .option('--seed <n>', 'seed of problems and data (default 20261127)')
    .option('--count <n>', 'number of cases of a random suite')
    .option('--ops <list>', `comma-separated subset of ${FIXTURE_OPS.join(',')}`)
    .option('--force', 'replace an existing directory (atomically)')
    .option('--layout <layout>', 'store input, output and magnitude as nchw (default) or nhwc')
    .option('--weight-layout <layout>', 'store conv weights as oihw (default), ohwi, hwio or ihwo')
    .option(
      '--dtype <dtype>',
      'storage of conv operands: float32 (default), float16 (<f2) or bfloat16 (<u2 + manifest storage)',
    )
    .action(async (dir: string | undefined, options: GenerateCommandOptions & { out?: string }) => {
      if (dir !== undefined && options.out !== undefined && dir !== options.out) {
        throw new UsageError(
          `fixtures generate: give the directory once (got '${dir}' and --out '${options.out}')`,
        );
      }
      const target = dir ?? options.out;
      if (target === undefined) throw new UsageError('fixtures generate: --out <dir> is required');
      process.stdout.write(`${await runFixturesGenerate(target, options)}\n`);
    });
  fixtures
    .command('verify')
    .description(
      'check integrity, then replay every case (default: the oracle and built-in kernels); exit 0 ok, 1 failed, 2 could not run',
    )
    .argument('<dir>', 'fixture directory')
    .option('--impl <module>', 'check this kernel module (default export: a ConvKernel)')
    .option('--impl-cmd <command>', 'check a kernel program speaking the subprocess protocol')
    .option(
      '--builtin <names>',
      'replay on these built-in kernels (as check --builtin names them, comma-separated) instead of the oracle and default built-ins',
    )
    .option(
      '--dtype <dtype>',
      'dtype of an --impl-cmd program: float32 (default), float64, float16 or bfloat16',
    )
    .addOption(new Option('--kernel <module>', 'alias of --impl').hideHelp())
    .addOption(new Option('--cmd <command>', 'alias of --impl-cmd').hideHelp())
    .option(
      '--ops <list>',
      `ops an --impl-cmd program implements, comma-separated: ${OP_NAMES.join(',')} (default conv; cases of other ops are skipped)`,
    )
    .option('--timeout-ms <ms>', 'per-case kernel time limit (default 10000)')
    .addOption(new Option('--timeout <ms>', 'alias of --timeout-ms').hideHelp())
    .option('--json <file>', JSON_OPTION_HELP)
    .option('--verbose', 'also list skipped cases')
    .action(async (dir: string, options: VerifyCommandOptions) => {
      const { text, json, exitCode } = await runFixturesVerify(dir, options);
      if (!toStdout(options.json)) process.stdout.write(`${text}\n`);
      writeOutput(options.json, `${json}\n`);
      process.exitCode = exitCode;
    });
}
