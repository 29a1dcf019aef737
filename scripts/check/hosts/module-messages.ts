/**
 * The messages between the module host and its child process, over Node's IPC
 * channel with 'advanced' serialization (typed arrays cross as typed arrays).
 */

import type { QuantizedCase } from '../../../properties/quantized/case.ts';
import type { QuantizedOperands } from '../../../properties/quantized/data.ts';
import type { ConvProblem, PaddingRule } from '../../../reference/index.ts';
import type { KernelLayouts } from '../../../reference/layout.ts';
import type { OpName } from '../../../reference/ops.ts';
import type { QuantizedSignature } from '../../../reference/quantized-kernel.ts';
import type { KernelArray, KernelDType } from '../../../reference/storage.ts';
import type { SupportsAnswer } from './kernel-contract.ts';
import type { KernelOperands } from './run-case.ts';
import type { RunOutcome } from './types.ts';

/** Host → child. One request is in flight at a time; `id` pairs it with its reply. */
export type HostMessage =
  | { type: 'supports'; id: number; problem: ConvProblem; op: OpName }
  | {
      type: 'run';
      id: number;
      op: OpName;
      problem: ConvProblem;
      input: KernelArray;
      weight: KernelArray;
      bias: KernelArray | undefined;
    }
  | { type: 'quantized-supports'; id: number; signature: QuantizedSignature }
  | { type: 'quantized-run'; id: number; c: QuantizedCase; operands: QuantizedOperands };

/** Child → host. */
export type ChildMessage =
  /** The module loaded and its default export honours the contract. */
  | {
      type: 'ready';
      name: string;
      dtype: KernelDType;
      padding: PaddingRule;
      layouts: KernelLayouts;
      /** The ops whose contract methods the default export has. */
      ops: OpName[];
      finiteOnly: boolean;
      hasSupports: boolean;
    }
  /** The module could not be imported, or its default export breaks the contract. */
  | { type: 'load-error'; message: string }
  | { type: 'supports-reply'; id: number; answer: SupportsAnswer }
  /**
   * `used`: the operand copies the kernel worked on, as it left them; the host
   * compares them with its own (the child's verdict could be forged by the kernel).
   */
  | { type: 'run-reply'; id: number; outcome: RunOutcome<KernelArray>; used?: KernelOperands }
  | { type: 'quantized-supports-reply'; id: number; answer: SupportsAnswer }
  /** `used`: as for run-reply, the quantized operand copies as the kernel left them. */
  | {
      type: 'quantized-run-reply';
      id: number;
      outcome: RunOutcome<unknown>;
      used?: QuantizedOperands;
    }
  /** Something went wrong outside any call, e.g. an unhandled promise rejection. */
  | { type: 'fault'; message: string };
