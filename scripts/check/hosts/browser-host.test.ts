import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceConv } from '../../../reference/conv.ts';
import type { ConvProblem } from '../../../reference/problem.ts';
import { convProblem } from '../../../reference/testing.ts';
import { BROWSER_INSTALL_HINT, openBrowserHost } from './browser-host.ts';
import { fileUnder } from './browser-server.ts';
import { browserSkipReason, WEBGPU_EXAMPLE } from './browser-testing.ts';
import { integerOperands, testdata } from './testing.ts';
import { HostStartError, type KernelHost, type RunOutcome } from './types.ts';

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

describe('browser server', () => {
  it('serves files under the module directory and nothing outside it', () => {
    expect(fileUnder('/k', 'lib/a.mjs')).toBe('/k/lib/a.mjs');
    for (const outside of ['../etc/passwd', '%2e%2e/x', '/etc/passwd', '..%2fx', '%zz']) {
      expect(fileUnder('/k', outside)).toBeUndefined();
    }
  });
});

describe('browser host without Chromium', () => {
  it('refuses to start with the install instructions', async () => {
    const opening = openBrowserHost(WEBGPU_EXAMPLE, { executablePath: '/no/such/chromium' });
    await expect(opening).rejects.toBeInstanceOf(HostStartError);
    await expect(opening).rejects.toThrow(BROWSER_INSTALL_HINT);
  });

  it('refuses a TypeScript module (the page cannot load it)', async () => {
    await expect(openBrowserHost(testdata('good-kernel-f64.ts'))).rejects.toThrow(/\.js or \.mjs/);
  });
});

describe.skipIf(skip !== undefined)('browser host in headless Chromium', () => {
  let host: KernelHost;
  beforeAll(async () => {
    host = await openBrowserHost(MISBEHAVES);
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
    // The browser is this test process's child (Playwright starts it in its own group).
    const children = execFileSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,args='])
      .toString()
      .split('\n')
      .filter((line) => line.includes('chromium'))
      .map((line) => Number(line.trim().split(' ')[0]));
    expect(children.length).toBeGreaterThan(0);
    for (const pid of children) process.kill(-pid, 'SIGKILL');
    await new Promise((done) => setTimeout(done, 300));
    await expectCorrect(host, batch(1));
  });

  it('refuses a module that breaks the contract', async () => {
    await expect(openBrowserHost(testdata('webgpu/no-conv.mjs'))).rejects.toThrow(
      /no conv function/,
    );
    await expect(openBrowserHost(testdata('webgpu/bad-name.mjs'))).rejects.toThrow(
      /name must be a string, got 42/,
    );
  });
});

if (skip !== undefined) {
  describe('browser host in headless Chromium', () => {
    it.skip(`skipped: ${skip}`, () => {});
  });
}
