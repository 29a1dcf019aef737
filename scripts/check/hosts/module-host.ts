/**
 * Runs an untrusted JS/TS kernel module in a child process, so that a kernel
 * that loops, exits, crashes or floods stdout costs one case, not the run.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writtenQuantizedOperands } from '../../../properties/quantized/data.ts';
import type { ConvProblem, PaddingRule } from '../../../reference/index.ts';
import type { KernelLayouts } from '../../../reference/layout.ts';
import { isFloatOp, OPS, type OpName } from '../../../reference/ops.ts';
import type { KernelArray, KernelDType } from '../../../reference/storage.ts';
import type { ChildMessage, HostMessage } from './module-messages.ts';
import { type KernelOperands, mutatedOperands } from './run-case.ts';
import { type HostCore, serialHost } from './serial-host.ts';
import { ChildSupervisor, type Settlement } from './supervisor.ts';
import { DEFAULT_TAIL_CHARS, TailBuffer } from './tail-buffer.ts';
import {
  HostStartError,
  type KernelHost,
  type QuantizedHostPart,
  type RunOutcome,
} from './types.ts';

/** Options of {@link openModuleHost}. */
export interface ModuleHostOptions {
  /** Time allowed for the child to start and import the module; default 30 000 ms. */
  startTimeoutMs?: number;
  /** Time allowed for one `supports()` call; default 10 000 ms. */
  supportsTimeoutMs?: number;
  /** Characters of the child's stdout and stderr kept for error messages; default 4096. */
  tailChars?: number;
  /** Working directory of the child; default the harness's. */
  cwd?: string;
}

const CHILD_ENTRY = fileURLToPath(new URL('./module-child.mjs', import.meta.url));

type ModuleSupervisor = ChildSupervisor<ChildMessage, ChildMessage>;
type Ready = Extract<ChildMessage, { type: 'ready' }>;

/**
 * Opens a kernel module (.js, .mjs or .ts; its default export is a ConvKernel)
 * in a child process. The child is killed on timeout and restarted lazily after
 * any death. `ms` in outcomes is measured in the child around `conv` alone.
 *
 * Rejects with {@link HostStartError} when the module is missing, cannot be
 * imported, or its default export breaks the contract.
 *
 * @example
 * ```ts
 * const host = await openModuleHost('docs/examples/naive-kernel.mjs');
 * const r = await host.run(p, x, w, undefined, 5_000);
 * await host.close();
 * ```
 */
export async function openModuleHost(
  path: string,
  options: ModuleHostOptions = {},
): Promise<KernelHost> {
  const modulePath = resolve(path);
  if (!existsSync(modulePath)) throw new HostStartError(path, `module not found (${modulePath})`);
  const started = await startChild(modulePath, options);
  if ('failure' in started) throw new HostStartError(path, started.failure);
  return serialHost(new ModuleHost(modulePath, started.value, options));
}

class ModuleHost implements HostCore {
  readonly name: string;
  readonly dtype: KernelDType;
  readonly padding: PaddingRule;
  readonly layouts: KernelLayouts;
  readonly ops: readonly OpName[];
  readonly finiteOnly: boolean;
  readonly quantized?: QuantizedHostPart;
  private readonly hasSupports: boolean;
  private nextId = 0;
  /** Why `supports()` is no longer called: it timed out once (a looping one costs every case). */
  private supportsGaveUp: string | undefined;

  constructor(
    private readonly modulePath: string,
    private current: { supervisor: ModuleSupervisor; ready: Ready },
    private readonly options: ModuleHostOptions,
  ) {
    this.name = current.ready.name;
    this.dtype = current.ready.dtype;
    this.padding = current.ready.padding;
    this.layouts = current.ready.layouts;
    this.ops = current.ready.ops;
    this.finiteOnly = current.ready.finiteOnly;
    this.hasSupports = current.ready.hasSupports;
    if (this.ops.some((op) => !isFloatOp(op))) this.quantized = this.quantizedPart();
  }

  /** The quantized ops, in the child as in process (quantized-case.ts); writes judged here. */
  private quantizedPart(): QuantizedHostPart {
    const timeoutMs = this.options.supportsTimeoutMs ?? 10_000;
    return {
      supports: async (signature) => {
        const message: HostMessage = { type: 'quantized-supports', id: 0, signature };
        const reply = await this.request(message, timeoutMs, 'supportsQuantized()');
        if ('failure' in reply) throw new Error(`supportsQuantized(): ${reply.failure}`);
        if (reply.value.type !== 'quantized-supports-reply') {
          throw new Error('supportsQuantized(): unexpected reply');
        }
        const answer = reply.value.answer;
        if ('error' in answer) throw new Error(answer.error);
        return answer.answer;
      },
      run: async (c, operands, runTimeoutMs) => {
        const method = c.op === 'conv-integer' ? 'convInteger' : 'qlinearConv';
        const message: HostMessage = { type: 'quantized-run', id: 0, c, operands };
        const reply = await this.request(message, runTimeoutMs, method);
        if ('failure' in reply) return { kind: 'error', message: reply.failure };
        if (reply.value.type !== 'quantized-run-reply') {
          return { kind: 'error', message: 'unexpected reply' };
        }
        const { outcome, used } = reply.value;
        if (outcome.kind !== 'output') return outcome;
        if (used === undefined) return { kind: 'error', message: 'the reply lacks the operands' };
        return { ...outcome, mutatedInputs: writtenQuantizedOperands(operands, used) };
      },
    };
  }

