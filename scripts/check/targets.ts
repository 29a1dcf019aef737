/**
 * Opens the kernels a check run targets: the built-in kernels in process, a JS
 * module in a child process, or a program over the subprocess protocol.
 */

import { resolve } from 'node:path';
import type { PaddingRule } from '../../reference/index.ts';
import {
  ACTIVATION_LAYOUTS,
  type KernelLayouts,
  layoutsOf,
  WEIGHT_LAYOUTS,
} from '../../reference/layout.ts';
import { declaredOps, type OpName } from '../../reference/ops.ts';
import { KERNEL_DTYPES, type KernelDType } from '../../reference/storage.ts';
import { UsageError } from '../cli-error.ts';
import { shellQuote } from '../shell-quote.ts';
import { DEFAULT_BUILTINS, openBuiltin } from './builtins.ts';
import {
  defaultTolerance,
  defaultToleranceFor,
  parseToleranceChoice,
  type ToleranceChoice,
  toleranceForBuiltin,
} from './evaluate.ts';
import { openBrowserHost, openCommandHost, openModuleHost } from './hosts/index.ts';
import type { CheckTarget } from './runner.ts';

/** What the command line selected. */
export interface TargetOptions {
  impl?: string;
  implCmd?: string;
  dtype?: string;
  /** The padding rule an --impl-cmd program declares: 'zeros' (default) or 'skip-taps'. */
  padding?: string;
  /** The input/output layout an --impl-cmd program declares: 'nchw' (default) or 'nhwc'. */
  layout?: string;
  /** The weight layout an --impl-cmd program declares: 'oihw' (default), 'ohwi', 'hwio', 'ihwo'. */
  weightLayout?: string;
  /** An --impl-cmd program declares it does not support non-finite data (--finite-only). */
  finiteOnly?: boolean;
  tolerance?: string;
  /** Comma-separated built-in kernel names (see builtins.ts). */
  builtin?: string;
  /** Run the --impl module in headless Chromium with a GPUDevice (--browser). */
  browser?: boolean;
  /** The ops an --impl-cmd program implements (--ops), besides conv. */
  ops?: readonly OpName[];
}

function parsePadding(text: string | undefined): PaddingRule {
  if (text === undefined || text === 'zeros') return 'zeros';
  if (text === 'skip-taps') return 'skip-taps';
  throw new UsageError(`--padding must be zeros or skip-taps, got '${text}'`);
}

function parseChoice<T extends string>(flag: string, allowed: readonly T[], text: string): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`${flag} must be ${allowed.join(', ')}; got '${text}'`);
}

/**
 * The flags that name an --impl-cmd program and everything it declares, for
 * repro lines (the CLI's and checkKernel's alike).
 *
 * @example
 * ```ts
 * commandImplFlags('python3 k.py', 'float32', 'zeros', { layout: 'nhwc', weightLayout: 'oihw' });
 * // "--impl-cmd 'python3 k.py' --layout nhwc"
 * ```
 */
export function commandImplFlags(
  command: string,
  dtype: KernelDType,
  padding: PaddingRule,
  layouts: KernelLayouts,
  finiteOnly = false,
): string {
  return (
    `--impl-cmd ${shellQuote(command)}` +
    (dtype !== 'float32' ? ` --dtype ${dtype}` : '') +
    (padding === 'skip-taps' ? ' --padding skip-taps' : '') +
    (layouts.layout !== 'nchw' ? ` --layout ${layouts.layout}` : '') +
    (layouts.weightLayout !== 'oihw' ? ` --weight-layout ${layouts.weightLayout}` : '') +
    (finiteOnly ? ' --finite-only' : '')
  );
}

/**
 * The layouts a command program declares (--layout, --weight-layout), checked:
 * a UsageError names the flag and the value.
 *
 * @example
 * ```ts
 * parseLayouts({ layout: 'nhwc' }); // { layout: 'nhwc', weightLayout: 'oihw' }
 * ```
 */
export function parseLayouts(options: { layout?: string; weightLayout?: string }): KernelLayouts {
  return layoutsOf({
    ...(options.layout !== undefined
      ? { layout: parseChoice('--layout', ACTIVATION_LAYOUTS, options.layout) }
      : {}),
    ...(options.weightLayout !== undefined
      ? { weightLayout: parseChoice('--weight-layout', WEIGHT_LAYOUTS, options.weightLayout) }
      : {}),
  });
}

