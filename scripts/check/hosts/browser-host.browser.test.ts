/**
 * The browser host in headless Chromium (`npm run test:browser`): ctx.device,
 * WGSL errors, console errors, timeouts, device loss, a dead browser, the
 * contract. Skipped, with the reason, where Chromium with WebGPU cannot start.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceConv } from '../../../reference/conv.ts';
import { roundToHalf } from '../../../reference/float16.ts';
import type { ConvProblem } from '../../../reference/problem.ts';
import { convProblem } from '../../../reference/testing.ts';
import { openBrowserHost } from './browser-host.ts';
import { browserSkipReason } from './browser-testing.ts';
import { integerOperands, testdata } from './testing.ts';
import type { KernelHost, RunOutcome } from './types.ts';

const skip = await browserSkipReason();
const line = convProblem({ inputSize: [7], kernelSize: [3], padBegin: [1], padEnd: [0] });
const MISBEHAVES = testdata('webgpu/misbehaves.mjs');

/** The fixture misbehaves by batch size (see testdata/webgpu/misbehaves.mjs). */
function batch(n: number): ConvProblem {
  return { ...line, batch: n };
}

function run(host: KernelHost, p: ConvProblem, timeoutMs = 10_000): Promise<RunOutcome> {
  const { input, weight, bias } = integerOperands(p, 'float32');
  return host.run(p, input, weight, bias, timeoutMs);
}

async function expectCorrect(host: KernelHost, p: ConvProblem): Promise<void> {
  const { input, weight, bias } = integerOperands(p, 'float32');
  const r = await host.run(p, input, weight, bias, 10_000);
  expect(r).toMatchObject({ kind: 'output', mutatedInputs: [] });
  if (r.kind !== 'output') return;
  expect(r.output).toBeInstanceOf(Float32Array);
  expect(Array.from(r.output)).toEqual(Array.from(referenceConv(p, input, weight, bias)));
}

/** This test process's Chromium children (zombies included, until Node reaps them). */
function chromiumChildren(): number[] {
  // ps exits 1 when no process matches: that is an empty list, not an error.
  let listing = '';
  try {
    listing = execFileSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,args=']).toString();
  } catch {}
  return listing
    .split('\n')
    .filter((line) => line.includes('chromium'))
    .map((line) => Number(line.trim().split(' ')[0]));
}

