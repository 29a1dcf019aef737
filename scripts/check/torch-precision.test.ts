/**
 * The torch client's --precision flag, on CPU (where float32 and bfloat16
 * convolutions exist), through checkKernel: the real-data phase's precision
 * profile names the class PyTorch was asked for. The GPU form (--device cuda,
 * tf32, fp16) is the same code path; the lead runs it where there is a GPU.
 * Without torch every test here is skipped and says why.
 *
 * CONVCHECK_TORCH_PYTHON names another Python (default /usr/bin/python3).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkKernel } from '../../index.ts';

const PYTHON = process.env.CONVCHECK_TORCH_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

async function profileOf(flags: string) {
  const report = await checkKernel(
    { command: `${PYTHON} scripts/clients/torch_client.py ${flags}` },
    { suite: 'quick', seed: 20261127, runs: 6, data: ['real'] },
  );
  return report.phases[0]!;
}

describe.skipIf(!hasTorch)(`torch_client.py --precision (${PYTHON} without torch: skipped)`, () => {
  it('fp32 (the default) passes and is fp32', async () => {
    const phase = await profileOf('--device cpu --precision fp32');
    expect(phase.verdict).toBe('pass');
    expect(phase.precision?.tightest).toBe('fp32');
  }, 120_000);

  it('bf16 fails the fp32 criterion and is bf16-acc32', async () => {
    const phase = await profileOf('--precision bf16');
    expect(phase.verdict).toBe('fail');
    expect(phase.precision?.tightest).toBe('bf16-acc32');
    expect(phase.failure?.repro).toContain("torch_client.py --precision bf16'");
  }, 120_000);

  it('a bad flag stops the client with one line naming it, exit 2', () => {
    const run = spawnSync(PYTHON, ['scripts/clients/torch_client.py', '--precision', 'fp8'], {
      encoding: 'utf8',
      input: '',
    });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--precision: invalid choice: 'fp8'/);
  });
});
