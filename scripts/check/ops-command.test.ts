/**
 * `convcheck check` on a subprocess program that implements the ops beyond
 * conv (docs/protocol.md, "Ops"): PyTorch's ConvTranspose and autograd through
 * scripts/clients/torch_client.py, declared with --ops, pass every op phase; the
 * same client with its ConvTranspose pads swapped is caught with a repro that
 * names the op. Without torch every test here is skipped and says why.
 * CONVCHECK_TORCH_PYTHON names another Python (default /usr/bin/python3).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkKernel } from '../../index.ts';

const PYTHON = process.env.CONVCHECK_TORCH_PYTHON ?? '/usr/bin/python3';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const missing =
  probe.status === 0
    ? undefined
    : `${PYTHON} cannot import torch (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;
const OPS = ['convtranspose', 'conv-backward-data', 'conv-backward-weights'] as const;
const quick = { suite: 'quick', seed: 9, runs: 10, ops: [...OPS] } as const;

describe.skipIf(missing !== undefined)(
  `the ops through a subprocess program (PyTorch)${missing ? ` — skipped: ${missing}` : ''}`,
  () => {
    it('PyTorch passes ConvTranspose and both backward passes', async () => {
      const report = await checkKernel(
        { command: `cd ${ROOT} && ${PYTHON} scripts/clients/torch_client.py` },
        quick,
      );
      expect(report.exitCode).toBe(0);
      expect(report.phases.map((p) => p.op)).toEqual(OPS.flatMap((op) => [op, op, op]));
      for (const p of report.phases) expect(p.passed).toBe(10);
    }, 120_000);

    it('a program with its ConvTranspose pads swapped is caught, with a repro naming the op', async () => {
      const report = await checkKernel(
        {
          command: `cd ${ROOT} && ${PYTHON} scripts/check/hosts/testdata/torch_pads_swapped_client.py`,
        },
        quick,
      );
      expect(report.exitCode).toBe(1);
      const failures = report.phases.filter((p) => p.failure);
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.every((p) => p.op === 'convtranspose')).toBe(true);
      expect(failures[0]!.failure!.repro).toMatch(
        /--ops convtranspose --problem '(xcorr|trueconv)T:/,
      );
    }, 120_000);
  },
);

describe('the op on the wire, without torch', () => {
  it('a program that reads no op answers conv only: the numpy client declines ConvTranspose, saying so', async () => {
    const report = await checkKernel(
      { command: `cd ${ROOT} && python3 scripts/clients/reference_client.py` },
      { suite: 'quick', seed: 9, runs: 2, ops: ['convtranspose'], dtype: 'float64' },
    );
    expect(report.nothingChecked).toBe(true);
    expect(Object.keys(report.phases[0]!.skipReasons)).toEqual([
      'this client implements conv only, not convtranspose',
    ]);
  }, 120_000);
});
