/**
 * Judges one case: materializes its data, asks the kernel (through its host),
 * and compares with the oracle under the kernel's tolerance model. Every
 * misbehaviour becomes a verdict with a reason; nothing here throws for what a
 * kernel does.
 */
import type { ConvProblemConstraints } from '../../properties/arbitraries/convProblem.ts';
import { type ConvCase, type DataKind, materializeConvCase } from '../../properties/data.ts';
import { formatComparison } from '../../properties/report.ts';
import {
  type BoundModel,
  type Comparison,
  compareConvOutput,
  magnitudeFor,
} from '../../properties/tolerance.ts';
import { winogradModel } from '../../properties/winogradModel.ts';
import { type FloatArray, referenceConv } from '../../reference/index.ts';
import { UsageError } from '../cli-error.ts';
import type { KernelHost } from './hosts/index.ts';

/** How a kernel is judged: the bound model per data kind, and where to generate. */
export interface ToleranceChoice {
  /** Name shown in reports, e.g. 'dot-product' or 'winograd-f4'. */
  name: string;
  /** The bound model for a problem and data kind. */
  modelFor(problem: ConvCase['problem'], data: DataKind): BoundModel;
  /** Extra generator constraints so that most cases are in the kernel's domain. */
  constraints: Partial<ConvProblemConstraints>;
}

/** The verdict of one case, with what a report needs. */
export interface CaseOutcome {
  verdict: 'pass' | 'fail' | 'skip' | 'error';
  /** One line: the skip reason, or why it failed or errored. */
  message: string;
  /** Multi-line report for failures. */
  details: string;
  /** Largest |error| / bound (0 when exact or not compared). */
  boundRatio: number;
  comparison?: Comparison;
  /** The case's tensors and the oracle's answer, for saving counterexamples. */
  operands?: { input: FloatArray; weight: FloatArray; bias?: FloatArray };
  reference?: Float64Array;
  magnitude?: Float64Array;
  model?: BoundModel;
}

const direct = (exactOnExactData: boolean): ToleranceChoice => ({
  name: exactOnExactData ? 'dot-product (bit-exact on exact data)' : 'dot-product',
  modelFor: (_p, data) =>
    exactOnExactData && data === 'exact' ? { kind: 'exact' } : { kind: 'dot-product' },
  constraints: {},
});

const winograd = (m: number): ToleranceChoice => ({
  name: `winograd-f${m}`,
  modelFor: (p) => winogradModel(m, p.kernelSize),
  // Winograd kernels take stride 1, dilation 1, 1-D and 2-D: generate there.
  constraints: { maxStride: 1, maxDilation: 1, dims: [1, 2] },
});

/**
 * The tolerance for a --tolerance value: 'exact-data' (default: dot-product,
 * bit-exact on exact data), 'dot-product', 'winograd-f2' or 'winograd-f4'.
 *
 * @example
 * ```ts
 * parseToleranceChoice('winograd-f4').name; // 'winograd-f4'
 * ```
 */
export function parseToleranceChoice(text: string): ToleranceChoice {
  const m = /^winograd-f(\d)$/.exec(text);
  if (m) return winograd(Number(m[1]));
  if (text === 'dot-product') return direct(false);
  if (text === 'exact-data' || text === 'default') return direct(true);
  throw new UsageError(
    `--tolerance must be exact-data, dot-product, winograd-f2 or winograd-f4, got '${text}'`,
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
  const m = /^winograd-f(\d)$/.exec(builtinName);
  if (m) return winograd(Number(m[1]));
  const domain = KNOWN_DOMAINS[builtinName];
  return domain ? { ...direct(true), constraints: domain } : direct(true);
}

/** Where built-in peers work, so generated cases land inside their domain. */
const KNOWN_DOMAINS: Record<string, Partial<ConvProblemConstraints>> = {
  // scipy.signal.correlate2d / convolve2d: one 2-D plane, one kernel, stride 1.
  scipy: {
    dims: [2],
    maxBatch: 1,
    allowGroups: false,
    maxChannelsPerGroup: 1,
    maxStride: 1,
    maxDilation: 1,
    networkLayers: false,
  },
};

/** The line a report carries when the kernel is judged by a declared padding rule. */
export function paddingNote(host: Pick<KernelHost, 'padding'>): string {
  return host.padding === 'skip-taps'
    ? "padding rule: 'skip-taps' (declared by the kernel): taps in the padding are left out, so 0·∞ there is not NaN"
    : '';
}

function verdictOnly(verdict: CaseOutcome['verdict'], message: string): CaseOutcome {
  return { verdict, message, details: '', boundRatio: 0 };
}

function bitwiseEqual(a: FloatArray, b: FloatArray): boolean {
  if (a.length !== b.length || a.constructor !== b.constructor) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Options of {@link evaluateCase}. */
export interface EvaluateOptions {
  timeoutMs: number;
  /** Run the kernel twice and require bitwise-identical outputs. */
  checkDeterminism: boolean;
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
  let supported: true | string;
  try {
    supported = await host.supports(c.problem);
  } catch (e) {
    return verdictOnly('error', (e as Error).message);
  }
  if (supported !== true) return verdictOnly('skip', supported);

  const operands = materializeConvCase(c, host.dtype);
  const first = await host.run(
    c.problem,
    operands.input,
    operands.weight,
    operands.bias,
    options.timeoutMs,
  );
  if (first.kind === 'unsupported') return verdictOnly('skip', first.reason);
  if (first.kind === 'error') return verdictOnly('error', first.message);
  if (first.mutatedInputs.length > 0) {
    return verdictOnly(
      'error',
      `the kernel wrote into its inputs: ${first.mutatedInputs.join(', ')}`,
    );
  }
  const model = tolerance.modelFor(c.problem, c.data);
  // A kernel that declares 'skip-taps' is judged by that rule, never silently by the default.
  const reference = referenceConv(
    c.problem,
    operands.input,
    operands.weight,
    operands.bias,
    host.padding,
  );
  const magnitude = magnitudeFor(c.problem, operands, model, host.dtype, host.padding);
  const comparison = compareConvOutput({
    problem: c.problem,
    got: first.output,
    reference,
    magnitude,
    dtype: host.dtype,
    model,
  });
  const saved = { operands, reference, magnitude, model, comparison };
  if (comparison.verdict !== 'pass') {
    return {
      verdict: comparison.verdict,
      message: comparison.reason ?? 'mismatch',
      details: [paddingNote(host), formatComparison(c.problem, comparison)]
        .filter((s) => s !== '')
        .join('\n'),
      boundRatio: comparison.maxBoundRatio,
      ...saved,
    };
  }
  if (options.checkDeterminism) {
    const again = await host.run(
      c.problem,
      operands.input,
      operands.weight,
      operands.bias,
      options.timeoutMs,
    );
    if (again.kind !== 'output' || !bitwiseEqual(first.output, again.output)) {
      return {
        verdict: 'error',
        message: 'nondeterministic: a second run on the same inputs gave a different result',
        details:
          again.kind === 'output'
            ? ''
            : `second run: ${again.kind === 'error' ? again.message : again.reason}`,
        boundRatio: comparison.maxBoundRatio,
        ...saved,
      };
    }
  }
  return {
    verdict: 'pass',
    message: '',
    details: '',
    boundRatio: comparison.maxBoundRatio,
    ...saved,
  };
}
