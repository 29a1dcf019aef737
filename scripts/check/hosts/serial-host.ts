/**
 * What every host shares, written once: `run` checks its operands (a wrong one
 * is a harness bug), calls are served one at a time in arrival order, a closed
 * host refuses calls, and `close` is idempotent. A host implements the rest as a
 * {@link HostCore} and is wrapped with {@link serialHost}.
 */
import type { ConvProblem, DType, FloatArray, PaddingRule } from '../../../reference/index.ts';
import { CANONICAL_LAYOUTS, type KernelLayouts } from '../../../reference/layout.ts';
import { type CaseOperands, checkRunOperands, runInKernelLayout } from './run-case.ts';
import { SerialQueue } from './serial-queue.ts';
import type { KernelHost, RunOutcome } from './types.ts';

/** The part of a host that differs between hosts; called one at a time. */
export interface HostCore {
  readonly name: string;
  readonly dtype: DType;
  /** The padding rule the kernel declares ('zeros' unless it declares 'skip-taps'). */
  readonly padding: PaddingRule;
  /** The layouts the kernel declares; absent means canonical (NCHW, OIHW). */
  readonly layouts?: KernelLayouts;
  /** The kernel declares it does not support non-finite data; absent means false. */
  readonly finiteOnly?: boolean;
  supports(problem: ConvProblem): Promise<true | string>;
  /**
   * Receives operands already checked against the problem and the dtype, in the
   * kernel's declared layouts; its output is in the kernel's layout too.
   */
  run(problem: ConvProblem, operands: CaseOperands, timeoutMs: number): Promise<RunOutcome>;
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
  return {
    name: core.name,
    dtype: core.dtype,
    padding: core.padding,
    layouts,
    finiteOnly: core.finiteOnly === true,
    supports: (problem) => whileOpen(() => core.supports(problem)),
    async run(
      problem: ConvProblem,
      input: FloatArray,
      weight: FloatArray,
      bias: FloatArray | undefined,
      timeoutMs: number,
    ): Promise<RunOutcome> {
      const operands = { input, weight, bias };
      checkRunOperands(core.dtype, problem, operands);
      return whileOpen(() =>
        runInKernelLayout(problem, operands, layouts, (kernelOperands) =>
          core.run(problem, kernelOperands, timeoutMs),
        ),
      );
    },
    // Not queued: closing must stop a kernel that is looping in the call in flight.
    close() {
      closing ??= core.close();
      return closing;
    },
  };
}