/** Polls `condition` every 20 ms until it holds; fails after `limitMs`. */
async function waitFor(condition: () => boolean, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe.skipIf(skip !== undefined)('browser host in headless Chromium', () => {
  let host: KernelHost;
  let disconnects = 0;
  beforeAll(async () => {
    host = await openBrowserHost(MISBEHAVES, {
      onBrowserDisconnected: () => {
        disconnects += 1;
      },
    });
  });
  afterAll(() => host?.close());

  it('passes ctx.device to conv and returns the output as a Float32Array', async () => {
    expect(host.name).toBe('misbehaves');
    await expectCorrect(host, batch(1));
  });

  it('reports a WGSL compile error as an error naming the shader problem', async () => {
    const r = await run(host, batch(2));
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(/WebGPU errors.*undefined_name/s);
    await expectCorrect(host, batch(1));
  });

  it('carries page console errors into the error message', async () => {
    const r = await run(host, batch(3));
    expect(r).toMatchObject({ kind: 'error' });
    if (r.kind === 'error')
      expect(r.message).toMatch(/conv threw: Error: boom[\s\S]*kernel says boom/);
  });

  it.each([
    [4, 'a promise that never settles'],
    [5, 'a synchronous infinite loop'],
  ])('times out batch %i (%s), then restarts the page for the next case', async (n) => {
    const r = await run(host, batch(n), 1_500);
    expect(r).toMatchObject({ kind: 'error' });
    if (r.kind === 'error') expect(r.message).toMatch(/conv timed out after 1500 ms.*restarts/);
    await expectCorrect(host, batch(1));
  });

  it('reports a lost device, then restarts the page', async () => {
    const r = await run(host, batch(6));
    expect(r).toMatchObject({ kind: 'error' });
    if (r.kind === 'error') expect(r.message).toMatch(/GPU device was lost/);
    await expectCorrect(host, batch(1));
  });

  it('rejects an output of the wrong type, naming it', async () => {
    const r = await run(host, batch(7));
    expect(r).toMatchObject({ kind: 'error' });
    if (r.kind === 'error') expect(r.message).toMatch(/plain Array\(\d+\).*Float32Array/);
  });

  it('sees a kernel that writes into its input', async () => {
    const r = await run(host, batch(8));
    expect(r).toMatchObject({ kind: 'output', mutatedInputs: ['input'] });
  });

  it('starts another browser when the browser process dies', async () => {
    const children = chromiumChildren();
    expect(children.length).toBeGreaterThan(0);
    const seenBefore = disconnects;
    // Playwright starts the browser in its own process group: kill the whole group.
    for (const pid of children) process.kill(-pid, 'SIGKILL');
    // Wait on the conditions, not on a clock: the processes are gone (reaped) and
    // the host has seen the disconnect, so the next case must start a new browser.
    await waitFor(() => chromiumChildren().every((pid) => !children.includes(pid)));
    await waitFor(() => disconnects > seenBefore);
    await expectCorrect(host, batch(1));
  });

  it("lists a module's quantized methods in its ops, and runs none of them", async () => {
    const int8 = await openBrowserHost(testdata('webgpu/int8-methods.mjs'));
    try {
      expect(int8.ops).toEqual(['conv', 'conv-integer', 'qlinear-conv']);
      expect(int8.quantized).toBeUndefined();
    } finally {
      await int8.close();
    }
  });

  it('refuses a module that breaks the contract', async () => {
    await expect(openBrowserHost(testdata('webgpu/no-conv.mjs'))).rejects.toThrow(
      /no conv function/,
    );
    await expect(openBrowserHost(testdata('webgpu/bad-name.mjs'))).rejects.toThrow(
      /name must be a string, got 42/,
    );
    await expect(openBrowserHost(testdata('webgpu/bad-method.mjs'))).rejects.toThrow(
      /convTranspose must be a function when given, got 3/,
    );
  });
});

describe.skipIf(skip !== undefined)('a 16-bit storage module in the page', () => {
  it.for(['half-kernel.mjs', 'half-kernel-broken.mjs'] as const)(
    '%s: float16 patterns each way, decoded for the judge',
    { timeout: 60_000 },
    async (file) => {
      const host = await openBrowserHost(testdata(file));
      try {
        expect([host.dtype, host.storage]).toEqual(['float32', 'float16']);
        const p = convProblem({ inputSize: [6, 5], kernelSize: [3, 2], bias: true });
        // Operands that float16 holds exactly (integers, then scaled by a power of two).
        const { input, weight, bias } = integerOperands(p, 'float32');
        const half = (v: Float32Array | Float64Array) => v.map((x) => x / 4);
        const [x, w, b] = [half(input), half(weight), bias && half(bias)];
        const r = await host.run(p, x, w, b, 20_000);
        expect(r).toMatchObject({ kind: 'output', mutatedInputs: [] });
        if (r.kind !== 'output') return;
        expect(r.output).toBeInstanceOf(Float32Array);
        const expected = Array.from(referenceConv(p, x, w, b), (v) => roundToHalf(v, 'float16'));
        // The broken module drops the last weight: the same path must be able to see it.
        if (file === 'half-kernel.mjs') expect(Array.from(r.output)).toEqual(expected);
        else expect(Array.from(r.output)).not.toEqual(expected);
      } finally {
        await host.close();
      }
    },
  );
});

if (skip !== undefined) {
  describe('a 16-bit storage module in the page', () => {
    it.skip(`skipped: ${skip}`, () => {});
  });
  describe('browser host in headless Chromium', () => {
    it.skip(`skipped: ${skip}`, () => {});
  });
}
