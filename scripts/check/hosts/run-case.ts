/**
 * Runs one case of a JS kernel and judges what came back: the output's type and
 * length, and whether the kernel wrote into its operands. Used in the harness's
 * own process for trusted kernels and inside the module host's child for
 * untrusted ones, so both are held to the same checks and messages.
 *
 * Over 300 lines, on purpose: one case's run in every setting (in process, in the child,
 * through storage and layout conversion) and its checks must give the same messages, so they
 * share one file.
 */

// Deep imports, not reference/index.ts: this runs in every kernel child process,
// which must not pay for loading mathjs (seconds on a busy machine).
import { checkConvOperands } from '../../../reference/conv.ts';
import { convGeometry } from '../../../reference/geometry.ts';
import type {
  AnyConvKernel,
  ConvKernel,
  ConvProblem,
  DType,
  FloatArray,
} from '../../../reference/index.ts';
import {
  isCanonical,
  type KernelLayouts,
  operandsInLayout,
  outputFromLayout,
} from '../../../reference/layout.ts';
import { callKernelOp, OPS, type OpName, opEntry } from '../../../reference/ops.ts';
import {
  fromKernelArray,
  isHalfDType,
  type KernelArray,
  type KernelDType,
  kernelArrayType,
  toKernelArray,
} from '../../../reference/storage.ts';
import { describeValue, errorText } from './kernel-contract.ts';
import type { RunOutcome } from './types.ts';

/** The operands of one case, in the host's dtype (float values). */
export interface CaseOperands {
  input: FloatArray;
  weight: FloatArray;
  /** Present exactly when `problem.bias` is true. */
  bias: FloatArray | undefined;
}

/** The operands of one case as the kernel gets them: 16-bit patterns for a storage kernel. */
export interface KernelOperands {
  input: KernelArray;
  weight: KernelArray;
  /** Present exactly when `problem.bias` is true. */
  bias: KernelArray | undefined;
}

/** `conv` of either kernel kind, called with arrays of the kernel's own dtype. */
type AnyConv = (
  p: ConvProblem,
  input: KernelArray,
  weight: KernelArray,
  bias?: KernelArray,
) => unknown;

/** Options of {@link runKernelCase}. */
export interface RunCaseOptions {
  /**
   * Gives up waiting for an async `conv` after this many milliseconds. It cannot
   * interrupt synchronous code: only a separate process can (the module host).
   */
  timeoutMs?: number;
  /** The op to run (reference/ops.ts); default 'conv'. */
  op?: OpName;
}

/**
 * Calls `kernel.conv` on private copies of the operands, then reports the
 * output, or an error naming what went wrong, and which operands were written.
 *
 * @example
 * ```ts
 * const r = await runKernelCase(kernel, 'float32', p, { input: x, weight: w, bias: undefined });
 * if (r.kind === 'output' && r.mutatedInputs.length > 0) warn(r.mutatedInputs);
 * ```
 */
export async function runKernelCase(
  kernel: AnyConvKernel,
  dtype: KernelDType,
  problem: ConvProblem,
  operands: KernelOperands,
  options: RunCaseOptions = {},
): Promise<RunOutcome<KernelArray>> {
  return (await runKernelOnCopies(kernel, dtype, problem, operands, options)).outcome;
}

/**
 * {@link runKernelCase}, also returning the copies the kernel worked on, as it
 * left them. The module host's child sends them back, so that the harness
 * decides in its own process, which kernel code never ran in, whether the
 * kernel wrote into its inputs.
 *
 * @example
 * ```ts
 * const { outcome, used } = await runKernelOnCopies(kernel, 'float32', p, operands);
 * ```
 */
