import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceConv } from '../../../reference/conv.ts';
import type { ConvProblem, DType } from '../../../reference/problem.ts';
import { convProblem } from '../../../reference/testing.ts';
import { type CommandHostOptions, openCommandHost } from './command-host.ts';
import {
  client,
  featureProblems,
  integerOperands,
  isGone,
  pidsIn,
  pythonHas,
  testdata,
} from './testing.ts';
import { HostStartError, type KernelHost, type RunOutcome } from './types.ts';

const TIMEOUT_MS = 20_000;
const DEBIAN_PYTHON = '/usr/bin/python3';
const [numpy, scipy, torch, pyenvTorch] = await Promise.all([
  pythonHas('python3', ['numpy']),
  pythonHas('python3', ['numpy', 'scipy.signal']),
  pythonHas(DEBIAN_PYTHON, ['torch', 'numpy']),
  pythonHas('python3', ['torch']),
]);

const opened: KernelHost[] = [];
async function open(commandLine: string, options?: CommandHostOptions): Promise<KernelHost> {
  const host = await openCommandHost(commandLine, options);
  opened.push(host);
  return host;
}
afterAll(async () => {
  await Promise.all(opened.map((h) => h.close()));
});

const python = (file: string, interpreter = 'python3'): string => `${interpreter} '${file}'`;
const referenceCommand = python(client('reference_client.py'));
const scipyCommand = python(client('scipy_client.py'));
const torchCommand = python(client('torch_client.py'), DEBIAN_PYTHON);

/**
 * One host per client and dtype, shared by the tests: interpreters that import
 * numpy, scipy or torch take seconds to start, so they all start at once, here.
 */
const sharedHosts = new Map<string, Promise<KernelHost>>();
function shared(commandLine: string, dtype: DType): Promise<KernelHost> {
  const key = `${dtype} ${commandLine}`;
  let host = sharedHosts.get(key);
  if (host === undefined) {
    host = open(commandLine, { dtype });
    sharedHosts.set(key, host);
  }
  return host;
}
beforeAll(() => {
  for (const dtype of ['float32', 'float64'] as const) {
    if (numpy === true) void shared(referenceCommand, dtype).catch(() => {});
    if (scipy === true) void shared(scipyCommand, dtype).catch(() => {});
    if (torch === true) void shared(torchCommand, dtype).catch(() => {});
  }
});

function run(host: KernelHost, p: ConvProblem, timeoutMs = TIMEOUT_MS): Promise<RunOutcome> {
  const { input, weight, bias } = integerOperands(p, host.dtype, 3);
  return host.run(p, input, weight, bias, timeoutMs);
}

/** Asserts the host's answer is the oracle's output, bit for bit, in the host's dtype. */
async function expectExact(host: KernelHost, p: ConvProblem, seed = 3): Promise<void> {
  const { input, weight, bias } = integerOperands(p, host.dtype, seed);
  const r = await host.run(p, input, weight, bias, TIMEOUT_MS);
  expect(r).toMatchObject({ kind: 'output', mutatedInputs: [] });
  if (r.kind !== 'output') return;
  expect(r.output).toBeInstanceOf(host.dtype === 'float32' ? Float32Array : Float64Array);
  expect(Array.from(r.output)).toEqual(Array.from(referenceConv(p, input, weight, bias)));
}

/** The case every "next case still works" check runs. */
const line = convProblem({ inputSize: [6], kernelSize: [3], padBegin: [0], padEnd: [1] });

