/** Builders shared by the host tests: problems, integer operands, tool probes. */

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { convGeometry } from '../../../reference/geometry.ts';
import type { ConvProblem, DType, FloatArray } from '../../../reference/problem.ts';
import { mulberry32 } from '../../../reference/random.ts';
import { convProblem } from '../../../reference/testing.ts';

/** Absolute path of a file under scripts/check/hosts/testdata/. */
export function testdata(file: string): string {
  return fileURLToPath(new URL(`./testdata/${file}`, import.meta.url));
}

/** Absolute path of a client under scripts/clients/. */
export function client(file: string): string {
  return fileURLToPath(new URL(`../../clients/${file}`, import.meta.url));
}

/** The operands of one case. */
export interface Operands {
  input: FloatArray;
  weight: FloatArray;
  bias: FloatArray | undefined;
}

/**
 * Small integer operands (in [-4, 4], from mulberry32 at a fixed seed) so every partial sum is
 * exact in float32 and any correct kernel matches the oracle bit for bit.
 *
 * @example
 * ```ts
 * const { input, weight, bias } = integerOperands(p, 'float32', 7);
 * ```
 */
export function integerOperands(problem: ConvProblem, dtype: DType, seed = 1): Operands {
  const g = convGeometry(problem);
  const next = mulberry32(seed);
  const fill = (length: number): FloatArray => {
    const values = dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
    for (let i = 0; i < length; i++) values[i] = ((next() >>> 24) % 9) - 4;
    return values;
  };
  return {
    input: fill(g.inputLength),
    weight: fill(g.weightLength),
    bias: problem.bias ? fill(g.biasLength) : undefined,
  };
}

/**
 * Problems covering every feature a client must handle: ranks 1-3, batch,
 * groups (incl. depthwise), stride, dilation, asymmetric pads, bias, both modes.
 */
export const featureProblems: ConvProblem[] = [
  convProblem({ inputSize: [9], kernelSize: [3], stride: [2], padBegin: [2], padEnd: [0] }),
  convProblem({
    mode: 'convolution',
    batch: 2,
    inChannels: 4,
    outChannels: 6,
    groups: 2,
    inputSize: [6, 7],
    kernelSize: [2, 3],
    dilation: [2, 1],
    padBegin: [1, 0],
    padEnd: [0, 2],
    bias: true,
  }),
  convProblem({
    inChannels: 3,
    outChannels: 3,
    groups: 3,
    inputSize: [5, 5],
    kernelSize: [3, 3],
    stride: [2, 1],
    padBegin: [1, 1],
    padEnd: [1, 1],
    bias: true,
  }),
  convProblem({
    mode: 'convolution',
    inChannels: 2,
    outChannels: 2,
    inputSize: [4, 5, 3],
    kernelSize: [2, 3, 2],
    stride: [1, 2, 1],
    dilation: [2, 1, 1],
    padBegin: [1, 0, 1],
    padEnd: [0, 1, 0],
    bias: true,
  }),
];

/**
 * `true` if `python -c "import <modules>"` works, else the reason (for a
 * visible skip). Async, so a test file can probe several tools at once.
 *
 * @example
 * ```ts
 * const torch = await pythonHas('/usr/bin/python3', ['torch']);
 * ```
 */
export function pythonHas(python: string, modules: string[]): Promise<true | string> {
  return new Promise((resolve) => {
    execFile(
      python,
      ['-c', `import ${modules.join(', ')}`],
      { timeout: 60_000 },
      (e, _, stderr) => {
        if (e === null) return resolve(true);
        const why = stderr.trim().split('\n').at(-1) || e.message;
        resolve(`${python} cannot import ${modules.join(', ')}: ${why}`);
      },
    );
  });
}

/**
 * True once `pid` is gone or a zombie (dead, waiting to be reaped by init);
 * false if it still runs after `timeoutMs`. It polls the condition, so the
 * generous default costs nothing when the process is gone; it only bounds how
 * long a failing test waits on a loaded machine.
 *
 * @example
 * ```ts
 * expect(await isGone(grandchildPid)).toBe(true);
 * ```
 */
export async function isGone(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let state: string | undefined;
    try {
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    } catch {
      return true;
    }
    if (state === 'Z') return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The process ids a test program wrote to `file`, one a line (each ended by a
 * newline), once it holds at least `count` of them (waits up to `timeoutMs`,
 * for a loaded machine).
 *
 * @example
 * ```ts
 * const [grandchild] = await pidsIn(join(dir, 'pids'), 1);
 * ```
 */
export async function pidsIn(file: string, count: number, timeoutMs = 30_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    // Only newline-terminated lines count: a read may catch a pid half written.
    const pids = text
      .split('\n')
      .slice(0, -1)
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
    if (pids.length >= count || Date.now() > deadline) return pids;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
