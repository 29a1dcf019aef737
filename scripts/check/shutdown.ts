/**
 * Every way the harness can end, in one place. Kernels run in their own process
 * groups (module hosts and command hosts start them detached); this module keeps
 * the list of live groups and makes sure each is terminated (SIGTERM) and then
 * killed (SIGKILL) on every exit path: a normal end, an error, and SIGINT or
 * SIGTERM to the harness, after which the harness exits 130 or 143.
 *
 * Other work that must happen before the harness dies on a signal (writing a
 * partial report, say) registers with {@link onShutdown}.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Why the harness is shutting down. */
export interface ShutdownReason {
  signal: 'SIGINT' | 'SIGTERM';
  /** The exit code the harness will exit with: 128 + the signal number. */
  exitCode: number;
}

/** Work to do before the harness exits on a signal; awaited at most {@link HOOK_LIMIT_MS}. */
export type ShutdownHook = (reason: ShutdownReason) => void | Promise<void>;

/** How long a process group has, after SIGTERM, before SIGKILL. */
export const TERMINATE_GRACE_MS = 500;
/** Longest time the shutdown hooks may take together before the harness exits anyway. */
export const HOOK_LIMIT_MS = 5000;

/** The exit code of a run stopped by a signal: 128 + its number, as shells report it. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

const hooks = new Set<ShutdownHook>();
const groups = new Set<number>();
let exitHookInstalled = false;
let signalsInstalled = false;
let shuttingDown = false;

/**
 * Registers work to run when the harness is stopped by SIGINT or SIGTERM; returns
 * the function that unregisters it.
 *
 * @example
 * ```ts
 * const forget = onShutdown(() => writePartialReport());
 * ```
 */
export function onShutdown(hook: ShutdownHook): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/** Sends `signal` to every process of group `pgid`; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Records a live process group so that it is killed if the harness exits before
 * it does (on any path, even `process.exit`). Returns the function that forgets it.
 *
 * @example
 * ```ts
 * const forget = trackProcessGroup(child.pid!);
 * child.once('exit', forget);
 * ```
 */
export function trackProcessGroup(pgid: number): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' handlers must be synchronous: no grace here, TERM then KILL at once.
    process.once('exit', () => {
      for (const g of groups) {
        signalGroup(g, 'SIGTERM');
        signalGroup(g, 'SIGKILL');
      }
    });
  }
  groups.add(pgid);
  return () => groups.delete(pgid);
}

/**
 * Terminates process group `pgid`: SIGTERM, up to `graceMs` for it to leave,
 * then SIGKILL to whatever is left.
 *
 * @example
 * ```ts
 * await terminateProcessGroup(child.pid!, 500);
 * ```
 */
export async function terminateProcessGroup(
  pgid: number,
  graceMs = TERMINATE_GRACE_MS,
): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && signalGroup(pgid, 0)) await sleep(20);
  signalGroup(pgid, 'SIGKILL');
}

/**
 * Installs the SIGINT and SIGTERM handlers of the CLI (once): run the shutdown
 * hooks, terminate every live kernel group, exit 130 (SIGINT) or 143 (SIGTERM).
 * A second signal during the shutdown kills the groups and exits at once.
 *
 * @example
 * ```ts
 * installSignalHandlers(); // first thing in scripts/cli.ts
 * ```
 */
export function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void shutdownOnSignal(signal));
  }
}

/**
 * Exits the harness with `code`, unless a signal's shutdown is under way: then
 * that shutdown decides the exit code (130/143), and this never returns.
 *
 * @example
 * ```ts
 * await exitHarness(process.exitCode ?? 0); // the last line of the CLI
 * ```
 */
export async function exitHarness(code: number): Promise<never> {
  await shutdownInProgress();
  // process.exit drops what a pipe has not taken yet: a long `--json -` report
  // would be cut. An empty write's callback runs once everything before it is out
  // (or the reader is gone, which is not our concern here).
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/**
 * Resolves at once when no signal's shutdown is under way, else never (that
 * shutdown exits the process): an error caused by the shutdown killing a
 * kernel is not reported as the run's own.
 *
 * @example
 * ```ts
 * catch (e) { await shutdownInProgress(); throw e; }
 * ```
 */
export function shutdownInProgress(): Promise<void> {
  return shuttingDown ? new Promise<void>(() => {}) : Promise.resolve();
}

async function shutdownOnSignal(signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
  const exitCode = SIGNAL_EXIT_CODES[signal];
  if (shuttingDown) process.exit(exitCode); // the 'exit' handler kills the groups
  shuttingDown = true;
  const reason: ShutdownReason = { signal, exitCode };
  const work = [...hooks].map(async (hook) => {
    try {
      await hook(reason);
    } catch (e) {
      process.stderr.write(`convcheck: during shutdown: ${(e as Error).message}\n`);
    }
  });
  await Promise.race([Promise.all(work), sleep(HOOK_LIMIT_MS)]);
  const live = [...groups];
  await Promise.all(live.map((g) => terminateProcessGroup(g)));
  const killed = live.length === 0 ? '' : `; ${live.length} kernel process group(s) killed`;
  process.stderr.write(`convcheck: stopped by ${signal}${killed}\n`);
  process.exit(exitCode);
}