describe.skipIf(numpy !== true)(`reference_client.py${skipNote(numpy)}`, () => {
  it.each<DType>(['float32', 'float64'])(
    'agrees with referenceConv exactly in %s',
    async (dtype) => {
      const host = await shared(referenceCommand, dtype);
      expect([host.name, host.dtype, await host.supports(line)]).toEqual([
        referenceCommand,
        dtype,
        true,
      ]);
      for (const p of featureProblems) await expectExact(host, p);
    },
  );

  it('carries multi-megabyte lines both ways (a 1024×1024 image)', async () => {
    const host = await shared(referenceCommand, 'float32');
    const big = convProblem({ inputSize: [1024, 1024], kernelSize: [1, 1], bias: true });
    await expectExact(host, big);
  });

  it('recovers after the program exits mid-request: error with stderr, then a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convcheck-exit-once-'));
    try {
      const host = await open(`${python(testdata('exit_once_client.py'))} '${dir}/state'`);
      const r = await run(host, line);
      expect(r.kind === 'error' && r.message).toMatch(/exited with code 3[\s\S]*dying on purpose/);
      await expectExact(host, line);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a program that answers wrongly', () => {
  it('turns each malformed answer into an error for its case and goes on', async () => {
    const host = await open(python(testdata('garbage_client.py')));
    const outcomes: string[] = [];
    for (const batch of [1, 2, 3, 4, 5, 6, 7]) {
      const r = await run(host, { ...line, batch });
      outcomes.push(r.kind === 'error' ? r.message : `${r.kind}: ${JSON.stringify(r)}`);
    }
    expect(outcomes).toEqual([
      'garbage on stdout (not JSON): this is not json',
      'garbage on stdout (answers id 102, expected 2): {"id": 102, "unsupported": "wrong id"}',
      'garbage on stdout (expected exactly one of "output", "unsupported", "error", a string): ' +
        '{"id": 3, "result": "AAAA"}',
      'output: 4 bytes, expected 80 (20 float32 values)',
      'output is not base64: not base64!',
      'garbage on stdout (not JSON): debug: computing...',
      // The late answer to case 6 is dropped as stale; case 7 gets its own.
      'unsupported: {"kind":"unsupported","reason":"batch 7 is fine"}',
    ]);
  });

  it('kills a program that never answers, with everything it started, and restarts it', async () => {
    // The grandchild pids come through a file the test waits on, not through the
    // error message: on a loaded machine Python may not have started its
    // grandchild when the 400 ms timeout kills it.
    const dir = mkdtempSync(join(tmpdir(), 'convcheck-hang-'));
    const pidFile = join(dir, 'pids');
    const command = `${python(testdata('hang_client.py'))} '${pidFile}'`;
    const host = await open(command, { startupAllowanceMs: 0 });
    const [grandchild] = await pidsIn(pidFile, 1);
    expect(grandchild).toBeGreaterThan(0);
    const started = performance.now();
    const r = await run(host, line, 400);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(r.kind === 'error' ? r.message : '').toMatch(
      /no answer within 400 ms \(timed out; the program was killed/,
    );
    expect(await isGone(grandchild!)).toBe(true);
    // A fresh program takes the next case, and hangs too; whatever grandchild it
    // got to start before the timeout is killed with it.
    const again = await run(host, line, 400);
    expect(again.kind === 'error' ? again.message : '').toMatch(/no answer within 400 ms/);
    const pids = await pidsIn(pidFile, 2, 1_000);
    for (const pid of pids) expect(await isGone(pid)).toBe(true);
    expect(new Set(pids).size).toBe(pids.length);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('commands that do not start', () => {
  it('rejects a command that does not exist with HostStartError', async () => {
    const opening = open('convcheck-no-such-command --flag');
    await expect(opening).rejects.toBeInstanceOf(HostStartError);
    await expect(opening).rejects.toThrow(/exited with code 127[\s\S]*not found/);
  });

  it('rejects a program that exits at once with a non-zero code', async () => {
    const opening = open(`echo 'bad config' >&2; exit 4`);
    await expect(opening).rejects.toThrow(
      /did not start: program exited with code 4[\s\S]*bad config/,
    );
  });
});

describe.skipIf(scipy !== true)(`scipy_client.py${skipNote(scipy)}`, () => {
  const plane = convProblem({
    inputSize: [6, 5],
    kernelSize: [3, 2],
    padBegin: [2, 0],
    padEnd: [0, 1],
  });

  it.each<DType>(['float64', 'float32'])(
    'agrees exactly on 2-D, both modes, with bias (%s)',
    async (dtype) => {
      const host = await shared(scipyCommand, dtype);
      await expectExact(host, { ...plane, bias: true });
      await expectExact(host, { ...plane, mode: 'convolution' });
    },
  );

  it('declines what correlate2d cannot compute, with every reason', async () => {
    const host = await shared(scipyCommand, 'float32');
    const reasons = [];
    for (const p of [featureProblems[0]!, featureProblems[1]!]) {
      const r = await run(host, p);
      reasons.push(r.kind === 'unsupported' ? r.reason : r.kind);
    }
    expect(reasons).toEqual([
      'scipy client (direct): only 2-D (rank 1): correlate2d / convolve2d; stride must be 1 (got [2])',
      'scipy client (direct): batch must be 1 (got 2); inChannels must be 1 (got 4); ' +
        'outChannels must be 1 (got 6); groups must be 1 (got 2); dilation must be 1 (got [2, 1])',
    ]);
  });
});

describe('torch_client.py', () => {
  it.skipIf(torch !== true)(
    `agrees with referenceConv exactly in float64 and float32${skipNote(torch)}`,
    async () => {
      for (const dtype of ['float64', 'float32'] as const) {
        const host = await shared(torchCommand, dtype);
        for (const p of featureProblems) await expectExact(host, p);
      }
    },
  );

  it.skipIf(pyenvTorch === true)(
    `answers "torch not installed" under a Python without torch${
      pyenvTorch === true ? ' (SKIPPED: python3 on PATH has torch)' : ''
    }`,
    async () => {
      const host = await open(python(client('torch_client.py')));
      expect(await run(host, line)).toEqual({ kind: 'unsupported', reason: 'torch not installed' });
    },
  );
});

function skipNote(probe: true | string): string {
  return probe === true ? '' : ` (SKIPPED: ${probe})`;
}