export async function runKernelOnCopies(
  kernel: AnyConvKernel,
  dtype: KernelDType,
  problem: ConvProblem,
  operands: KernelOperands,
  options: RunCaseOptions = {},
): Promise<{ outcome: RunOutcome<KernelArray>; used: KernelOperands }> {
  const op = options.op ?? 'conv';
  const method = OPS[op].method;
  const outputLength =
    op === 'conv' ? convGeometry(problem).outputLength : opEntry(op).geometry(problem).outputLength;
  // The kernel gets copies, so the caller's arrays stay pristine for the
  // comparison below and for the oracle, whatever the kernel does.
  const input = operands.input.slice();
  const weight = operands.weight.slice();
  const bias = operands.bias?.slice();
  const used = { input, weight, bias };
  const error = (message: string) => ({ outcome: { kind: 'error', message } as const, used });
  const started = performance.now();
  let result: unknown;
  try {
    const call =
      op === 'conv'
        ? (kernel as { conv: AnyConv }).conv(problem, input, weight, bias)
        : callKernelOp(
            kernel as ConvKernel,
            op,
            problem,
            (bias ? [input, weight, bias] : [input, weight]) as FloatArray[],
          );
    result = await settleWithin(call, options.timeoutMs);
  } catch (e) {
    return error(`${method} threw: ${errorText(e)}`);
  }
  if (result === TIMED_OUT) {
    return error(
      `${method} did not settle within ${options.timeoutMs} ms (timed out; an in-process ` +
        'kernel cannot be interrupted and may still be running)',
    );
  }
  const ms = performance.now() - started;
  const wrongOutput = checkKernelOutput(result, dtype, outputLength, method);
  if (wrongOutput !== undefined) return error(wrongOutput);
  const mutatedInputs = mutatedOperands(operands, used);
  return { outcome: { kind: 'output', output: result as KernelArray, mutatedInputs, ms }, used };
}

/**
 * The storage boundary, the one place every host crosses it (next to the layout
 * boundary): encodes the float operands to a 16-bit kernel's patterns
 * (reference/storage.ts), runs `call` on them, and decodes the output back to
 * float32 values for the judge. float32 and float64 kernels pass through.
 *
 * @example
 * ```ts
 * const outcome = await runInKernelStorage(operands, 'float16', (stored) => core.run(p, stored, 5_000));
 * ```
 */
export async function runInKernelStorage(
  operands: CaseOperands,
  dtype: KernelDType,
  call: (stored: KernelOperands) => Promise<RunOutcome<KernelArray>>,
): Promise<RunOutcome> {
  const { input, weight, bias } = operands;
  const stored = {
    input: toKernelArray(input, dtype),
    weight: toKernelArray(weight, dtype),
    bias: bias && toKernelArray(bias, dtype),
  };
  const outcome = await call(stored);
  if (outcome.kind !== 'output') return outcome;
  // The host checked the output's type against the kernel's dtype already.
  return { ...outcome, output: fromKernelArray(outcome.output, dtype) };
}

/**
 * The layout boundary, the one place every host crosses it: transposes the
 * canonical operands (NCHW, OIHW) into the kernel's declared layouts, runs
 * `call` on them, and transposes an output back to NCHW for the judge, so the
 * oracle and the judge never see another layout. Canonical layouts pass through
 * untouched.
 *
 * @example
 * ```ts
 * const outcome = await runInKernelLayout(p, operands, { layout: 'nhwc', weightLayout: 'hwio' },
 *   (inLayout) => core.run(p, inLayout, 5_000));
 * ```
 */
export async function runInKernelLayout(
  problem: ConvProblem,
  operands: CaseOperands,
  layouts: KernelLayouts,
  call: (inLayout: CaseOperands) => Promise<RunOutcome>,
): Promise<RunOutcome> {
  if (isCanonical(layouts)) return call(operands);
  const outcome = await call(operandsInLayout(problem, operands, layouts));
  if (outcome.kind !== 'output') return outcome;
  return { ...outcome, output: outputFromLayout(problem, outcome.output, layouts.layout) };
}

/**
 * Guards a host's `run` against harness bugs: throws a TypeError unless every
 * operand is a typed array of the host's dtype with the geometry's length (bias
 * present exactly when `problem.bias`). Kernel misbehaviour is never thrown.
 *
 * @example
 * ```ts
 * checkRunOperands('float32', p, { input: x, weight: w, bias: undefined });
 * ```
 */
