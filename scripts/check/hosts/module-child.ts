/**
 * The module host's child process (started through module-child.mjs): imports
 * the kernel module named in argv[2], checks its default export against the
 * contract, then answers the host's requests one at a time. Everything a
 * hostile kernel can do here (loop, exit, crash) costs only this process.
 */
import { pathToFileURL } from 'node:url';
import type { AnyConvKernel } from '../../../reference/index.ts';
import { layoutsOf } from '../../../reference/layout.ts';
import { implementedOps } from '../../../reference/ops.ts';
import type { QuantizedKernel } from '../../../reference/quantized-kernel.ts';
import type { KernelArray } from '../../../reference/storage.ts';
import { askSupports, checkKernelContract, errorText } from './kernel-contract.ts';
import type { ChildMessage, HostMessage } from './module-messages.ts';
import { askSupportsQuantized, runQuantizedOnCopies } from './quantized-case.ts';
import { type KernelOperands, runKernelOnCopies } from './run-case.ts';
import type { RunOutcome } from './types.ts';

// Bound before the kernel is imported, so a kernel that reassigns process.send
// cannot cut the channel.
const sendToHost = process.send?.bind(process);
if (sendToHost === undefined) throw new Error('module-child: must be started with an IPC channel');
const send = (message: ChildMessage): void => {
  sendToHost(message);
};

// A stray rejection belongs to the case in flight: report it rather than crash.
process.on('unhandledRejection', (reason) => {
  send({ type: 'fault', message: `unhandled promise rejection: ${errorText(reason)}` });
});
// The host is gone: leave even if the kernel left timers or handles behind.
process.on('disconnect', () => process.exit(0));

const kernel = await loadKernel(process.argv[2] ?? '');
if (kernel !== undefined) {
  process.on('message', (message: HostMessage) => {
    void answer(kernel, message).then(send);
  });
  send({
    type: 'ready',
    name: kernel.name,
    dtype: kernel.dtype ?? 'float32',
    padding: kernel.padding ?? 'zeros',
    layouts: layoutsOf(kernel),
    ops: implementedOps(kernel),
    finiteOnly: kernel.finiteOnly === true,
    hasSupports: kernel.supports !== undefined,
  });
}

async function loadKernel(modulePath: string): Promise<AnyConvKernel | undefined> {
  let namespace: { default?: unknown };
  try {
    namespace = await import(pathToFileURL(modulePath).href);
  } catch (e) {
    send({ type: 'load-error', message: `cannot import the module: ${errorText(e)}` });
    return undefined;
  }
  const checked = checkKernelContract(namespace.default);
  if ('violation' in checked) {
    send({ type: 'load-error', message: checked.violation });
    return undefined;
  }
  return checked.kernel;
}

async function answer(kernel: AnyConvKernel, message: HostMessage): Promise<ChildMessage> {
  if (message.type === 'quantized-supports' || message.type === 'quantized-run') {
    return answerQuantized(kernel as unknown as QuantizedKernel, message);
  }
  if (message.type === 'supports') {
    return {
      type: 'supports-reply',
      id: message.id,
      answer: askSupports(kernel, message.problem, message.op),
    };
  }
  let outcome: RunOutcome<KernelArray>;
  let used: KernelOperands | undefined;
  try {
    const { problem, input, weight, bias, op } = message;
    ({ outcome, used } = await runKernelOnCopies(
      kernel,
      kernel.dtype ?? 'float32',
      problem,
      { input, weight, bias },
      { op },
    ));
  } catch (e) {
    outcome = { kind: 'error', message: `kernel process: ${errorText(e)}` };
  }
  return { type: 'run-reply', id: message.id, outcome, ...(used ? { used } : {}) };
}

/** The quantized ops' requests (quantized-case.ts: the same run as in the harness's process). */
async function answerQuantized(
  kernel: QuantizedKernel,
  message: Extract<HostMessage, { type: 'quantized-supports' | 'quantized-run' }>,
): Promise<ChildMessage> {
  if (message.type === 'quantized-supports') {
    const answer = askSupportsQuantized(kernel, message.signature);
    return { type: 'quantized-supports-reply', id: message.id, answer };
  }
  try {
    const { outcome, used } = await runQuantizedOnCopies(
      kernel,
      message.c,
      message.operands,
      undefined,
    );
    return { type: 'quantized-run-reply', id: message.id, outcome, used };
  } catch (e) {
    const outcome = { kind: 'error', message: `kernel process: ${errorText(e)}` } as const;
    return { type: 'quantized-run-reply', id: message.id, outcome };
  }
}
