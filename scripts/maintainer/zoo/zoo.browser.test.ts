/**
 * The WGSL zoo and the WGSL example in headless Chromium, through the CLI
 * (`convcheck check --browser`) and through `checkKernel(…, { browser: true })`:
 * every buggy kernel of fixtures/zoo/wgsl is caught, every correct one passes.
 * Skipped, with the reason, where Chromium with WebGPU cannot start.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkKernel } from '../../check/check-kernel.ts';
import { browserSkipReason, WEBGPU_EXAMPLE } from '../../check/hosts/browser-testing.ts';
import { runCli } from '../../run-cli.ts';
import { REPO_ROOT, ZOO_DIR, zooCatalog } from './catalog.ts';
import { type CheckRun, mapPool, runCheck } from './cli-runner.ts';
import { TEST_POOL, zooSeed } from './settings.ts';

const skip = await browserSkipReason();
const kernels = zooCatalog(join(ZOO_DIR, 'wgsl'));
const seed = zooSeed();
const expectedExit = { fail: 1, pass: 0 } as const;

describe.skipIf(skip !== undefined)(`the WGSL zoo in headless Chromium (seed ${seed})`, () => {
  const runs = new Map<string, CheckRun>();
  beforeAll(async () => {
    const done = await mapPool(kernels, TEST_POOL, (k) =>
      runCheck(k.path, { seed, suite: 'quick', cwd: REPO_ROOT, browser: true, timeoutMs: 120_000 }),
    );
    kernels.forEach((k, i) => {
      runs.set(k.slug, done[i]!);
    });
  }, 300_000);

  it('has the three GPU bugs of issue 20 and an f16 accumulator, and two correct kernels', () => {
    const slugs = kernels.map((k) => k.slug);
    for (const slug of ['tile-remainder', 'missing-barrier', 'select-padding', 'f16-accumulator']) {
      expect(slugs).toContain(slug);
    }
    expect(kernels.filter((k) => k.expect === 'pass').length).toBeGreaterThanOrEqual(2);
  });

  it.each(kernels)('convcheck check --browser: $slug exits as expected ($expect)', (k) => {
    const run = runs.get(k.slug)!;
    expect(run.status, run.tail).toBe(expectedExit[k.expect]);
    if (k.expect === 'fail') expect(run.report?.totals.fail ?? 0, run.tail).toBeGreaterThan(0);
  });

  it.each(kernels)(
    'checkKernel({ browser: true }): $slug exits as expected ($expect)',
    async (k) => {
      const report = await checkKernel(
        { module: join(REPO_ROOT, k.path) },
        { browser: true, suite: 'quick', seed },
      );
      expect(report.exitCode, JSON.stringify(report.phases.map((p) => p.failure?.message))).toBe(
        expectedExit[k.expect],
      );
      expect(report.kernels[0]?.source).toMatch(/--browser/);
    },
  );
});

describe.skipIf(skip !== undefined)('the WGSL example in headless Chromium', () => {
  it('passes convcheck check --browser (default suite) under the wgsl model', () => {
    const r = runCli(['check', '--impl', WEBGPU_EXAMPLE, '--browser', '--seed', String(seed)]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 passed, 0 thin, 0 failed, 0 errored/);
  });

  it('passes checkKernel(…, { browser: true })', async () => {
    const report = await checkKernel({ module: WEBGPU_EXAMPLE }, { browser: true, seed });
    expect(report.exitCode).toBe(0);
    expect(report.totals.pass).toBe(3);
  });
});

describe('--browser on the command line', () => {
  it('applies only with --impl (exit 2, one line)', () => {
    const r = runCli(['check', '--browser', '--suite', 'quick']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--browser applies only with --impl/);
  });
});

if (skip !== undefined) {
  describe('the WGSL zoo in headless Chromium', () => {
    it.skip(`skipped: ${skip}`, () => {});
  });
}
