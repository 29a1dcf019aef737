/**
 * Runs `convcheck check --impl <file>` as a child process, asynchronously, so
 * that several kernels can be checked by a bounded pool. The synchronous
 * `runCli` (scripts/run-cli.ts) blocks its caller and cannot overlap two runs;
 * this runs the same bin script (its exported CLI_PATH) the same way.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckReport } from '../../check/results.ts';
import { CLI_PATH } from '../../run-cli.ts';

/** Options of {@link runCheck}. */
export interface RunCheckOptions {
  /** The fast-check seed (--seed). */
  seed: number;
  /** A suite name (--suite); omitted means the CLI's default suite. */
  suite?: string;
  /** Working directory of the CLI (the repository root). */
  cwd: string;
  /** Kill the run after this long; default 10 minutes. */
  timeoutMs?: number;
  /** Run the module in headless Chromium (--browser): the WGSL zoo. */
  browser?: boolean;
}

/** What one CLI run produced. */
export interface CheckRun {
  /** The exit code, or null when the run was killed. */
  status: number | null;
  /** The parsed --json report, when the CLI wrote one. */
  report?: CheckReport;
  /** Wall-clock milliseconds of the whole CLI run (start-up included). */
  wallMs: number;
  /** The last lines of stdout and stderr, for failure messages. */
  tail: string;
}

/** The arguments of one check run, as a person would type them after `convcheck`. */
export function checkArgs(file: string, jsonPath: string, options: RunCheckOptions): string[] {
  const suite = options.suite === undefined ? [] : ['--suite', options.suite];
  const browser = options.browser ? ['--browser'] : [];
  return [
    'check',
    '--impl',
    file,
    ...browser,
    '--seed',
    String(options.seed),
    ...suite,
    '--json',
    jsonPath,
  ];
}

/**
 * Checks one kernel module through the real CLI and returns its exit code,
 * report and wall time. Never rejects for what the CLI does.
 *
 * @example
 * ```ts
 * const run = await runCheck('fixtures/zoo/bias-dropped.mjs', { seed: 1, cwd: REPO_ROOT });
 * run.status; // 1
 * ```
 */
export async function runCheck(file: string, options: RunCheckOptions): Promise<CheckRun> {
  const dir = mkdtempSync(join(tmpdir(), 'convcheck-zoo-'));
  const jsonPath = join(dir, 'report.json');
  const started = Date.now();
  try {
    const { status, output } = await spawnCli(checkArgs(file, jsonPath, options), options);
    const wallMs = Date.now() - started;
    let report: CheckReport | undefined;
    try {
      report = JSON.parse(readFileSync(jsonPath, 'utf8')) as CheckReport;
    } catch {
      report = undefined; // No report: exit code 2 or a crash; the tail says why.
    }
    const tail = output.split('\n').slice(-25).join('\n');
    return report ? { status, report, wallMs, tail } : { status, wallMs, tail };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spawnCli(
  args: string[],
  options: RunCheckOptions,
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: options.cwd,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      // Only the end matters for a failure message: keep the last 64 KiB.
      output = (output + chunk.toString('utf8')).slice(-65_536);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ status: null, output: `${output}\nspawn failed: ${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code, output });
    });
  });
}

/**
 * Maps `items` through `task` with at most `limit` tasks running at once,
 * keeping the input order in the result.
 *
 * @example
 * ```ts
 * const runs = await mapPool(files, 2, (f) => runCheck(f, options));
 * ```
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`mapPool: limit must be a positive integer, got ${limit}`);
  }
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
