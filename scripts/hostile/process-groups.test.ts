/**
 * Hostile kernels and signals (issue 13, defects 2 and 3): the harness exits when
 * its work is done whatever the kernel left behind, and on every exit path
 * (normal end, SIGINT, SIGTERM) the kernel's process group is killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { convProblem } from '../../reference/testing.ts';
import { openModuleHost } from '../check/hosts/module-host.ts';
import { client, integerOperands, isGone, pidsIn } from '../check/hosts/testing.ts';
import { scratchDir } from '../fixtures/test-helpers.ts';
import { CLI_PATH, runCli } from '../run-cli.ts';

/** Kills, by pid, a process a test started outside any group the harness owns. */
function reap(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Starts the CLI without waiting; resolves its exit code (or signal) when it ends. */
function startCli(
  args: string[],
  cwd?: string,
): { child: ChildProcess; exited: Promise<number | string> } {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd,
  });
  child.stdout?.resume();
  child.stderr?.resume();
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  return { child, exited };
}

describe('the kernel process group dies with the run', () => {
  it('a module kernel that spawned `sleep` leaves nothing running after close', async () => {
    const dir = scratchDir();
    const pidFile = join(dir, 'pids');
    const kernel = join(dir, 'spawner.mjs');
    writeFileSync(
      kernel,
      `import { spawn } from 'node:child_process';\n` +
        `import { appendFileSync } from 'node:fs';\n` +
        `const sleeper = spawn('sleep', ['3001'], { stdio: 'ignore' });\n` +
        `appendFileSync(${JSON.stringify(pidFile)}, sleeper.pid + '\\n');\n` +
        `export default { name: 'spawner', dtype: 'float64', conv: () => new Float64Array(1) };\n`,
    );
    const host = await openModuleHost(kernel);
    const [sleeper] = await pidsIn(pidFile, 1);
    onTestFinished(() => reap([sleeper!]));
    const p = convProblem({ inputSize: [1], kernelSize: [1] });
    const { input, weight } = integerOperands(p, 'float64');
    expect((await host.run(p, input, weight, undefined, 10_000)).kind).toBe('output');
    await host.close();
    expect(await isGone(sleeper!)).toBe(true);
  });

  it('exits after its report even when the program left a setsid grandchild on its pipes', () => {
    const dir = scratchDir();
    const pidFile = join(dir, 'pids');
    const escapee = `setsid sh -c 'echo $$ >> ${pidFile}; exec sleep 300' &`;
    const command = `${escapee} exec python3 '${client('reference_client.py')}'`;
    const json = join(dir, 'report.json');
    const r = runCli(
      [
        'check',
        '--impl-cmd',
        command,
        '--dtype',
        'float64',
        '--suite',
        'quick',
        '--runs',
        '1',
      ].concat(['--dims', '1', '--seed', '1', '--json', json]),
      { timeoutMs: 45_000 },
    );
    onTestFinished(async () => reap(await pidsIn(pidFile, 1, 0)));
    expect(r.status, r.stderr).toBe(0);
  });
});

describe('SIGINT and SIGTERM kill the kernel group, then exit 130 / 143', () => {
  it('SIGTERM during a looping module kernel: exit 143, kernel gone', async () => {
    const dir = scratchDir();
    const pidFile = join(dir, 'pids');
    const kernel = join(dir, 'loop.mjs');
    writeFileSync(
      kernel,
      `import { appendFileSync } from 'node:fs';\n` +
        `export default { name: 'loop', conv() {\n` +
        `  appendFileSync(${JSON.stringify(pidFile)}, process.pid + '\\n');\n` +
        `  for (;;) {}\n} };\n`,
    );
    const { child, exited } = startCli(
      ['check', '--impl', kernel, '--suite', 'quick', '--runs', '1', '--seed', '1'].concat([
        '--timeout-ms',
        '60000',
      ]),
    );
    const [looping] = await pidsIn(pidFile, 1);
    onTestFinished(() => reap([looping!]));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(await isGone(looping!)).toBe(true);
  });

  it('SIGINT during a program that ignores SIGTERM: exit 130, program gone', async () => {
    const dir = scratchDir();
    const pidFile = join(dir, 'pids');
    const program = join(dir, 'stubborn.py');
    writeFileSync(
      program,
      'import os, signal, sys, time\n' +
        'signal.signal(signal.SIGTERM, signal.SIG_IGN)\n' +
        'signal.signal(signal.SIGINT, signal.SIG_IGN)\n' +
        `open(${JSON.stringify(pidFile)}, 'a').write(f'{os.getpid()}\\n')\n` +
        'for _ in sys.stdin:\n    time.sleep(3600)\n',
    );
    const { child, exited } = startCli(
      ['check', '--impl-cmd', `python3 '${program}'`, '--suite', 'quick', '--runs', '1'].concat([
        '--seed',
        '1',
        '--timeout-ms',
        '60000',
      ]),
    );
    const [stubborn] = await pidsIn(pidFile, 1);
    onTestFinished(() => reap([stubborn!]));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await isGone(stubborn!)).toBe(true);
  });
});

describe('SIGINT during fixtures generate', () => {
  it('exits 130 and leaves neither the target nor its temporary directory', async () => {
    const dir = scratchDir();
    const { child, exited } = startCli(
      ['fixtures', 'generate', '--out', 'fx', '--suite', 'quick', '--count', '3000'],
      dir,
    );
    const deadline = Date.now() + 30_000;
    while (!readdirSync(dir).some((f) => f.startsWith('fx.tmp-')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
  });
});
