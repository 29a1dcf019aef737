/**
 * Runs one case for the CLI: materializes its data, asks the kernel (through
 * its host), and hands what came back to the judge (properties/judge/judge.ts),
 * which decides the verdict exactly as for the vitest suite, `fixtures verify`
 * and the peer tests. Every misbehaviour becomes a verdict with a reason;
 * nothing here throws for what a kernel does.
 *
 * Over 300 lines, on purpose: the tolerance choice (flag, dtype, storage class, built-in) and
 * the case run that applies it; the choice could move to its own file once the 16-bit storage
 * work settles.
 */
import type { ConvProblemConstraints } from '../../properties/arbitraries/convProblem.ts';
import {
  type ConvCase,
  type ConvOperands,
  type DataKind,
  materializeConvCase,
} from '../../properties/data.ts';
import { type CaseOutcome, earlyOutcome, judgeCase } from '../../properties/judge/judge.ts';
import { caseOp, materializeOpCase } from '../../properties/ops.ts';
import {
  PRECISION_MODEL_NAMES,
  type PrecisionModelName,
  STORAGE_CLASS,
} from '../../properties/precision/models.ts';
import type { QuantizedCaseConstraints } from '../../properties/quantized/case.ts';
import type { BoundModel } from '../../properties/tolerance.ts';
import { winogradModel } from '../../properties/winogradModel.ts';
import { sameValues } from '../../reference/float.ts';
import type { HalfDType } from '../../reference/float16.ts';
import type { ConvProblem } from '../../reference/index.ts';
import { isHalfDType, type KernelDType } from '../../reference/storage.ts';
import { UsageError } from '../cli-error.ts';
import { BUILTIN_DOMAINS } from './builtin-domains.ts';
import type { KernelHost } from './hosts/index.ts';

export type { CaseOutcome } from '../../properties/judge/judge.ts';

/** How a kernel is judged: the bound model per data kind, and where to generate. */
export interface ToleranceChoice {
  /** Name shown in reports, e.g. 'dot-product' or 'winograd-f4'. */
  name: string;
  /** The kernel's accuracy claim for a problem and data kind. */
  modelFor(problem: ConvCase['problem'], data: DataKind): BoundModel;
  /** Whether a dot-product kernel must be bit-exact on exact data (the judge's rule 3). */
  exactOnExactData: boolean;
  /** Extra generator constraints so that most cases are in the kernel's domain. */
  constraints: Partial<ConvProblemConstraints>;
  /** Moves each generated problem into a built-in library's border convention (builtin-domains.ts). */
  fitProblem?: (p: ConvProblem) => ConvProblem;
  /** Where a quantized built-in's cases are generated (its types, modes, ranks). */
  quantized?: QuantizedCaseConstraints;
}

const direct = (exactOnExactData: boolean): ToleranceChoice => ({
  name: exactOnExactData ? 'dot-product (bit-exact on exact data)' : 'dot-product',
  modelFor: () => ({ kind: 'dot-product' }),
  exactOnExactData,
  constraints: {},
});

const winograd = (m: number): ToleranceChoice => ({
  name: `winograd-f${m}`,
  modelFor: (p) => winogradModel(m, p.kernelSize),
  exactOnExactData: false,
  // Winograd kernels take stride 1, dilation 1, 1-D and 2-D: generate there.
  constraints: { maxStride: 1, maxDilation: 1, dims: [1, 2] },
});

/** A reduced-precision class of the ladder as the pass criterion (`--tolerance tf32`, …). */
const precisionClass = (name: PrecisionModelName): ToleranceChoice => ({
  name,
  modelFor: () => ({ kind: 'precision', name }),
  // A reduced-precision kernel rounds even exact data: the class's bound applies there too.
  exactOnExactData: false,
  constraints: {},
});

/**
 * How a 16-bit storage kernel is judged when --tolerance is not given: its
 * storage class (fp16-acc32 or bf16-acc32: float32 accumulation, the result
 * rounded to the storage type) on operands already stored, and bit-exact on
 * exact data, which stays inside the storage type's exact range
 * (reference/storage.ts exactLimit).
 *
 * @example
 * ```ts
 * storageTolerance('float16').name; // 'fp16-acc32 (float16 storage; bit-exact on exact data)'
 * ```
 */
export function storageTolerance(storage: HalfDType): ToleranceChoice {
  const name = STORAGE_CLASS[storage];
  return {
    name: `${name} (${storage} storage; bit-exact on exact data)`,
    modelFor: () => ({ kind: 'precision', name, operandsStored: true }),
    exactOnExactData: true,
    constraints: {},
  };
}

