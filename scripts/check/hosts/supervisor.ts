/**
 * Watches one child process on behalf of a host: waits for the reply to the
 * request in flight, and turns every way it can fail to arrive (timeout, exit,
 * crash, garbage) into a failure message carrying the child's last output.
 * Both isolating hosts (module and command) build on it.
 */
import type { ChildProcess } from 'node:child_process';
import { type TailBuffer, withTails } from './tail-buffer.ts';

/** A reply that arrived, or why none will. */
export type Settlement<R> = { value: R } | { failure: string };

/**
 * Decides what an incoming message means for the request in flight: a
 * settlement, or undefined to ignore it (a stale reply to an earlier request).
 */
export type Judge<M, R> = (message: M) => Settlement<R> | undefined;

/** How a supervisor describes and stops its child. */
export interface SupervisorOptions {
  /** Subject of failure messages, e.g. 'kernel process' or 'program'. */
  label: string;
  /** Tails appended to failure messages, by label ('stderr', 'stdout'). */
  tails: Record<string, TailBuffer>;
  /** Kills the child (and whatever it started) at once; must not throw. */
  kill: () => void;
}

/** How long to wait, after a child exits, for its last stderr bytes to arrive. */
const DRAIN_AFTER_EXIT_MS = 200;

const liveKills = new Set<() => void>();
let exitHookInstalled = false;

/**
 * Makes sure `kill` runs if the harness exits while the child still lives (a
 * looping kernel would otherwise outlive it). Returns the function that cancels it.
 *
 * @example
 * ```ts
 * const forget = killOnHarnessExit(() => child.kill('SIGKILL'));
 * child.once('exit', forget);
 * ```
 */
export function killOnHarnessExit(kill: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const k of liveKills) k();
    });
  }
  liveKills.add(kill);
  return () => liveKills.delete(kill);
}

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
    const forget = killOnHarnessExit(options.kill);
    this.finished = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        forget();
        // Anything the child started must not outlive it.
        options.kill();
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

  /** Kills the child and waits until it is gone. */
  async stop(): Promise<void> {
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
    if (this.exitDescription === undefined) this.options.kill();
  }

  private settle(settlement: Settlement<R>): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.settle(settlement);
  }

  private onGone(resolve: () => void): void {
    this.settle({ failure: this.describeDeath() ?? `${this.options.label} is gone` });
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
