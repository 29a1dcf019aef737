/**
 * 16-bit storage kernels end to end through checkKernel (the CLI's path): the
 * built-ins im2col-f16 and im2col-bf16 pass under their storage class and are
 * profiled as it; a kernel one class worse fails it; the profile names the
 * tightest class of each emulated storage kernel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { im2colBf16Kernel, im2colF16Kernel } from '../../impl/im2col/index.ts';
import { checkKernel } from '../../index.ts';
import { emulatedStorageKernel } from '../../properties/precision/emulated.ts';
import type { AnyConvKernel, HalfConvKernel } from '../../reference/index.ts';
import { loadFixtureDir } from '../fixtures/integrity.ts';
import { verifyFixtures } from '../fixtures/verify.ts';

const quick = { suite: 'quick', seed: 20261205, runs: 8 } as const;

async function run(kernel: AnyConvKernel, data: ('exact' | 'real' | 'special')[]) {
  const report = await checkKernel(kernel, { ...quick, data });
  return report.phases;
}

describe('16-bit storage kernels, judged by their storage class', () => {
  it.each([
    ['im2col-f16', im2colF16Kernel, 'float16', 'fp16-acc32'],
    ['im2col-bf16', im2colBf16Kernel, 'bfloat16', 'bf16-acc32'],
  ] as const)(
    '%s passes every phase and is profiled as its storage class',
    async (_, kernel, dtype, tightest) => {
      const report = await checkKernel(kernel, quick);
      expect(report.kernels[0]?.dtype).toBe(dtype);
      expect(report.phases.map((p) => p.verdict)).toEqual(['pass', 'pass', 'pass']);
      const real = report.phases.find((p) => p.phase.startsWith('real'))!;
      expect(real.precision?.tightest).toBe(tightest);
      expect(real.precision?.meets).not.toContain('fp32');
    },
  );

  it('a float16 kernel that accumulates in float16 fails fp16-acc32 and is profiled fp16-acc16', async () => {
    const [real] = await run(emulatedStorageKernel('float16', 'storage'), ['real']);
    expect(real?.verdict).toBe('fail');
    expect(real?.precision?.tightest).toBe('fp16-acc16');
  });

  it('the emulated float16-storage, float32-accumulating kernel passes and is fp16-acc32', async () => {
    const [exact, real] = await run(emulatedStorageKernel('float16', 'float32'), ['exact', 'real']);
    expect([exact?.verdict, real?.verdict]).toEqual(['pass', 'pass']);
    expect(real?.precision?.tightest).toBe('fp16-acc32');
  });

  it('a bfloat16 kernel that accumulates in bfloat16 fails bf16-acc32 and meets no class', async () => {
    // The quick suite's short reductions hide a bfloat16 accumulator (its error is about
    // ksb·2^-9, within bf16-acc32's 2·2^-8 for ksb ≤ 4): the profile's long probes show it.
    const [real] = await run(emulatedStorageKernel('bfloat16', 'storage'), ['real']);
    expect(real?.precision?.meets).not.toContain('bf16-acc32');
    expect(real?.precision?.tightest).toBe('none');
  });

  it('exact data is judged bit for bit: a kernel that drops the bias fails it', async () => {
    const inner = emulatedStorageKernel('float16', 'float32');
    const dropsBias: HalfConvKernel = {
      ...inner,
      name: 'drops-bias',
      // The bias is ignored: on exact data every output with a bias is off by an integer.
      conv: (p, x, w) => inner.conv({ ...p, bias: false }, x, w),
    };
    const [exact] = await run(dropsBias, ['exact']);
    expect(exact?.verdict).toBe('fail');
    expect(exact?.failure?.details).toMatch(/exact comparison/);
  });
});

it('a saved failure of a 16-bit kernel is a storage fixture that verify replays by its class', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convcheck-storage-failure-'));
  try {
    const broken = emulatedStorageKernel('float16', 'storage');
    const report = await checkKernel(broken, { ...quick, data: ['real'], saveFailures: dir });
    const saved = report.phases[0]?.failure?.savedTo;
    expect(saved).toBeDefined();
    const fixture = loadFixtureDir(saved!);
    const entry = fixture.cases[0]!.entry;
    expect(entry.op === 'conv' && entry.storage).toBe('float16');
    expect(entry.bound.model).toBe('fp16-acc32');
    expect((await verifyFixtures({ dir: saved!, host: im2colF16Kernel })).exitCode).toBe(0);
    expect((await verifyFixtures({ dir: saved!, host: broken })).exitCode).toBe(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