  async supports(problem: ConvProblem, op: OpName): Promise<true | string> {
    if (!this.hasSupports) return true;
    if (this.supportsGaveUp !== undefined) throw new Error(this.supportsGaveUp);
    const timeoutMs = this.options.supportsTimeoutMs ?? 10_000;
    const reply = await this.request(
      { type: 'supports', id: 0, problem, op },
      timeoutMs,
      'supports()',
    );
    if ('failure' in reply) {
      if (reply.failure.startsWith('supports() timed out')) {
        this.supportsGaveUp = `supports() timed out once (after ${timeoutMs} ms); it is not called again`;
      }
      throw new Error(`supports(): ${reply.failure}`);
    }
    if (reply.value.type !== 'supports-reply') throw new Error('supports(): unexpected reply');
    const answer = reply.value.answer;
    if ('error' in answer) throw new Error(answer.error);
    return answer.answer;
  }

  async run(
    problem: ConvProblem,
    { input, weight, bias }: KernelOperands,
    timeoutMs: number,
    op: OpName,
  ): Promise<RunOutcome<KernelArray>> {
    const message: HostMessage = { type: 'run', id: 0, op, problem, input, weight, bias };
    const reply = await this.request(message, timeoutMs, OPS[op].method);
    if ('failure' in reply) return { kind: 'error', message: reply.failure };
    if (reply.value.type !== 'run-reply') return { kind: 'error', message: 'unexpected reply' };
    const { outcome, used } = reply.value;
    if (outcome.kind !== 'output') return outcome;
    // Judged here, on arrays kernel code never touched: the child's own verdict
    // could be switched off by the kernel (e.g. by replacing Buffer.prototype.equals).
    if (used === undefined) return { kind: 'error', message: 'the reply lacks the operands' };
    return { ...outcome, mutatedInputs: mutatedOperands({ input, weight, bias }, used) };
  }

  async close(): Promise<void> {
    await this.current.supervisor.stop();
  }

  /** Sends one request to a live child (restarting it if needed) and awaits its reply. */
  private async request(
    message: HostMessage,
    timeoutMs: number,
    call: string,
  ): Promise<Settlement<ChildMessage>> {
    const live = await this.liveSupervisor();
    if ('failure' in live) return live;
    const id = ++this.nextId;
    const replyType = `${message.type}-reply`;
    const reply = live.value.expect(
      (m) => {
        if (m.type === 'fault') return { failure: `${call}: ${m.message}` };
        return m.type === replyType && 'id' in m && m.id === id ? { value: m } : undefined;
      },
      timeoutMs,
      `${call} timed out after ${timeoutMs} ms (kernel process killed; ` +
        'it restarts for the next case)',
    );
    live.value.child.send({ ...message, id }, (e) => {
      if (e) live.value.fail(`could not send the case to the kernel process: ${e.message}`);
    });
    return reply;
  }

  private async liveSupervisor(): Promise<Settlement<ModuleSupervisor>> {
    if (this.current.supervisor.alive) return { value: this.current.supervisor };
    const started = await startChild(this.modulePath, this.options);
    if ('failure' in started) {
      return { failure: `the kernel process could not be restarted: ${started.failure}` };
    }
    this.current = started.value;
    return { value: started.value.supervisor };
  }
}

/** Forks the child and waits until it reports the module loaded (or why not). */
async function startChild(
  modulePath: string,
  options: ModuleHostOptions,
): Promise<Settlement<{ supervisor: ModuleSupervisor; ready: Ready }>> {
  const child = fork(CHILD_ENTRY, [modulePath], {
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // The harness's own flags (inspector, loaders of a test runner) are not the kernel's.
    execArgv: [],
    cwd: options.cwd,
    // Its own process group: whatever the kernel spawns is killed with it.
    detached: true,
  });
  const tailChars = options.tailChars ?? DEFAULT_TAIL_CHARS;
  const tails = { stderr: new TailBuffer(tailChars), stdout: new TailBuffer(tailChars) };
  child.stdout?.on('data', (chunk: Buffer) => tails.stdout.append(chunk));
  child.stderr?.on('data', (chunk: Buffer) => tails.stderr.append(chunk));
  const supervisor: ModuleSupervisor = new ChildSupervisor(child, {
    label: 'kernel process',
    tails,
  });
  child.on('message', (m: ChildMessage) => supervisor.deliver(m));
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const loaded = await supervisor.expect(
    (m) => {
      if (m.type === 'ready' || m.type === 'load-error') return { value: m };
      return m.type === 'fault' ? { failure: m.message } : undefined;
    },
    startTimeoutMs,
    `the module did not load within ${startTimeoutMs} ms`,
  );
  if ('value' in loaded && loaded.value.type === 'ready') {
    return { value: { supervisor, ready: loaded.value } };
  }
  await supervisor.stop();
  if ('failure' in loaded) return loaded;
  return { failure: loaded.value.type === 'load-error' ? loaded.value.message : 'no ready' };
}
