/**
 * Hosts a trusted quantized kernel (a built-in QuantizedKernel: im2col-int8,
 * ort-int8) in the harness's own process, as in-process-host.ts hosts a float
 * one: the same copies, time limit and write detection as the module host's
 * child (quantized-case.ts), so every kernel is judged the same way.
 */
import { CANONICAL_LAYOUTS } from '../../../reference/layout.ts';
import type { OpName } from '../../../reference/ops.ts';
import { QUANTIZED_OPS, type QuantizedKernel } from '../../../reference/quantized-kernel.ts';
import { askSupportsQuantized, runQuantizedOnCopies } from './quantized-case.ts';
import { SerialQueue } from './serial-queue.ts';
import type { KernelHost, QuantizedHostPart } from './types.ts';

/**
 * The ops a kernel object implements among the quantized ones.
 *
 * @example
 * ```ts
 * quantizedOpsOf(im2colInt8Kernel); // ['conv-integer', 'qlinear-conv']
 * ```
 */
export function quantizedOpsOf(kernel: QuantizedKernel): OpName[] {
  return QUANTIZED_OPS.filter(
    (op) => typeof (op === 'conv-integer' ? kernel.convInteger : kernel.qlinearConv) === 'function',
  );
}

/**
 * The quantized part of a host for a kernel object run in this process, its
 * calls served one at a time.
 *
 * @example
 * ```ts
 * const part = inProcessQuantized(im2colInt8Kernel);
 * await part.run(c, materializeQuantizedCase(c), 5_000);
 * ```
 */
export function inProcessQuantized(kernel: QuantizedKernel): QuantizedHostPart {
  const queue = new SerialQueue();
  return {
    supports: (s) =>
      queue.run(async () => {
        const answer = askSupportsQuantized(kernel, s);
        if ('error' in answer) throw new Error(answer.error);
        return answer.answer;
      }),
    run: (c, operands, timeoutMs) =>
      queue.run(async () => (await runQuantizedOnCopies(kernel, c, operands, timeoutMs)).outcome),
  };
}

/**
 * A host for a kernel of the quantized ops only: its `ops` are those it
 * implements (no 'conv'), and a conv case is declined with that reason (the
 * networks suite, a --problem conv descriptor).
 *
 * @example
 * ```ts
 * const host = openQuantizedInProcessHost(im2colInt8Kernel);
 * host.ops; // ['conv-integer', 'qlinear-conv']
 * ```
 */
export function openQuantizedInProcessHost(kernel: QuantizedKernel): KernelHost {
  const ops = quantizedOpsOf(kernel);
  const reason = `${kernel.name} implements the quantized ops only (${ops.join(', ')})`;
  return {
    name: kernel.name,
    // Nominal: no float operand ever reaches this host (its conv declines every case).
    dtype: 'float32',
    padding: 'zeros',
    layouts: CANONICAL_LAYOUTS,
    ops,
    supports: async () => reason,
    run: async () => ({ kind: 'unsupported', reason }),
    quantized: inProcessQuantized(kernel),
    close: async () => {},
  };
}
