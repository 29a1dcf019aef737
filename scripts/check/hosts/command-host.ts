/**
 * Runs a kernel written in any language as a long-lived program speaking the
 * subprocess protocol (docs/protocol.md) on its stdin and stdout.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { convGeometry } from '../../../reference/geometry.ts';
import type { ConvProblem, PaddingRule } from '../../../reference/index.ts';
import { CANONICAL_LAYOUTS, type KernelLayouts } from '../../../reference/layout.ts';
import { isFloatOp, type OpName, opEntry } from '../../../reference/ops.ts';
import type { KernelArray, KernelDType } from '../../../reference/storage.ts';
import { commandQuantized } from './command-quantized.ts';
import {
  answerJudge,
  assertLittleEndian,
  decodeFloats,
  encodeFloats,
  LineSplitter,
  problemFields,
  type QuantizedWireRequest,
  type WireAnswer,
  type WireRequest,
} from './command-wire.ts';
import type { KernelOperands } from './run-case.ts';
import { type HostCore, serialHost } from './serial-host.ts';
import { ChildSupervisor, type Settlement } from './supervisor.ts';
import { DEFAULT_TAIL_CHARS, TailBuffer } from './tail-buffer.ts';
import {
  HostStartError,
  type KernelHost,
  type QuantizedHostPart,
  type RunOutcome,
} from './types.ts';

/** Options of {@link openCommandHost}. */
export interface CommandHostOptions {
  /**
   * Element type the program computes in, sent with every request; default
   * 'float32'. 'float16' and 'bfloat16' travel as 16-bit patterns.
   */
  dtype?: KernelDType;
  /** The padding rule the program declares (--padding); default 'zeros'. */
  padding?: PaddingRule;
  /**
   * The layouts the program declares (--layout, --weight-layout); default NCHW
   * and OIHW. Sent with every request; the arrays travel in those layouts.
   */
  layouts?: KernelLayouts;
  /** The ops the program implements (--ops); default conv only. */
  ops?: readonly OpName[];
  /** The program does not support non-finite data (--finite-only); default false. */
  finiteOnly?: boolean;
  /** Name shown in reports; default the command line. */
  name?: string;
  /** Working directory of the program; default the harness's. */
  cwd?: string;
  /** Environment of the program; default the harness's. */
  env?: NodeJS.ProcessEnv;
  /** How long the program must stay up after it is spawned for `open` to succeed; default 500 ms. */
  startupGraceMs?: number;
  /**
   * Extra time granted to the first request sent to each (re)started program,
   * for interpreters that load heavy libraries (importing torch takes seconds);
   * default 15 000 ms.
   */
  startupAllowanceMs?: number;
  /** Characters of stderr kept for error messages; default 4096. */
  tailChars?: number;
  /** Longest answer line accepted; default 256 MiB. */
  maxLineBytes?: number;
}

/** One spawned program and how many requests it has been sent. */
interface Program {
  child: ChildProcessWithoutNullStreams;
  supervisor: ChildSupervisor<string, WireAnswer>;
  requestsSent: number;
}

/** How long `close` lets a program exit by itself after its stdin closes. */
const CLOSE_GRACE_MS = 1000;

/**
 * Spawns `commandLine` through the shell, in its own process group, and checks
 * it stays up for a moment. The program then lives for the whole run; it is
 * killed (with everything it started) on timeout, and restarted lazily after
 * any death. `supports()` always answers true: a program declines a problem by
 * answering "unsupported" to it. `ms` is the round trip of one request.
 *
 * Rejects with {@link HostStartError} when the command cannot be started or exits
 * within the startup grace period.
 *
 * @example
 * ```ts
 * const host = await openCommandHost('python3 scripts/clients/reference_client.py', {
 *   dtype: 'float64',
 * });
 * const r = await host.run(p, x, w, undefined, 10_000);
 * await host.close();
 * ```
 */
export async function openCommandHost(
  commandLine: string,
  options: CommandHostOptions = {},
): Promise<KernelHost> {
  assertLittleEndian();
  if (commandLine.trim() === '') throw new HostStartError('(command)', 'the command line is empty');
  const program = spawnProgram(commandLine, options);
  await Promise.race([program.supervisor.finished, sleep(options.startupGraceMs ?? 500)]);
  const death = program.supervisor.describeDeath();
  if (death !== undefined) {
    await program.supervisor.stop();
    throw new HostStartError(commandLine, `did not start: ${death}`);
  }
  return serialHost(new CommandHost(commandLine, program, options));
}

class CommandHost implements HostCore {
  readonly name: string;
  readonly dtype: KernelDType;
  readonly padding: PaddingRule;
  readonly layouts: KernelLayouts;
  readonly ops: readonly OpName[];
  readonly finiteOnly: boolean;
  readonly quantized?: QuantizedHostPart;
  private nextId = 0;

  constructor(
    private readonly commandLine: string,
    private program: Program,
    private readonly options: CommandHostOptions,
  ) {
    this.name = options.name ?? commandLine;
    this.dtype = options.dtype ?? 'float32';
    this.padding = options.padding ?? 'zeros';
    this.layouts = options.layouts ?? CANONICAL_LAYOUTS;
    this.ops = options.ops ?? ['conv'];
    this.finiteOnly = options.finiteOnly === true;
    if (this.ops.some((op) => !isFloatOp(op))) {
      this.quantized = commandQuantized((request, timeoutMs) => this.exchange(request, timeoutMs));
    }
  }

