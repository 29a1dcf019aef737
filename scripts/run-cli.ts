/** Runs the convcheck CLI in a child process, for tests. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Absolute path of the bin script. */
export const CLI_PATH = fileURLToPath(new URL('./convcheck.mjs', import.meta.url));

/** What a CLI run printed and returned. */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `convcheck ...args` synchronously and captures its output.
 *
 * @example
 * ```ts
 * runCli(['shape', 'xcorr:ic3oc8_ih32iw32_kh5kw5']).status; // 0
 * ```
 */
export function runCli(
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): CliResult {
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], {
    encoding: 'utf8',
    cwd: options.cwd,
    timeout: options.timeoutMs ?? 120_000,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
