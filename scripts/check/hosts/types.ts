/**
 * The one interface the harness uses for every kernel, built-in or foreign: a
 * trusted in-process kernel, a JS/TS module isolated in a child process, or a
 * program in any language speaking the subprocess protocol (docs/protocol.md).
 */

import type { QuantizedCase } from '../../../properties/quantized/case.ts';
import type { QuantizedOperands } from '../../../properties/quantized/data.ts';
import type { HalfDType } from '../../../reference/float16.ts';
import type { ConvProblem, DType, FloatArray, PaddingRule } from '../../../reference/index.ts';
import type { KernelLayouts } from '../../../reference/layout.ts';
import type { OpName } from '../../../reference/ops.ts';
import type { QuantizedSignature } from '../../../reference/quantized-kernel.ts';

/**
 * What one case produced. Every misbehaviour of a kernel (a throw, a timeout, a
 * crash, an exit, garbage, a wrong length or type) is an `error` outcome: the
 * run goes on with the next case.
 *
 * @example
 * ```ts
 * const r = await host.run(p, x, w, b, 5_000);
 * if (r.kind === 'output') compare(r.output, expected);
 * else if (r.kind === 'unsupported') skip(r.reason);
 * else fail(r.message);
 * ```
 */
export type RunOutcome<Output = FloatArray> =
  | {
      kind: 'output';
      /** [batch, outChannels, ...outputSize], of the host's dtype and the geometry's length. */
      output: Output;
      /** Names of the operands ('input', 'weight', 'bias') the kernel wrote into. */
      mutatedInputs: string[];
      /** Wall-clock milliseconds of the kernel call (see each host for what it covers). */
      ms: number;
    }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'error'; message: string };

/**
 * A kernel as the harness sees it. Calls are serialized: a host runs one case at
 * a time, whatever the caller does.
 *
 * `run` rejects only for a harness bug (operands of the wrong dtype or length,
 * an invalid problem), never for anything the kernel does. `supports` rejects
 * when the kernel's own `supports()` throws, times out or answers something
 * other than `true` or a string; the harness records that as an error.
 *
 * @example
 * ```ts
 * const host = await openModuleHost('my-kernel.ts');
 * try {
 *   const ok = await host.supports(p);
 *   if (ok === true) console.log(await host.run(p, x, w, undefined, 5_000));
 * } finally {
 *   await host.close();
 * }
 * ```
 */
export interface KernelHost {
  /** The kernel's `name` (module and in-process hosts) or the given/command name. */
  readonly name: string;
  /**
   * Element type of every array passed to and returned by `run`: the kernel's
   * dtype, or float32 for a 16-bit storage kernel (the values it stores).
   */
  readonly dtype: DType;
  /**
   * The 16-bit storage type of a kernel declared 'float16' or 'bfloat16', absent
   * otherwise. `run` takes values of that type (reference/storage.ts rounds them)
   * and returns the kernel's patterns decoded: the host encodes at the kernel call.
   */
  readonly storage?: HalfDType;
  /** The padding rule the kernel declares ('zeros' unless it declares 'skip-taps'). */
  readonly padding: PaddingRule;
  /**
   * The layouts the kernel declares. `run` still takes and returns canonical
   * NCHW/OIHW arrays: the host transposes at the kernel call.
   */
  readonly layouts: KernelLayouts;
  /** The kernel declares it does not support non-finite data (`finiteOnly`); absent means false. */
  readonly finiteOnly?: boolean;
  /**
   * The ops the kernel implements (reference/ops.ts): a module's contract
   * methods, a program's declared `--ops`; 'conv' first, except for a built-in
   * kernel of the quantized ops only (im2col-int8, ort-int8, torch-int8).
   */
  readonly ops: readonly OpName[];
  /** How the quantized ops run, when the kernel implements any ({@link QuantizedHostPart}). */
  readonly quantized?: QuantizedHostPart;
  /** Whether the kernel takes problem `p` posed for `op` (default 'conv'). */
  supports(p: ConvProblem, op?: OpName): Promise<true | string>;
  /**
   * Runs `op` (default 'conv') on its operands in call order, carried in the
   * slots `input`, `weight`, `bias` (for conv-backward-data: the output
   * gradient in `input`; for conv-backward-weights: the output gradient in
   * `weight`; reference/ops.ts names them).
   */
  run(
    p: ConvProblem,
    input: FloatArray,
    weight: FloatArray,
    bias: FloatArray | undefined,
    timeoutMs: number,
    op?: OpName,
  ): Promise<RunOutcome>;
  /** Stops every process of the host; idempotent. */
  close(): Promise<void>;
}

/**
 * The quantized ops (ONNX ConvInteger, QLinearConv) through a host: their
 * operands are 8-bit and 32-bit integers and float32 scales, not the float
 * slots of {@link KernelHost.run}. The output is whatever came back (the
 * quantized judge checks its type); `mutatedInputs` names x, w or bias.
 *
 * @example
 * ```ts
 * const r = await host.quantized!.run(c, materializeQuantizedCase(c), 5_000);
 * ```
 */
export interface QuantizedHostPart {
  /** Whether the kernel takes the case (its `supportsQuantized`, or the program's answer). */
  supports(s: QuantizedSignature): Promise<true | string>;
  run(
    c: QuantizedCase,
    operands: QuantizedOperands,
    timeoutMs: number,
  ): Promise<RunOutcome<unknown>>;
}

/**
 * Thrown by the `open…Host` functions when the kernel cannot be used at all: a
 * missing module, a default export that breaks the contract, a command that does
 * not start. The CLI turns it into exit code 2.
 *
 * @example
 * ```ts
 * try { await openModuleHost('nope.js'); } catch (e) {
 *   if (e instanceof HostStartError) console.error(e.target, e.message);
 * }
 * ```
 */
export class HostStartError extends Error {
  override readonly name = 'HostStartError';
  constructor(
    /** The module path or command line that failed. */
    readonly target: string,
    message: string,
  ) {
    super(`${target}: ${message}`);
  }
}
