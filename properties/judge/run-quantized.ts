/**
 * Runs an in-process quantized kernel on a case and judges the result: the
 * sequence of run.ts (decline, snapshot, run, detect writes, judge) for the
 * quantized operators.
 */
import type { QuantizedKernel } from '../../reference/quantized-kernel.ts';
import type { QuantizedCase } from '../quantized/case.ts';
import type { QuantizedOperands } from '../quantized/data.ts';
import { type CaseOutcome, type DataSource, earlyOutcome } from './judge.ts';
import {
  copyQuantizedOperands,
  judgeQuantizedCase,
  writtenQuantizedOperands,
} from './quantized.ts';

/** Calls the kernel's method for the case's operator (it may scribble on the operands). */
export async function callQuantizedKernel(
  kernel: QuantizedKernel,
  c: QuantizedCase,
  o: QuantizedOperands,
): Promise<unknown> {
  if (o.op === 'conv-integer') {
    return kernel.convInteger!(c.problem, o.x, o.w, o.xZeroPoint, o.wZeroPoint);
  }
  return kernel.qlinearConv!(c.problem, o.x, o.w, o.params, o.bias);
}

/** The reason a kernel does not run a case, or true when it does. */
export function quantizedSupport(kernel: QuantizedKernel, c: QuantizedCase): true | string {
  const method = c.op === 'conv-integer' ? kernel.convInteger : kernel.qlinearConv;
  if (!method) return `${kernel.name} does not implement ${c.op}`;
  return kernel.supportsQuantized?.(c) ?? true;
}

/**
 * Declines, runs and judges one quantized case; a throw is an error outcome.
 *
 * @example
 * ```ts
 * const outcome = await runAndJudgeQuantized(im2colInt8Kernel, c, materializeQuantizedCase(c));
 * outcome.verdict; // 'pass' | 'fail' | 'skip' | 'error'
 * ```
 */
export async function runAndJudgeQuantized(
  kernel: QuantizedKernel,
  c: QuantizedCase,
  operands: QuantizedOperands,
  source: DataSource = 'generated',
): Promise<CaseOutcome> {
  const support = quantizedSupport(kernel, c);
  if (support !== true) return earlyOutcome('skip', support);
  const before = copyQuantizedOperands(operands);
  let output: unknown;
  try {
    output = await callQuantizedKernel(kernel, c, operands);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return earlyOutcome('error', `the kernel threw: ${message}`);
  }
  return judgeQuantizedCase({
    problem: c.problem,
    operands: before,
    output,
    written: writtenQuantizedOperands(before, operands),
    source,
  });
}
