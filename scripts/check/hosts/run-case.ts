/**
 * Runs one case of a JS kernel and judges what came back: the output's type and
 * length, and whether the kernel wrote into its operands. Used in the harness's
 * own process for trusted kernels and inside the module host's child for
 * untrusted ones, so both are held to the same checks and messages.
 */

// Deep imports, not reference/index.ts: this runs in every kernel child process,
// which must not pay for loading mathjs (seconds on a busy machine).
import { checkConvOperands } from '../../../reference/conv.ts';
import { convGeometry } from '../../../reference/geometry.ts';
import type { ConvKernel, ConvProblem, DType, FloatArray } from '../../../reference/index.ts';
import {
  isCanonical,
  type KernelLayouts,
  operandsInLayout,
  outputFromLayout,
} from '../../../reference/layout.ts';
import { callKernelOp, OPS, type OpName, opEntry } from '../../../reference/ops.ts';
import { describeValue, errorText } from './kernel-contract.ts';
import type { RunOutcome } from './types.ts';

/** The operands of one case, in the kernel's dtype. */
export interface CaseOperands {
  input: FloatArray;
  weight: FloatArray;
  /** Present exactly when `problem.bias` is true. */
  bias: FloatArray | undefined;
}

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

const TYPED_ARRAY_OF: Record<DType, typeof Float32Array | typeof Float64Array> = {
  float32: Float32Array,
  float64: Float64Array,
};

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
  kernel: ConvKernel,
  dtype: DType,
  problem: ConvProblem,
  operands: CaseOperands,
  options: RunCaseOptions = {},
): Promise<RunOutcome> {
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
  kernel: ConvKernel,
  dtype: DType,
  problem: ConvProblem,
  operands: CaseOperands,
  options: RunCaseOptions = {},
): Promise<{ outcome: RunOutcome; used: CaseOperands }> {
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
    const operandList = bias ? [input, weight, bias] : [input, weight];
    const call =
      op === 'conv'
        ? kernel.conv(problem, input, weight, bias)
        : callKernelOp(kernel, op, problem, operandList);
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
  return { outcome: { kind: 'output', output: result as FloatArray, mutatedInputs, ms }, used };
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
  const expectedType = TYPED_ARRAY_OF[dtype];
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
  dtype: DType,
  outputLength: number,
  method = 'conv',
): string | undefined {
  const expectedType = TYPED_ARRAY_OF[dtype];
  if (!(value instanceof expectedType)) {
    return (
      `${method} returned ${describeValue(value)}; a ${dtype} kernel must return a ` +
      `${expectedType.name} of length ${outputLength}`
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
export function mutatedOperands(pristine: CaseOperands, used: CaseOperands): string[] {
  const names: string[] = [];
  if (!sameBytes(pristine.input, used.input)) names.push('input');
  if (!sameBytes(pristine.weight, used.weight)) names.push('weight');
  if (pristine.bias !== undefined && !sameBytes(pristine.bias, used.bias)) names.push('bias');
  return names;
}

function sameBytes(a: FloatArray, b: FloatArray | undefined): boolean {
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
