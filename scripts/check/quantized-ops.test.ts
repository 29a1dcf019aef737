/**
 * The quantized ops (ONNX ConvInteger, QLinearConv) in `convcheck check`: a
 * kernel that implements them gets their phases by default, judged by the
 * quantized judge; each planted bug (properties/broken/quantized.ts) makes the
 * CLI exit 1 at default settings with a repro line that, run, fails again on the
 * same case.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { im2colInt8Kernel } from '../../impl/quantized/index.ts';
import { checkKernel } from '../../index.ts';
import { roundHalfAwayKernel } from '../../properties/broken/quantized.ts';
import { type ConvKernel, type QuantizedKernel, referenceConv } from '../../reference/index.ts';
import { runCli } from '../run-cli.ts';
import { parseOpsOption, runCheck } from './check-kernel.ts';
import { defaultTolerance } from './evaluate.ts';
import { openInProcessHost } from './hosts/index.ts';
import { openTargets } from './targets.ts';

const quick = { suite: 'quick', seed: 5, runs: 6 } as const;

describe('quantized ops in convcheck check', () => {
  it('--ops takes the quantized ops', () => {
    expect(parseOpsOption('qlinear-conv,conv-integer')).toEqual(['conv-integer', 'qlinear-conv']);
    expect(() => parseOpsOption('conv,int8')).toThrow(/--ops must be .*qlinear-conv, got/);
  });

  it('a kernel object with conv and convInteger gets both phase groups, and passes', async () => {
    const kernel = {
      name: 'conv-and-int8',
      dtype: 'float64',
      conv: (p, x, w, b) => referenceConv(p, x, w, b),
      convInteger: im2colInt8Kernel.convInteger,
    } as ConvKernel;
    const report = await checkKernel(kernel, quick);
    expect(report.phases.map((p) => p.phase)).toEqual([
      'exact data',
      'real data',
      'special data',
      'conv-integer / integer data',
    ]);
    expect(report.exitCode).toBe(0);
  });

  it('--builtin im2col-int8 runs the quantized phases only, each checking cases', async () => {
    const report = await runCheck(() => openTargets({ builtin: 'im2col-int8' }), quick);
    expect(report.phases.map((p) => [p.phase, p.verdict])).toEqual([
      ['conv-integer / integer data', 'pass'],
      ['qlinear-conv / integer data', 'pass'],
      ['qlinear-conv / rounding-tie data', 'pass'],
      ['qlinear-conv / saturation data', 'pass'],
    ]);
    expect(report.kernels[0]!.dtype).toBe('int8/uint8');
  });

  it('--save-failures says a quantized failure is not saved (no quantized fixtures), and why', async () => {
    const kernel = {
      name: 'half-away',
      conv: (p, x, w, b) => Float32Array.from(referenceConv(p, x, w, b)),
      qlinearConv: roundHalfAwayKernel.qlinearConv,
    } as ConvKernel;
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const dir = join(tmpdir(), 'convcheck-q18-unsaved');
      const report = await checkKernel(kernel, {
        ...quick,
        ops: ['qlinear-conv'],
        saveFailures: dir,
      });
      const ties = report.phases.find((p) => p.phase === 'qlinear-conv / rounding-tie data')!;
      expect(ties.failure!.savedTo).toBeUndefined();
      expect(ties.failure!.details).toMatch(/\noperands: x \[/);
      expect(String(stderr.mock.calls.at(-1)?.[0])).toContain(
        '--save-failures writes no qlinear-conv fixture yet (the quantized judge keeps no operands); replay it with its repro line',
      );
    } finally {
      stderr.mockRestore();
    }
  });

  it('a host without the quantized ops (the --browser page) reports them as SKIP, saying why', async () => {
    const page = await openInProcessHost({
      name: 'page',
      conv: (p, x, w, b) => Float32Array.from(referenceConv(p, x, w, b)),
    });
    // The browser host lists a module's convInteger in its ops, and has no quantized part.
    const host = { ...page, ops: ['conv', 'conv-integer'] as const };
    const target = { host, implFlags: '--impl k.mjs --browser', tolerance: defaultTolerance() };
    const report = await runCheck(async () => [target], { ...quick, ops: ['conv-integer'] });
    expect(report.phases.map((p) => [p.phase, p.verdict, Object.keys(p.skipReasons)])).toEqual([
      [
        'conv-integer / all data',
        'skip',
        ['the --browser host runs the float ops only, not conv-integer'],
      ],
    ]);
  });

  it("dims outside a quantized kernel's domain are a SKIP phase, printed with the reason", async () => {
    const [target] = await openTargets({ builtin: 'im2col-int8' });
    const tolerance = target!.tolerance;
    const twoD = {
      ...target!,
      tolerance: { ...tolerance, quantized: { ...tolerance.quantized, dims: [2] as const } },
    };
    const printed: string[] = [];
    const progress = {
      phaseStart: (label: string) => printed.push(label),
      tick: () => {},
      phaseEnd: (summary: string) => printed.push(summary),
    };
    const report = await runCheck(async () => [twoD], {
      ...quick,
      ops: ['conv-integer'],
      dims: [1],
      progress,
    });
    expect(report.phases.map((p) => p.verdict)).toEqual(['skip']);
    expect(printed).toEqual([
      'im2col-int8 / conv-integer / integer data',
      expect.stringMatching(/^SKIP — .*--dims 1 is outside the kernel's domain \(2-D\)/),
    ]);
  });

  it('a kernel that writes into x, or answers differently the second time, is an error', async () => {
    const right = im2colInt8Kernel.convInteger!;
    const writes = {
      name: 'writes-x',
      conv: (p, x, w, b) => Float32Array.from(referenceConv(p, x, w, b)),
      convInteger(p, x, w, xz, wz) {
        const y = right(p, x, w, xz, wz);
        x[0] = x[0] === 0 ? 1 : 0;
        return y;
      },
    } as ConvKernel & QuantizedKernel;
    const wrote = await checkKernel(writes, { ...quick, ops: ['conv-integer'] });
    expect(wrote.phases[0]!.failure!.message).toBe('the kernel wrote into its x');
    let calls = 0;
    const flaky = {
      ...writes,
      name: 'flaky',
      convInteger(p, x, w, xz, wz) {
        const y = right(p, x, w, xz, wz) as Int32Array;
        if (calls++ % 2 === 1) y[0] = y[0]! + 1;
        return y;
      },
    } as ConvKernel & QuantizedKernel;
    const twice = await checkKernel(flaky, { ...quick, ops: ['conv-integer'] });
    expect(twice.phases[0]!.verdict).toBe('error');
    expect(twice.phases[0]!.failure!.message).toMatch(/^nondeterministic/);
  });

  it('checkKernel takes a QuantizedKernel without conv, and runs its ops only', async () => {
    const report = await checkKernel(im2colInt8Kernel, quick);
    expect(report.phases.map((p) => p.op)).toEqual([
      'conv-integer',
      'qlinear-conv',
      'qlinear-conv',
      'qlinear-conv',
    ]);
    expect(report.exitCode).toBe(0);
  });

  it('--impl takes a module of the quantized ops only (no conv), isolated like any module', async () => {
    const module = 'scripts/check/hosts/testdata/int8-only.ts';
    const report = await checkKernel({ module }, quick);
    expect(report.phases.map((p) => [p.phase, p.verdict])).toEqual([
      ['conv-integer / integer data', 'pass'],
      ['qlinear-conv / integer data', 'pass'],
      ['qlinear-conv / rounding-tie data', 'pass'],
      ['qlinear-conv / saturation data', 'pass'],
    ]);
    // Asked for conv, it says it has none: a SKIP with the reason, not an error.
    const conv = await checkKernel({ module }, { ...quick, ops: ['conv'] });
    expect(conv.phases[0]!.skipReasons).toEqual({
      'the kernel does not implement conv (no conv method)': 1,
    });
  }, 30_000);

  it('a kernel whose convInteger returns the wrong length is an error, not a pass', async () => {
    const kernel = {
      name: 'short',
      conv: (p, x, w, b) => Float32Array.from(referenceConv(p, x, w, b)),
      convInteger: () => new Int32Array(0),
    } as ConvKernel;
    const report = await checkKernel(kernel, { ...quick, ops: ['conv-integer'] });
    expect(report.phases[0]!.verdict).toBe('error');
    expect(report.phases[0]!.failure!.message).toMatch(/returned 0 outputs/);
  });
});

/** The CLI run of a planted bug at default settings, then its repro line run. */
function failsAndReplays(file: string, op: string) {
  const impl = `scripts/check/hosts/testdata/int8-${file}.ts`;
  const first = runCli(['check', '--impl', impl, '--ops', op, '--seed', '7']);
  expect(first.status, first.stderr).toBe(1);
  const repro = /repro: npx convcheck (.+)/.exec(first.stdout)![1]!;
  expect(repro).toContain(`--ops ${op} --only `);
  const descriptor = /\n {2}(xcorrQ[IL]:\S+)/.exec(first.stdout)![1]!;
  const args = [...repro.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  const replay = runCli(args);
  expect(replay.status).toBe(1);
  expect(replay.stdout).toContain(descriptor);
  expect(replay.stdout).toMatch(/1 failed/);
}

describe('each planted quantized bug fails through the CLI, and its repro replays it', () => {
  it.each([
    ['x-zero-point-ignored', 'conv-integer'],
    ['x-zero-point-ignored', 'qlinear-conv'],
    ['round-half-away', 'qlinear-conv'],
    ['no-saturation', 'qlinear-conv'],
    ['per-channel-scale-misapplied', 'qlinear-conv'],
  ])('%s (%s)', (file, op) => failsAndReplays(file, op), 60_000);
});
