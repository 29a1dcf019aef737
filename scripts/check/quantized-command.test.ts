/**
 * The quantized ops over the subprocess protocol: the wire's integer encodings,
 * the Python reference client (the one users copy) passing both ops, a client
 * with a planted requantization bug failing, and PyTorch's quantized conv on
 * its engines as the built-ins torch-int8-qnnpack / -onednn (skipped, with the
 * reason, where PyTorch is missing).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCheck } from './check-kernel.ts';
import { decodeQuantized, encodeFloats } from './hosts/command-wire.ts';
import { openTargets } from './targets.ts';

const ops = ['conv-integer', 'qlinear-conv'] as const;
const quick = { suite: 'quick', seed: 11, runs: 20, ops } as const;
const cmd = (impl: string) => () => openTargets({ implCmd: impl, ops });

const noTorch = (() => {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { timeout: 60_000 });
  return r.status === 0 ? undefined : '/usr/bin/python3 cannot import torch';
})();

describe('the quantized wire encodings', () => {
  it('round-trips int8, uint8 and int32 little-endian, and names a wrong length', () => {
    const int8 = Int8Array.from([-128, -1, 0, 127]);
    expect(decodeQuantized(encodeFloats(int8), 'int8', 4)).toEqual(int8);
    const int32 = Int32Array.from([-(2 ** 31), 7, 2 ** 31 - 1]);
    expect(decodeQuantized(encodeFloats(int32), 'int32', 3)).toEqual(int32);
    expect(decodeQuantized('AQL/', 'uint8', 3)).toEqual(Uint8Array.from([1, 2, 255]));
    expect(decodeQuantized('AQL/', 'int32', 1)).toBe(
      'output: 3 bytes, expected 4 (1 int32 values)',
    );
  });
});

describe('quantized ops through --impl-cmd', () => {
  it('the Python reference client passes conv-integer and qlinear-conv', async () => {
    const report = await runCheck(cmd('python3 scripts/clients/reference_client.py'), quick);
    expect(report.phases.map((p) => [p.phase, p.verdict])).toEqual([
      ['conv-integer / integer data', 'pass'],
      ['qlinear-conv / integer data', 'pass'],
      ['qlinear-conv / rounding-tie data', 'pass'],
      ['qlinear-conv / saturation data', 'pass'],
    ]);
  }, 60_000);

  it('a client that rounds ties half away from zero fails the rounding-tie phase', async () => {
    const client = 'python3 scripts/check/hosts/testdata/int8_round_half_away_client.py';
    const report = await runCheck(cmd(client), quick);
    const ties = report.phases.find((p) => p.phase === 'qlinear-conv / rounding-tie data')!;
    expect(ties.verdict).toBe('fail');
    expect(ties.failure!.repro).toContain('--ops qlinear-conv --only ties --path');
    expect(report.exitCode).toBe(1);
  }, 60_000);
});

describe.each(['qnnpack', 'onednn'])('--builtin torch-int8-%s', (engine) => {
  it.skipIf(noTorch !== undefined)(
    `passes QLinearConv in its domain${noTorch ? ` — SKIPPED: ${noTorch}` : ''}`,
    async () => {
      // onednn declines 6 cases in 7 (weight zero point 0 only): 30 asked keeps 20 checked.
      const report = await runCheck(() => openTargets({ builtin: `torch-int8-${engine}` }), {
        suite: 'quick',
        seed: 11,
        runs: 30,
      });
      expect(report.phases.map((p) => p.verdict)).toEqual(['pass', 'pass', 'pass']);
    },
    120_000,
  );
});
