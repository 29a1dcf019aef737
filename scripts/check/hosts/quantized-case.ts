/**
 * Runs one quantized case (ONNX ConvInteger, QLinearConv) of a JS kernel, the
 * way run-case.ts runs a float one: on private copies of the operands, within
 * the time limit, a throw an error outcome, and the operands the kernel wrote
 * into named. Used in the harness's own process for the built-in quantized
 * kernels and inside the module host's child, so both give the same messages.
 * The output's type and values are the quantized judge's to check
 * (properties/judge/quantized.ts).
 */
import type { QuantizedCase } from '../../../properties/quantized/case.ts';
import {
  copyQuantizedOperands,
  type QuantizedOperands,
  writtenQuantizedOperands,
} from '../../../properties/quantized/data.ts';
import type { QuantizedKernel, QuantizedSignature } from '../../../reference/quantized-kernel.ts';
import { describeValue, errorText } from './kernel-contract.ts';
import { settleWithin, TIMED_OUT } from './run-case.ts';
import type { RunOutcome } from './types.ts';

/** The contract method of an op. */
const methodOf = (op: QuantizedSignature['op']) =>
  op === 'conv-integer' ? 'convInteger' : 'qlinearConv';

/**
 * Whether a kernel takes a case: false when it lacks the op's method; its
 * `supportsQuantized` answer otherwise (absent: true). A throw, or an answer
 * other than true or a string, is `{ error }`.
 *
 * @example
 * ```ts
 * askSupportsQuantized(im2colInt8Kernel, c); // { answer: true }
 * ```
 */
export function askSupportsQuantized(
  kernel: QuantizedKernel,
  s: QuantizedSignature,
): { answer: true | string } | { error: string } {
  const method = methodOf(s.op);
  if (typeof kernel[method] !== 'function') {
    return { answer: `the kernel does not implement ${s.op} (no ${method} method)` };
  }
  if (kernel.supportsQuantized === undefined) return { answer: true };
  let answer: unknown;
  try {
    answer = kernel.supportsQuantized(s);
  } catch (e) {
    return { error: `supportsQuantized() threw: ${errorText(e)}` };
  }
  if (answer === true || typeof answer === 'string') return { answer };
  return {
    error: `supportsQuantized() returned ${describeValue(answer)}; it must return true or a reason string`,
  };
}

/**
 * Calls the kernel's method for the case on copies of its operands: the output
 * (any value; the judge checks it) and the operands it wrote into, or an error
 * (a throw, or an async method that did not settle within `timeoutMs`).
 *
 * @example
 * ```ts
 * const { outcome } = await runQuantizedOnCopies(im2colInt8Kernel, c, operands, 5_000);
 * ```
 */
export async function runQuantizedOnCopies(
  kernel: QuantizedKernel,
  c: QuantizedCase,
  operands: QuantizedOperands,
  timeoutMs: number | undefined,
): Promise<{ outcome: RunOutcome<unknown>; used: QuantizedOperands }> {
  const used = copyQuantizedOperands(operands);
  const method = methodOf(c.op);
  const error = (message: string) => ({ outcome: { kind: 'error', message } as const, used });
  const started = performance.now();
  let result: unknown;
  try {
    const call =
      used.op === 'conv-integer'
        ? kernel.convInteger!(c.problem, used.x, used.w, used.xZeroPoint, used.wZeroPoint)
        : kernel.qlinearConv!(c.problem, used.x, used.w, used.params, used.bias);
    result = await settleWithin(call, timeoutMs);
  } catch (e) {
    return error(`${method} threw: ${errorText(e)}`);
  }
  if (result === TIMED_OUT) {
    return error(`${method} did not settle within ${timeoutMs} ms (timed out)`);
  }
  const ms = performance.now() - started;
  // Only a typed array crosses a process boundary intact; which one is the judge's to check.
  if (!ArrayBuffer.isView(result)) {
    return error(`${method} returned ${describeValue(result)}, expected a typed array`);
  }
  const mutatedInputs = writtenQuantizedOperands(operands, used);
  return { outcome: { kind: 'output', output: result, mutatedInputs, ms }, used };
}