/**
 * The tolerance of a target when --tolerance is not given: a 16-bit storage
 * kernel's storage class, else `fallback` (the dot-product default, a
 * built-in's own model, WGSL for a page).
 *
 * @example
 * ```ts
 * defaultToleranceFor(host, defaultTolerance());
 * ```
 */
export function defaultToleranceFor(
  host: Pick<KernelHost, 'storage'>,
  fallback: ToleranceChoice,
): ToleranceChoice {
  return host.storage ? storageTolerance(host.storage) : fallback;
}

/**
 * WGSL f32 kernels (the browser host's default): a dot product with what WGSL
 * allows beyond IEEE float32 (properties/tolerance/bounds.ts, docs/tolerance.md).
 */
const wgsl: ToleranceChoice = {
  name: 'wgsl (WGSL f32: either rounding, subnormals may flush, finite math; bit-exact on exact data)',
  modelFor: () => ({ kind: 'wgsl' }),
  exactOnExactData: true,
  constraints: {},
};

/**
 * FFT kernels: the norm-wise FFT bound per output plane (properties/tolerance/fft.ts).
 * An FFT rounds even exact data, so there is no bit-exact rule.
 */
const fft: ToleranceChoice = {
  name: 'fft (norm-wise FFT error bound per output plane)',
  modelFor: () => ({ kind: 'fft' }),
  exactOnExactData: false,
  constraints: {},
};

/**
 * The tolerance for a --tolerance value: 'exact-data' or 'fp32' (default:
 * dot-product, bit-exact on exact data), 'dot-product', 'wgsl', 'winograd-f2',
 * 'winograd-f4', or a reduced-precision class of the ladder ('tf32',
 * 'fp16-acc32', 'bf16-acc32', 'fp16-acc16'; docs/tolerance.md).
 *
 * @example
 * ```ts
 * parseToleranceChoice('winograd-f4').name; // 'winograd-f4'
 * parseToleranceChoice('tf32').modelFor(p, 'real'); // { kind: 'precision', name: 'tf32' }
 * ```
 */
export function parseToleranceChoice(text: string): ToleranceChoice {
  const m = /^winograd-f(\d)$/.exec(text);
  if (m) return winograd(Number(m[1]));
  if (text === 'dot-product') return direct(false);
  if (text === 'wgsl') return wgsl;
  if (text === 'fft') return fft;
  if (text === 'exact-data' || text === 'default' || text === 'fp32') return direct(true);
  const precision = PRECISION_MODEL_NAMES.find((n) => n === text);
  if (precision !== undefined) return precisionClass(precision);
  throw new UsageError(
    `--tolerance must be exact-data, dot-product, wgsl, fft, winograd-f2, winograd-f4 or one of ${PRECISION_MODEL_NAMES.join(', ')}, got '${text}'`,
  );
}

/**
 * How a kernel is judged when --tolerance is not given: the dot-product model,
 * bit-exact on exact data, over every generated problem. Every kernel passed
 * with --impl or --impl-cmd is judged this way, whatever it calls itself.
 *
 * @example
 * ```ts
 * defaultTolerance().name; // 'dot-product (bit-exact on exact data)'
 * ```
 */
export function defaultTolerance(): ToleranceChoice {
  return direct(true);
}

/**
 * The default tolerance of a built-in kernel (--builtin) by its built-in name:
 * Winograd models for our Winograd kernels, known domains for peers such as
 * scipy, and {@link defaultTolerance} for the rest. Never applied to a kernel's
 * self-chosen name: a third-party kernel called 'winograd-f4' is judged like any other.
 *
 * @example
 * ```ts
 * toleranceForBuiltin('im2col').name; // 'dot-product (bit-exact on exact data)'
 * ```
 */
export function toleranceForBuiltin(builtinName: string): ToleranceChoice {
  // The SIMD variants round like the JS ones (float32 stages) and share their model.
  const m = /^winograd-f(\d)(?:-simd)?$/.exec(builtinName);
  if (m) return winograd(Number(m[1]));
  const domain = BUILTIN_DOMAINS[builtinName];
  if (!domain) return direct(true);
  return {
    ...(domain.tolerance === 'fft' ? fft : direct(true)),
    constraints: domain.constraints,
    ...(domain.fitProblem ? { fitProblem: domain.fitProblem } : {}),
    ...(domain.quantized ? { quantized: domain.quantized } : {}),
  };
}

/** Why a finite-only kernel's special-data cases are skipped (one text, so reports can count it). */
export const FINITE_ONLY_REASON =
  'the kernel declares finiteOnly: it does not support non-finite data (NaN, ±Inf), so special data is not run';

/** The line a report carries when the kernel is judged by a declared padding rule. */
export function paddingNote(host: Pick<KernelHost, 'padding'>): string {
  return host.padding === 'skip-taps'
    ? "padding rule: 'skip-taps' (declared by the kernel): taps in the padding are left out, so 0·∞ there is not NaN"
    : '';
}

