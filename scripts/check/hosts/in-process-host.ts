/**
 * Hosts a trusted kernel (a built-in one) in the harness's own process: no
 * isolation, but the same contract, output and mutation checks as the
 * isolating hosts, so every kernel is judged the same way.
 */
import type { AnyConvKernel, ConvProblem } from '../../../reference/index.ts';
import { layoutsOf } from '../../../reference/layout.ts';
import { implementedOps } from '../../../reference/ops.ts';
import type { QuantizedKernel } from '../../../reference/quantized-kernel.ts';
import { askSupports, checkKernelContract } from './kernel-contract.ts';
import { inProcessQuantized, quantizedOpsOf } from './quantized-in-process.ts';
import { runKernelCase } from './run-case.ts';
import { serialHost } from './serial-host.ts';
import { HostStartError, type KernelHost } from './types.ts';

/**
 * Wraps a kernel object as a {@link KernelHost}. The timeout only stops the
 * harness from waiting on an async `conv` that never settles; synchronous code
 * cannot be interrupted in-process (a trusted kernel is assumed to terminate;
 * untrusted code belongs in {@link openModuleHost}). `ms` covers the `conv` call.
 *
 * Rejects with {@link HostStartError} if the object breaks the contract.
 *
 * @example
 * ```ts
 * const host = await openInProcessHost({ name: 'ref', dtype: 'float64', conv: referenceConv });
 * const r = await host.run(p, x, w, undefined, 5_000);
 * ```
 */
export async function openInProcessHost(kernel: AnyConvKernel): Promise<KernelHost> {
  const checked = checkKernelContract(kernel);
  if ('violation' in checked) {
    throw new HostStartError(`in-process kernel ${String(kernel?.name)}`, checked.violation);
  }
  const dtype = kernel.dtype ?? 'float32';
  return serialHost({
    name: kernel.name,
    dtype,
    padding: kernel.padding ?? 'zeros',
    layouts: layoutsOf(kernel),
    finiteOnly: kernel.finiteOnly === true,
    ops: implementedOps(kernel),
    async supports(problem: ConvProblem, op): Promise<true | string> {
      const answer = askSupports(kernel, problem, op);
      if ('error' in answer) throw new Error(answer.error);
      return answer.answer;
    },
    run: (problem, operands, timeoutMs, op) =>
      runKernelCase(kernel, dtype, problem, operands, { timeoutMs, op }),
    // A kernel object that also has convInteger or qlinearConv (the quantized contract).
    ...(quantizedOpsOf(kernel as QuantizedKernel).length > 0
      ? { quantized: inProcessQuantized(kernel as QuantizedKernel) }
      : {}),
    async close(): Promise<void> {},
  });
}
