/**
 * `convcheck check` on the ops beyond the forward conv (reference/ops.ts): a
 * phase group per op the kernel implements, the op's oracle and bound, and a
 * broken kernel per op caught with a repro that names the op.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkKernel } from '../../index.ts';
import {
  backwardDataAsConvTranspose,
  type ConvKernel,
  type ConvTransposeProblem,
  referenceConv,
  referenceConvBackwardData,
  referenceConvBackwardWeights,
  referenceConvTranspose,
} from '../../reference/index.ts';
import { verifyFixtures } from '../fixtures/verify.ts';

const f64 = (v: ArrayLike<number>) => Float64Array.from(v);

/** The oracles as one float64 kernel: correct by definition, every op. */
const oracle = (overrides: Partial<ConvKernel> = {}): ConvKernel => ({
  name: 'oracle-ops',
  dtype: 'float64',
  conv: (p, x, w, b) => referenceConv(p, x, w, b),
  convTranspose: (p, x, w, b) => referenceConvTranspose(p, x, w, b),
  convBackwardData: (p, dy, w) => referenceConvBackwardData(p, dy, w),
  convBackwardWeights: (p, x, dy) => referenceConvBackwardWeights(p, x, dy),
  ...overrides,
});

const quick = { suite: 'quick', seed: 5, runs: 12 } as const;

describe('convcheck check on every op a kernel implements', () => {
  it('runs a phase group per implemented op, and passes the oracles', async () => {
    const report = await checkKernel(oracle(), quick);
    expect(report.exitCode).toBe(0);
    expect(report.phases.map((p) => p.phase)).toEqual([
      'exact data',
      'real data',
      'special data',
      ...['convtranspose', 'conv-backward-data', 'conv-backward-weights'].flatMap((op) =>
        ['exact', 'real', 'special'].map((d) => `${op} / ${d} data`),
      ),
    ]);
    for (const p of report.phases) expect(p.passed).toBe(12);
  });

  it('--ops selects, and an op the kernel lacks is a SKIP phase saying so', async () => {
    const convOnly: ConvKernel = {
      name: 'conv-only',
      dtype: 'float64',
      conv: (p, x, w, b) => referenceConv(p, x, w, b),
    };
    const printed: string[] = [];
    const progress = {
      phaseStart: (label: string) => printed.push(label),
      tick: () => {},
      phaseEnd: (summary: string) => printed.push(summary),
    };
    const report = await checkKernel(convOnly, { ...quick, ops: ['convtranspose'], progress });
    // The console shows the SKIP and its reason, not only the count in the last line.
    expect(printed).toEqual([
      'conv-only / convtranspose / all data',
      expect.stringMatching(/^SKIP — .*does not implement convtranspose/),
    ]);
    expect(report.phases).toHaveLength(1);
    expect(report.phases[0]).toMatchObject({ verdict: 'skip', op: 'convtranspose' });
    expect(Object.keys(report.phases[0]!.skipReasons)[0]).toMatch(
      /does not implement convtranspose/,
    );
  });

  // One realistic convention bug per op; each must be caught at default settings.
  const broken: [string, Partial<ConvKernel>, RegExp][] = [
    [
      'convtranspose',
      // Pads removed from the wrong sides.
      {
        convTranspose: (p: ConvTransposeProblem, x, w, b) =>
          referenceConvTranspose({ ...p, padBegin: p.padEnd, padEnd: p.padBegin }, x, w, b),
      },
      /^(xcorr|trueconv)T:/,
    ],
    [
      'conv-backward-data',
      // The kernel not flipped for true convolution.
      {
        convBackwardData: (p, dy, w) =>
          referenceConvBackwardData({ ...p, mode: 'cross-correlation' }, dy, w),
      },
      /^trueconvBD:/,
    ],
    [
      'conv-backward-weights',
      // The batch sum dropped: only the first image.
      {
        convBackwardWeights: (p, x, dy) =>
          referenceConvBackwardWeights(
            { ...p, batch: 1 },
            f64(x).slice(0, x.length / p.batch),
            f64(dy).slice(0, dy.length / p.batch),
          ),
      },
      /BW:mb[2-9]/,
    ],
  ];

  it.each(broken)(
    'catches a broken %s with a repro that names the op',
    async (op, override, descriptor) => {
      const report = await checkKernel(oracle({ name: `broken-${op}`, ...override }), {
        ...quick,
        ops: [op as 'convtranspose'],
      });
      expect(report.exitCode).toBe(1);
      const failure = report.phases.find((p) => p.failure)?.failure;
      expect(failure?.op).toBe(op);
      expect(failure?.descriptor).toMatch(descriptor);
      expect(failure?.repro).toContain(`--ops ${op} --problem '${failure?.descriptor}'`);
      expect(failure?.replay).toContain(`--ops ${op}`);
    },
  );

  it('--save-failures writes an op failure as that op’s fixture, which verify replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convcheck-ops-'));
    try {
      const kernel = oracle({ name: 'broken', ...broken[0]![1] });
      const report = await checkKernel(kernel, {
        ...quick,
        ops: ['convtranspose'],
        saveFailures: dir,
      });
      expect(report.exitCode).toBe(1);
      const saved = report.phases.find((p) => p.failure)?.failure?.savedTo;
      expect(saved).toBeDefined();
      // One fixture per failing phase (exact, real, special data).
      expect(readdirSync(dir)).toContain(saved!.slice(dir.length + 1));
      // The broken kernel fails the saved case again; the oracle replays it bit for bit.
      const replay = await verifyFixtures({ dir: saved!, host: kernel });
      expect(replay.results.map((r) => [r.op, r.verdict])).toEqual([['convtranspose', 'fail']]);
      const oracleReplay = await verifyFixtures({ dir: saved! });
      expect(oracleReplay.results.find((r) => r.checker === 'oracle')?.verdict).toBe('pass');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('backward data through ConvTranspose (the built-in im2col way) passes', async () => {
    const viaTranspose = oracle({
      convBackwardData: (p, dy, w) => referenceConvTranspose(backwardDataAsConvTranspose(p), dy, w),
    });
    const report = await checkKernel(viaTranspose, { ...quick, ops: ['conv-backward-data'] });
    expect(report.exitCode).toBe(0);
  });
});