/** Options of {@link evaluateCase}. */
export interface EvaluateOptions {
  timeoutMs: number;
  /** Run the kernel twice and require bitwise-identical outputs. */
  checkDeterminism: boolean;
  /** Compute the oracle at every output even above the sampling threshold (`--full`). */
  full?: boolean;
  /** Judge the case under every rung of the precision ladder (the real-data profile). */
  profile?: boolean;
}

/**
 * Runs and judges one case.
 *
 * @example
 * ```ts
 * const outcome = await evaluateCase(host, { problem, data: 'real', dataSeed: 7 }, tolerance, { timeoutMs: 5000, checkDeterminism: false });
 * ```
 */
export async function evaluateCase(
  host: KernelHost,
  c: ConvCase,
  tolerance: ToleranceChoice,
  options: EvaluateOptions,
): Promise<CaseOutcome> {
  if (c.data === 'special' && host.finiteOnly) return earlyOutcome('skip', FINITE_ONLY_REASON);
  const op = caseOp(c);
  let supported: true | string;
  try {
    supported = await host.supports(c.problem, op);
  } catch (e) {
    return earlyOutcome('error', (e as Error).message);
  }
  if (supported !== true) return earlyOutcome('skip', supported);

  // A 16-bit kernel's data is made in its storage type: the oracle reads what it stores.
  const operands = caseOperands(c, host.storage ?? host.dtype);
  const claimed = tolerance.modelFor(c.problem, c.data);
  // Any precision class judges a storage kernel's operands as stored: rounding them is no error.
  const model =
    host.storage && claimed.kind === 'precision' ? { ...claimed, operandsStored: true } : claimed;
  const run = () =>
    host.run(c.problem, operands.input, operands.weight, operands.bias, options.timeoutMs, op);
  const first = await run();
  if (first.kind === 'unsupported') return earlyOutcome('skip', first.reason);
  if (first.kind === 'error') return earlyOutcome('error', first.message);
  const conv = op === 'conv';
  const outcome = judgeCase({
    op,
    problem: c.problem,
    dtype: host.dtype,
    ...(host.storage ? { storage: host.storage } : {}),
    operands,
    output: first.output,
    written: first.mutatedInputs,
    model,
    exactOnExactData: tolerance.exactOnExactData,
    data: c.data,
    // Sampling and the precision profile are the forward conv's (the other ops' problems are small).
    ...(conv ? { sample: { seed: c.dataSeed, full: options.full === true } } : {}),
    // A kernel that declares 'skip-taps' is judged by that rule, never silently by the default.
    padding: host.padding,
    ...(options.profile && conv ? { profile: { operandsStored: host.storage !== undefined } } : {}),
    // Worst elements are printed in the order the kernel wrote them.
    layout: host.layouts.layout,
  });
  // The padding rule is the forward conv's: the other ops multiply no padding.
  if (outcome.verdict === 'fail' && conv && paddingNote(host) !== '') {
    return { ...outcome, details: `${paddingNote(host)}\n${outcome.details}` };
  }
  if (outcome.verdict !== 'pass' || !options.checkDeterminism) return outcome;
  const again = await run();
  // A second run that errs (a timeout, a crash) is that error, not a
  // difference: "nondeterministic" is said only of two outputs that differ.
  if (again.kind !== 'output') {
    return {
      ...outcome,
      verdict: 'error',
      message: `the second run (determinism check) ${
        again.kind === 'error'
          ? `failed: ${again.message}`
          : `answered unsupported: ${again.reason}`
      }`,
      details: '',
    };
  }
  // NaN signs and payloads are unspecified (reference/float.ts, sameValues).
  if (sameValues(first.output, again.output)) return outcome;
  return {
    ...outcome,
    verdict: 'error',
    message: 'nondeterministic: a second run on the same inputs gave a different result',
    details: '',
  };
}

/**
 * A case's operands in the host's slots: conv's input, weight, bias; another
 * op's operands in call order (properties/ops.ts) in the same three slots.
 *
 * @example
 * ```ts
 * caseOperands({ op: 'conv-backward-data', problem: p, data: 'exact', dataSeed: 1 }, 'float32').input; // dy
 * ```
 */
export function caseOperands(c: ConvCase, dtype: KernelDType): ConvOperands {
  if (caseOp(c) === 'conv') return materializeConvCase(c, dtype);
  // A 16-bit storage kernel has its other ops declined by its host: float32 data.
  const [input, weight, bias] = materializeOpCase(c, isHalfDType(dtype) ? 'float32' : dtype);
  return bias ? { input: input!, weight: weight!, bias } : { input: input!, weight: weight! };
}
