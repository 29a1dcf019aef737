/**
 * Watches one child process on behalf of a host: waits for the reply to the
 * request in flight, and turns every way it can fail to arrive (timeout, exit,
 * crash, garbage) into a failure message carrying the child's last output.
 * Both isolating hosts (module and command) build on it.
 *
 * The child must have been started `detached`: it leads its own process group,
 * and the supervisor always kills the whole group, so nothing the kernel started
 * outlives it (a process that leaves the group with setsid is out of reach; the
 * harness only stops listening to the pipes it may still hold).
 */
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { signalGroup, TERMINATE_GRACE_MS, trackProcessGroup } from '../shutdown.ts';
import { type TailBuffer, withTails } from './tail-buffer.ts';

/** A reply that arrived, or why none will. */
export type Settlement<R> = { value: R } | { failure: string };

/**
 * Decides what an incoming message means for the request in flight: a
 * settlement, or undefined to ignore it (a stale reply to an earlier request).
 */
export type Judge<M, R> = (message: M) => Settlement<R> | undefined;

/** How a supervisor describes its child. */
export interface SupervisorOptions {
  /** Subject of failure messages, e.g. 'kernel process' or 'program'. */
  label: string;
  /** Tails appended to failure messages, by label ('stderr', 'stdout'). */
  tails: Record<string, TailBuffer>;
}

/** How long to wait, after a child exits, for its last stderr bytes to arrive. */
const DRAIN_AFTER_EXIT_MS = 200;

/**
 * Supervises one child: {@link ChildSupervisor.expect} waits for the reply a
 * judge accepts, failing on timeout (after killing the child) or exit.
 *
 * @example
 * ```ts
 * const sup = new ChildSupervisor<Msg, Reply>(child, { label: 'program', tails, kill });
 * child.on('message', (m) => sup.deliver(m));
 * const s = await sup.expect((m) => (m.id === 1 ? { value: m } : undefined), 5_000, 'timed out');
 * ```
 */
export class ChildSupervisor<M, R> {
  private exitDescription: string | undefined;
  /** Set once we killed the child: it may not have exited yet, but it is done for. */
  private killed = false;
  private waiter: { judge: Judge<M, R>; settle: (s: Settlement<R>) => void } | undefined;
  /** Resolves once the child has exited and its output is drained (or given up on). */
  readonly finished: Promise<void>;

  constructor(
    readonly child: ChildProcess,
    private readonly options: SupervisorOptions,
  ) {
    const forget = child.pid === undefined ? () => false : trackProcessGroup(child.pid);
    this.finished = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        // Anything the child started in its group must not outlive it.
        this.killGroup();
        forget();
        this.exitDescription = describeExit(code, signal);
        const drained = setTimeout(() => this.onGone(resolve), DRAIN_AFTER_EXIT_MS);
        child.once('close', () => {
          clearTimeout(drained);
          this.onGone(resolve);
        });
      });
      child.once('error', (e) => {
        if (child.pid === undefined) {
          // Never started: no 'exit' will follow.
          forget();
          this.exitDescription = `could not be started: ${e.message}`;
          this.onGone(resolve);
        } else {
          this.fail(`${options.label} error: ${e.message}`);
        }
      });
    });
  }

  /** False once the child has exited, never started, or was killed by us. */
  get alive(): boolean {
    return !this.killed && this.exitDescription === undefined;
  }

  /** Hands an incoming message to the request in flight; ignored when none is. */
  deliver(message: M): void {
    const settlement = this.waiter?.judge(message);
    if (settlement !== undefined) this.settle(settlement);
  }

  /** Fails the request in flight (if any) with `message` and the child's tails. */
  fail(message: string): void {
    this.settle({ failure: withTails(message, this.options.tails) });
  }

  /**
   * Waits for a message the judge accepts. Times out after `timeoutMs`: the
   * child is killed and the failure reads `timeoutMessage`.
   */
  expect(judge: Judge<M, R>, timeoutMs: number, timeoutMessage: string): Promise<Settlement<R>> {
    const death = this.describeDeath();
    if (death !== undefined) return Promise.resolve({ failure: death });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.kill();
        this.settle({ failure: withTails(timeoutMessage, this.options.tails) });
      }, timeoutMs);
      this.waiter = {
        judge,
        settle: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      };
    });
  }

  /**
   * Stops the child's process group: SIGTERM, up to `graceMs` for the child to
   * leave, then SIGKILL; resolves once the child is gone.
   */
  async stop(graceMs = TERMINATE_GRACE_MS): Promise<void> {
    if (this.alive && this.child.pid !== undefined) {
      signalGroup(this.child.pid, 'SIGTERM');
      await Promise.race([this.finished, sleep(graceMs, undefined, { ref: false })]);
    }
    this.kill();
    await this.finished;
  }

  /** Fails the request in flight with `message` and kills the child. */
  abort(message: string): void {
    this.fail(message);
    this.kill();
  }

  /** Why the child is no longer alive (with its tails), or undefined while it is. */
  describeDeath(): string | undefined {
    if (this.alive) return undefined;
    const how = this.exitDescription ?? 'was killed';
    return withTails(`${this.options.label} ${how}`, this.options.tails);
  }

  private kill(): void {
    this.killed = true;
    // After the exit the group was killed once already; its id may since be reused.
    if (this.exitDescription === undefined) this.killGroup();
  }

  private killGroup(): void {
    if (this.child.pid !== undefined) signalGroup(this.child.pid, 'SIGKILL');
  }

  private settle(settlement: Settlement<R>): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.settle(settlement);
  }

  private onGone(resolve: () => void): void {
    this.settle({ failure: this.describeDeath() ?? `${this.options.label} is gone` });
    // A process that escaped the group (setsid) may still hold our pipes: stop
    // listening, so that they cannot keep the harness alive.
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) {
      stream?.destroy();
    }
    if (this.child.connected) this.child.disconnect();
    resolve();
  }
}

/**
 * `exited with code 3` or `was killed by SIGKILL`.
 *
 * @example
 * ```ts
 * describeExit(null, 'SIGSEGV'); // 'was killed by SIGSEGV'
 * ```
 */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
}
