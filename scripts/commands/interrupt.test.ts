import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isGone } from '../check/hosts/testing.ts';
import { CLI_PATH } from '../run-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'convcheck-interrupt-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Process ids of `pid`'s descendants that run a kernel (the module host's
 * child), so the test can look for orphans. tsx's esbuild helper is not a kernel.
 */
function kernelProcesses(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const rows = out
    .trim()
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const parent = new Map(rows.map((r) => [r.pid, r.ppid]));
  const isKernel = new Set(rows.filter((r) => r.args.includes('module-child')).map((r) => r.pid));
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp === p) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found.filter((p) => isKernel.has(p));
}

/**
 * Starts `check --suite networks` with the example kernel (slow on large layers,
 * in a child process), sends `signal` once a phase runs on a kernel process, and
 * resolves with the exit code, the kernel processes seen before the signal and
 * the reports.
 */
function interruptRun(signal: 'SIGINT' | 'SIGTERM', name: string) {
  const paths = ['json', 'xml', 'md'].map((ext) => join(work, `${name}.${ext}`)) as [
    string,
    string,
    string,
  ];
  const child = spawn(
    process.execPath,
    [
      CLI_PATH,
      'check',
      '--impl',
      'docs/examples/naive-kernel.mjs',
      '--suite',
      'networks',
      '--seed',
      '3',
      '--json',
      paths[0],
      '--junit',
      paths[1],
      '--markdown',
      paths[2],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
  );
  let stderr = '';
  let kernels: number[] = [];
  let scheduled = false;
  return new Promise<{ code: number | null; stderr: string; kernels: number[]; paths: string[] }>(
    (resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/running \d+ cases/.test(stderr) && !scheduled) {
          scheduled = true;
          // Signal once a kernel process runs (the condition the test needs), not
          // after a fixed delay that a loaded machine may not honour.
          const poll = setInterval(() => {
            kernels = kernelProcesses(child.pid!);
            if (kernels.length === 0 && child.exitCode === null) return;
            clearInterval(poll);
            child.kill(signal);
          }, 100);
        }
      });
      child.on('exit', (code) => resolve({ code, stderr, kernels, paths }));
    },
  );
}

describe('check interrupted by a signal', () => {
  it('on SIGINT writes partial reports marked interrupted, exits 130 and leaves no kernel process', async () => {
    const r = await interruptRun('SIGINT', 'int');
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted \(SIGINT\): partial reports written/);
    const report = JSON.parse(readFileSync(r.paths[0]!, 'utf8'));
    expect(report.interrupted).toBe(true);
    expect(report.exitCode).toBe(130);
    const running = report.phases.at(-1);
    expect(running).toMatchObject({ kernel: 'naive-direct', interrupted: true, verdict: 'error' });
    expect(readFileSync(r.paths[1]!, 'utf8')).toMatch(/type="interrupted"/);
    expect(readFileSync(r.paths[2]!, 'utf8')).toMatch(/INTERRUPTED \(SIGINT\)/);
    expect(r.kernels.length).toBeGreaterThan(0);
    for (const pid of r.kernels) expect(await isGone(pid)).toBe(true);
  }, 60_000);

  it('on SIGTERM exits 143 with a valid partial JSON report', async () => {
    const r = await interruptRun('SIGTERM', 'term');
    expect(r.code).toBe(143);
    const report = JSON.parse(readFileSync(r.paths[0]!, 'utf8'));
    expect(report).toMatchObject({ interrupted: true, signal: 'SIGTERM', exitCode: 143 });
    expect(r.kernels.length).toBeGreaterThan(0);
    for (const pid of r.kernels) expect(await isGone(pid)).toBe(true);
  }, 60_000);
});