  async supports(_problem: ConvProblem, _op: OpName): Promise<true | string> {
    return true;
  }

  async run(
    problem: ConvProblem,
    { input, weight, bias }: KernelOperands,
    timeoutMs: number,
    op: OpName,
  ): Promise<RunOutcome<KernelArray>> {
    const outputLength =
      op === 'conv'
        ? convGeometry(problem).outputLength
        : opEntry(op).geometry(problem).outputLength;
    const { settled, ms } = await this.exchange(
      (id) => ({
        id,
        op,
        problem: problemFields(problem),
        dtype: this.dtype,
        padding: this.padding,
        layout: this.layouts.layout,
        weightLayout: this.layouts.weightLayout,
        ...wireOperands(problem, op, [input, weight, bias]),
      }),
      timeoutMs,
    );
    if ('failure' in settled) return { kind: 'error', message: settled.failure };
    return toOutcome(settled.value, this.dtype, outputLength, ms);
  }

  /** Sends one request line (given its id) and awaits the answer, within the time limit. */
  private async exchange(
    request: (id: number) => WireRequest | QuantizedWireRequest,
    timeoutMs: number,
  ): Promise<{ settled: Settlement<WireAnswer>; ms: number }> {
    const program = this.liveProgram();
    const id = ++this.nextId;
    const allowance = program.requestsSent === 0 ? (this.options.startupAllowanceMs ?? 15_000) : 0;
    program.requestsSent++;
    const answered = program.supervisor.expect(
      answerJudge(id),
      timeoutMs + allowance,
      `no answer within ${timeoutMs} ms` +
        (allowance > 0 ? ` (+${allowance} ms startup allowance)` : '') +
        ' (timed out; the program was killed and restarts for the next case)',
    );
    const started = performance.now();
    program.child.stdin.write(`${JSON.stringify(request(id))}\n`);
    const settled = await answered;
    return { settled, ms: performance.now() - started };
  }

  async close(): Promise<void> {
    const { child, supervisor } = this.program;
    // A well-behaved program leaves at end of input; any other is killed.
    child.stdin.end();
    await Promise.race([supervisor.finished, sleep(CLOSE_GRACE_MS, undefined, { ref: false })]);
    await supervisor.stop();
  }

  private liveProgram(): Program {
    if (!this.program.supervisor.alive) this.program = spawnProgram(this.commandLine, this.options);
    return this.program;
  }
}

function toOutcome(
  answer: WireAnswer,
  dtype: KernelDType,
  outputLength: number,
  ms: number,
): RunOutcome<KernelArray> {
  if ('unsupported' in answer) return { kind: 'unsupported', reason: answer.unsupported };
  if ('error' in answer) return { kind: 'error', message: `the program reported: ${answer.error}` };
  const output = decodeFloats(answer.output, dtype, outputLength);
  if (typeof output === 'string') return { kind: 'error', message: output };
  // The program worked on copies: it cannot have written into the harness's arrays.
  return { kind: 'output', output, mutatedInputs: [], ms };
}

/**
 * The operands under their names in the op's entry: conv keeps its `input`,
 * `weight`, `bias` (null without a bias), as before ops existed.
 */
function wireOperands(
  problem: ConvProblem,
  op: OpName,
  slots: readonly (KernelArray | undefined)[],
): Record<string, string | null> {
  if (op === 'conv') {
    const [input, weight, bias] = slots;
    return {
      input: encodeFloats(input!),
      weight: encodeFloats(weight!),
      bias: bias === undefined ? null : encodeFloats(bias),
    };
  }
  const g = opEntry(op).geometry(problem);
  const fields: Record<string, string | null> = {};
  g.operands.forEach((spec, i) => {
    fields[spec.name] = encodeFloats(slots[i]!);
  });
  // The forward ops say "no bias" as conv does.
  if (op === 'convtranspose' && !g.bias) fields.bias = null;
  return fields;
}

function spawnProgram(commandLine: string, options: CommandHostOptions): Program {
  // detached: the program leads its own process group, so a timeout kills the
  // shell, the program and anything it started, with one signal.
  const child = spawn(commandLine, {
    shell: true,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: options.cwd,
    env: options.env,
  });
  const stderr = new TailBuffer(options.tailChars ?? DEFAULT_TAIL_CHARS);
  const supervisor = new ChildSupervisor<string, WireAnswer>(child, {
    label: 'program',
    tails: { stderr },
  });
  const maxLineBytes = options.maxLineBytes ?? 256 * 2 ** 20;
  const lines = new LineSplitter(
    maxLineBytes,
    (line) => {
      if (line.trim() !== '') supervisor.deliver(line);
    },
    () => supervisor.abort(`garbage on stdout: a line longer than ${maxLineBytes} bytes`),
  );
  child.stdout.on('data', (chunk: Buffer) => lines.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.append(chunk));
  // Writing to a program that died raises EPIPE here; the exit itself is reported.
  child.stdin.on('error', () => {});
  return { child, supervisor, requestsSent: 0 };
}
