/**
 * What every host shares, written once: `run` checks its operands (a wrong one
 * is a harness bug), calls are served one at a time in arrival order, a closed
 * host refuses calls, and `close` is idempotent. A host implements the rest as a
 * {@link HostCore} and is wrapped with {@link serialHost}.
 */
import type { ConvProblem, FloatArray, PaddingRule } from '../../../reference/index.ts';
import { CANONICAL_LAYOUTS, isCanonical, type KernelLayouts } from '../../../reference/layout.ts';
import type { OpName } from '../../../reference/ops.ts';
import {
  hostDType,
  type KernelArray,
  type KernelDType,
  storageOf,
} from '../../../reference/storage.ts';
import {
  checkRunOperands,
  type KernelOperands,
  runInKernelLayout,
  runInKernelStorage,
} from './run-case.ts';
import { SerialQueue } from './serial-queue.ts';
import type { KernelHost, QuantizedHostPart, RunOutcome } from './types.ts';

/** The part of a host that differs between hosts; called one at a time. */
export interface HostCore {
  readonly name: string;
  /** The kernel's own dtype: 16-bit storage kernels get and give `Uint16Array`s. */
  readonly dtype: KernelDType;
  /** The padding rule the kernel declares ('zeros' unless it declares 'skip-taps'). */
  readonly padding: PaddingRule;
  /** The layouts the kernel declares; absent means canonical (NCHW, OIHW). */
  readonly layouts?: KernelLayouts;
  /** The kernel declares it does not support non-finite data; absent means false. */
  readonly finiteOnly?: boolean;
  /** The ops the kernel implements; absent means conv only. */
  readonly ops?: readonly OpName[];
  supports(problem: ConvProblem, op: OpName): Promise<true | string>;
  /** The quantized ops, when the kernel implements any (served on the same queue). */
  readonly quantized?: QuantizedHostPart;
  /**
   * Receives operands already checked against the problem and the dtype, in the
   * kernel's declared layouts (conv; other ops canonical) and dtype (16-bit
   * patterns for a storage kernel); its output is in the same layout and dtype.
   */
  run(
    problem: ConvProblem,
    operands: KernelOperands,
    timeoutMs: number,
    op: OpName,
  ): Promise<RunOutcome<KernelArray>>;
  /** Stops every process of the host; called once. */
  close(): Promise<void>;
}

/**
 * Wraps a {@link HostCore} as a {@link KernelHost}: operand checks, the layout
 * boundary (canonical operands in, canonical output out: see
 * {@link runInKernelLayout}), a FIFO queue, the closed state.
 *
 * @example
 * ```ts
 * const host = serialHost({ name: 'k', dtype: 'float32', supports, run, close });
 * await Promise.all([host.run(p, x, w, undefined, 1_000), host.run(q, x2, w2, b2, 1_000)]);
 * ```
 */
export function serialHost(core: HostCore): KernelHost {
  const queue = new SerialQueue();
  let closing: Promise<void> | undefined;
  const whileOpen = <T>(task: () => Promise<T>): Promise<T> =>
    queue.run(async () => {
      if (closing !== undefined) throw new Error(`kernel host '${core.name}' is closed`);
      return task();
    });
  const layouts = core.layouts ?? CANONICAL_LAYOUTS;
  const dtype = hostDType(core.dtype);
  const storage = storageOf(core.dtype);
  return {
    name: core.name,
    dtype,
    ...(storage ? { storage } : {}),
    padding: core.padding,
    layouts,
    finiteOnly: core.finiteOnly === true,
    ops: core.ops ?? ['conv'],
    supports: (problem, op = 'conv') =>
      whileOpen(async () => {
        // conv too: a kernel of the quantized ops only has none.
        if (!(core.ops ?? ['conv']).includes(op)) return `the kernel does not implement ${op}`;
        // A declared layout and a 16-bit storage are the forward conv's: the other ops travel canonical.
        if (op !== 'conv' && !isCanonical(layouts)) {
          return `${op} is checked in NCHW/OIHW only; the kernel declares ${layouts.layout}/${layouts.weightLayout}`;
        }
        if (op !== 'conv' && storage)
          return `${op} is checked in float32/float64 only, not ${storage}`;
        return core.supports(problem, op);
      }),
    async run(
      problem: ConvProblem,
      input: FloatArray,
      weight: FloatArray,
      bias: FloatArray | undefined,
      timeoutMs: number,
      op: OpName = 'conv',
    ): Promise<RunOutcome> {
      const operands = { input, weight, bias };
      checkRunOperands(dtype, problem, operands, op);
      if (op !== 'conv') {
        return whileOpen(() => core.run(problem, operands, timeoutMs, op) as Promise<RunOutcome>);
      }
      return whileOpen(() =>
        runInKernelLayout(problem, operands, layouts, (inLayout) =>
          runInKernelStorage(inLayout, core.dtype, (stored) =>
            core.run(problem, stored, timeoutMs, 'conv'),
          ),
        ),
      );
    },
    ...(core.quantized ? { quantized: queuedQuantized(core.quantized, whileOpen) } : {}),
    // Not queued: closing must stop a kernel that is looping in the call in flight.
    close() {
      closing ??= core.close();
      return closing;
    },
  };
}

/** A host's quantized part on the host's queue: one call at a time, refused once closed. */
function queuedQuantized(
  part: QuantizedHostPart,
  whileOpen: <T>(task: () => Promise<T>) => Promise<T>,
): QuantizedHostPart {
  return {
    supports: (s) => whileOpen(() => part.supports(s)),
    run: (c, operands, timeoutMs) => whileOpen(() => part.run(c, operands, timeoutMs)),
  };
}