export function checkRunOperands(
  dtype: DType,
  problem: ConvProblem,
  operands: CaseOperands,
  op: OpName = 'conv',
): void {
  if (op === 'conv') {
    checkConvOperands(convGeometry(problem), operands.input, operands.weight, operands.bias);
  } else {
    const specs = opEntry(op).geometry(problem).operands;
    const given = [operands.input, operands.weight, operands.bias].filter((o) => o !== undefined);
    if (given.length !== specs.length) {
      throw new TypeError(`run(): ${op} takes ${specs.length} operands, got ${given.length}`);
    }
    specs.forEach((spec, i) => {
      const length = spec.shape.reduce((a, b) => a * b, 1);
      if (given[i]!.length !== length) {
        throw new TypeError(
          `run(): ${spec.name} has ${given[i]!.length} elements, expected ${length}`,
        );
      }
    });
  }
  const expectedType = kernelArrayType(dtype);
  for (const [name, value] of Object.entries(operands)) {
    if (value !== undefined && !(value instanceof expectedType)) {
      throw new TypeError(
        `run(): ${name} is ${describeValue(value)}, but the host computes in ${dtype} ` +
          `(expected a ${expectedType.name})`,
      );
    }
  }
}

/**
 * Why `value` is not a valid output for a kernel of `dtype` (its typed array of
 * exactly `outputLength` elements), or undefined when it is.
 *
 * @example
 * ```ts
 * checkKernelOutput([1, 2], 'float32', 2);
 * // 'conv returned a plain Array(2); a float32 kernel must return a Float32Array of length 2'
 * ```
 */
export function checkKernelOutput(
  value: unknown,
  dtype: KernelDType,
  outputLength: number,
  method = 'conv',
): string | undefined {
  const expectedType = kernelArrayType(dtype);
  if (!(value instanceof expectedType)) {
    const patterns = isHalfDType(dtype) ? ` of raw ${dtype} patterns` : '';
    return (
      `${method} returned ${describeValue(value)}; a ${dtype} kernel must return a ` +
      `${expectedType.name}${patterns} of length ${outputLength}`
    );
  }
  if (value.length !== outputLength) {
    return (
      `${method} returned ${expectedType.name}(${value.length}); expected length ${outputLength} ` +
      (method === 'conv' ? '(convGeometry(p).outputLength)' : "(the op's output length)")
    );
  }
  return undefined;
}

/**
 * Names of the operands whose bytes differ between `pristine` and `used`
 * (bitwise, so a rewritten NaN payload or a -0 counts).
 *
 * @example
 * ```ts
 * mutatedOperands({ input: x, weight: w, bias: undefined }, { input: x2, weight: w, bias: undefined });
 * // ['input'] when x2 differs from x
 * ```
 */
export function mutatedOperands(pristine: KernelOperands, used: KernelOperands): string[] {
  const names: string[] = [];
  if (!sameBytes(pristine.input, used.input)) names.push('input');
  if (!sameBytes(pristine.weight, used.weight)) names.push('weight');
  if (pristine.bias !== undefined && !sameBytes(pristine.bias, used.bias)) names.push('bias');
  return names;
}

function sameBytes(a: KernelArray, b: KernelArray | undefined): boolean {
  // What came back from a kernel's process may be anything: only a typed array
  // of the same byte length can be unchanged.
  if (!ArrayBuffer.isView(b) || b.byteLength !== a.byteLength) return false;
  const bytesA = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const bytesB = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return bytesA.equals(bytesB);
}

/** What {@link settleWithin} gives when the time ran out. */
export const TIMED_OUT = Symbol('timed out');

/** Awaits `value`, or gives up with TIMED_OUT after `timeoutMs` if it is a pending promise. */
export async function settleWithin<T>(
  value: T | Promise<T>,
  timeoutMs: number | undefined,
): Promise<T | typeof TIMED_OUT> {
  if (timeoutMs === undefined || !(value instanceof Promise)) return value;
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  try {
    return await Promise.race([value, expiry]);
  } finally {
    clearTimeout(timer);
  }
}