/** Refuses the options that only a command's declaration may carry. */
function refuseCommandOnly(options: TargetOptions, why: string): void {
  if (options.padding !== undefined)
    throw new UsageError(`--padding applies to --impl-cmd only; ${why} its padding`);
  if (options.layout !== undefined || options.weightLayout !== undefined)
    throw new UsageError(
      `--layout and --weight-layout apply to --impl-cmd only; ${why} its layouts`,
    );
  if (options.finiteOnly)
    throw new UsageError(`--finite-only applies to --impl-cmd only; ${why} finiteOnly`);
}

function parseDtype(text: string | undefined): KernelDType {
  if (text === undefined) return 'float32';
  const dtype = KERNEL_DTYPES.find((d) => d === text);
  if (dtype !== undefined) return dtype;
  throw new UsageError(`--dtype must be ${KERNEL_DTYPES.join(', ')}; got '${text}'`);
}

async function builtinTargets(
  names: string[],
  tolerance: ToleranceChoice | undefined,
): Promise<CheckTarget[]> {
  const targets: CheckTarget[] = [];
  try {
    for (const name of names) {
      const host = await openBuiltin(name);
      targets.push({
        host,
        implFlags: `--builtin ${name}`,
        tolerance: tolerance ?? defaultToleranceFor(host, toleranceForBuiltin(name)),
      });
    }
  } catch (e) {
    await Promise.all(targets.map((t) => t.host.close()));
    throw e;
  }
  return targets;
}

/**
 * Opens every target of a run. Throws HostStartError (exit 2) when a module or
 * command cannot be used, and UsageError for bad option values.
 *
 * @example
 * ```ts
 * const targets = await openTargets({ impl: 'my-kernel.mjs' });
 * ```
 */
export async function openTargets(options: TargetOptions): Promise<CheckTarget[]> {
  const tolerance =
    options.tolerance === undefined ? undefined : parseToleranceChoice(options.tolerance);
  const chosen = [options.impl, options.implCmd, options.builtin].filter((x) => x !== undefined);
  if (chosen.length > 1) throw new UsageError('give only one of --impl, --impl-cmd and --builtin');
  if (options.browser && options.impl === undefined) {
    throw new UsageError('--browser applies only with --impl (a .js/.mjs WebGPU module)');
  }
  if (options.impl !== undefined) {
    if (options.dtype !== undefined)
      throw new UsageError('--dtype applies to --impl-cmd only; a module declares its dtype');
    refuseCommandOnly(options, 'a module declares');
    const host = options.browser
      ? await openBrowserHost(resolve(options.impl))
      : await openModuleHost(resolve(options.impl));
    return [
      {
        host,
        implFlags: `--impl ${shellQuote(options.impl)}${options.browser ? ' --browser' : ''}`,
        // Judged as itself: a kernel's self-chosen name never picks a model or a domain.
        // A page's kernel runs WGSL: judged by what WGSL allows unless told otherwise.
        tolerance:
          tolerance ??
          defaultToleranceFor(
            host,
            options.browser ? parseToleranceChoice('wgsl') : defaultTolerance(),
          ),
      },
    ];
  }
  if (options.implCmd !== undefined) {
    const dtype = parseDtype(options.dtype);
    const padding = parsePadding(options.padding);
    const layouts = parseLayouts(options);
    const finiteOnly = options.finiteOnly === true;
    const host = await openCommandHost(options.implCmd, {
      dtype,
      padding,
      layouts,
      finiteOnly,
      ...(options.ops ? { ops: declaredOps(options.ops) } : {}),
    });
    const flags = commandImplFlags(options.implCmd, dtype, padding, layouts, finiteOnly);
    return [
      {
        host,
        implFlags: flags,
        tolerance: tolerance ?? defaultToleranceFor(host, defaultTolerance()),
      },
    ];
  }
  refuseCommandOnly(options, 'a built-in kernel declares');
  const names =
    options.builtin === undefined
      ? DEFAULT_BUILTINS
      : options.builtin.split(',').map((s) => s.trim());
  return builtinTargets(names, tolerance);
}
