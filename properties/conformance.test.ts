/**
 * Over 300 lines, on purpose: a unit's test file holds all of its tests: the conformance
 * property on correct, broken and misbehaving kernels.
 */
import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { im2colKernel, im2colKernel64 } from '../impl/im2col/index.ts';
import {
  createWinogradSimdKernel,
  im2colSimdKernel,
  winogradF2SimdKernel,
  winogradF4SimdKernel,
} from '../impl/wasm/index.ts';
import { assembled, brokenGemmEdits } from '../impl/wasm/testing.ts';
import { winogradF2Kernel, winogradF4Kernel } from '../impl/winograd/index.ts';
import {
  type ConvKernel,
  type ConvProblem,
  convGeometry,
  referenceConv,
} from '../reference/index.ts';
import { winogradGradeKernel } from './broken/correct.ts';
import {
  biasDroppedKernel,
  brokenKernels,
  flipMissingKernel,
  groupsMisMappedKernel,
  padsSwappedKernel,
  roundUpAccumulatorKernel,
  tileEdgeKernel,
} from './broken/kernels.ts';
import {
  type ConformanceOptions,
  checkConformanceCase,
  conformanceProperty,
  conformanceStats,
  runConformance,
} from './conformance.ts';
import type { DataKind } from './data.ts';
import { referenceKernel } from './kernels.ts';
import { ConformanceFailure, formatFailureReport } from './report.ts';
import { type Comparison, STATISTICS } from './tolerance.ts';
import { winogradModel } from './winogradModel.ts';

const DATA: DataKind[] = ['exact', 'real', 'special'];

/** Where convcheck's Winograd kernels work: 1-D and 2-D, stride 1, dilation 1. */
const winogradConstraints = { dims: [1, 2] as (1 | 2)[], maxStride: 1, maxDilation: 1 };

async function passes(kernel: ConvKernel, options: ConformanceOptions) {
  const stats = conformanceStats();
  await fc.assert(conformanceProperty(kernel, { ...options, stats }));
  // A property that skipped everything proved nothing.
  expect(stats.checked).toBeGreaterThan(0);
  return stats;
}

describe('correct kernels conform on every kind of data', () => {
  it.each(DATA)('the oracle rounded to float32, %s data', async (data) => {
    await passes(referenceKernel('float32'), { data });
  });

  it.each(DATA)('im2col (float32), %s data (bit-exact on exact data)', async (data) => {
    await passes(im2colKernel, { data });
  });

  it.each(DATA)(
    'im2col-simd (WebAssembly, float32), %s data (bit-exact on exact data)',
    async (data) => {
      await passes(im2colSimdKernel, { data });
    },
  );

  it.each(DATA)('im2col (float64), %s data', async (data) => {
    await passes(im2colKernel64, { data });
  });

  it.each(DATA)('Winograd F(2, r), %s data, under its derived bound', async (data) => {
    const stats = await passes(winogradF2Kernel, {
      data,
      model: (p) => winogradModel(2, p.kernelSize),
      constraints: winogradConstraints,
    });
    expect(stats.maxBoundRatio).toBeLessThan(1);
  });

  it.each(DATA)('Winograd F(4, r), %s data, under its derived bound', async (data) => {
    await passes(winogradF4Kernel, {
      data,
      model: (p) => winogradModel(4, p.kernelSize),
      constraints: winogradConstraints,
    });
  });

  it.each(DATA)(
    'Winograd F(2, r) and F(4, r) on the WebAssembly SIMD GEMM, %s data',
    async (data) => {
      for (const [m, kernel] of [
        [2, winogradF2SimdKernel],
        [4, winogradF4SimdKernel],
      ] as const) {
        const stats = await passes(kernel, {
          data,
          model: (p) => winogradModel(m, p.kernelSize),
          constraints: winogradConstraints,
        });
        expect(stats.maxBoundRatio).toBeLessThan(1);
      }
    },
  );

  it('Winograd F(4, r) on a deliberately broken SIMD GEMM fails under its derived bound', async () => {
    // One of the 4 × 12 tile's accumulators subtracts: the property must catch it.
    const broken = await assembled(brokenGemmEdits['one accumulator subtracts']!);
    const kernel = createWinogradSimdKernel({ m: 4, gemm: () => broken });
    const run = await fc.check(
      conformanceProperty(kernel, {
        data: 'real',
        model: (p) => winogradModel(4, p.kernelSize),
        constraints: winogradConstraints,
      }),
      { endOnFailure: true },
    );
    expect(run.failed).toBe(true);
    expect(run.errorInstance).toBeInstanceOf(ConformanceFailure);
  });

  it('simulated Winograd rounding errors pass under the Winograd bound and fail under the dot-product one', async () => {
    const kernel = winogradGradeKernel(4);
    await passes(kernel, {
      data: 'real',
      model: (p) => winogradModel(4, p.kernelSize),
      constraints: winogradConstraints,
    });
    const run = await fc.check(
      conformanceProperty(kernel, { data: 'real', constraints: winogradConstraints }),
      { endOnFailure: true },
    );
    expect(run.failed).toBe(true);
  });
});

describe('every broken kernel is caught', () => {
  it.each(
    brokenKernels.filter((k) => k !== roundUpAccumulatorKernel).map((k) => [k.name, k] as const),
  )('%s fails conformance on exact data', async (_name, kernel) => {
    const run = await fc.check(conformanceProperty(kernel, { data: 'exact' }), {
      endOnFailure: true,
    });
    expect(run.failed).toBe(true);
    expect(run.errorInstance).toBeInstanceOf(ConformanceFailure);
  });

  it('an accumulator rounding upward passes every element but fails the statistical checks', async () => {
    // The tensor-wide statistics apply only from STATISTICS.minOutputs outputs on, so
    // every drawn problem has at least 41 × 41 outputs (stride 1, slack ≥ 40, 2-D); with
    // the default generator, about 1 seed in 60 drew no problem that large.
    const large = { dims: [2], maxStride: 1, minInputSlack: 40, maxMacs: 2_000_000 } as const;
    expect(41 * 41).toBeGreaterThanOrEqual(STATISTICS.minOutputs);
    const run = await fc.check(
      conformanceProperty(roundUpAccumulatorKernel, { data: 'real', constraints: large }),
      { endOnFailure: true },
    );
    expect(run.failed).toBe(true);
    const comparison = (run.errorInstance as ConformanceFailure).comparison;
    expect(comparison.failures).toBe(0);
    // One-sided errors: the bias check, or the variance check when they are large enough.
    expect(comparison.reason).toMatch(/error (bias|variance)/);
  });
});

describe('shrinking and reports', () => {
  it('a missing flip shrinks to a two-tap true convolution with one channel', async () => {
    const run = await fc.check(conformanceProperty(flipMissingKernel, { data: 'exact' }));
    const c = run.counterexample?.[0];
    expect(c?.problem).toMatchObject({
      mode: 'convolution',
      batch: 1,
      inChannels: 1,
      outChannels: 1,
      groups: 1,
      bias: false,
    });
    expect(convGeometry(c!.problem).kernelVolume).toBe(2);
    expect(
      c!.problem.padBegin.every((v) => v === 0) && c!.problem.padEnd.every((v) => v === 0),
    ).toBe(true);
  });

  it('a failure report names the case, the worst elements and how to replay it; the replay reproduces it', async () => {
    const result = await runConformance(
      biasDroppedKernel,
      { data: 'exact', implSpec: './zoo/bias-dropped.mjs' },
      { seed: 42 },
    );
    expect(result.status).toBe('failed');
    const report = result.report!;
    expect(report.descriptor).toMatch(/_bias$/);
    expect(report.repro).toBe(
      `npx convcheck check --impl ./zoo/bias-dropped.mjs --seed 42 --path "${report.path}" --problem '${report.descriptor}'`,
    );
    const text = formatFailureReport(report);
    for (const part of [
      'FAILED conformance/exact',
      'worst elements',
      'expected',
      'replay:',
      'endOnFailure: true',
      'repro:',
    ]) {
      expect(text).toContain(part);
    }
    const replay = await fc.check(
      conformanceProperty(biasDroppedKernel, { data: 'exact' }),
      report.replay,
    );
    expect(replay.counterexample?.[0]).toEqual(report.convCase);
  });
});

function patternOf(kernel: ConvKernel, problem: ConvProblem): Promise<Comparison['pattern']> {
  return checkConformanceCase(kernel, { problem, data: 'exact', dataSeed: 1 }).then(
    () => undefined,
    (error: unknown) => (error as ConformanceFailure).comparison.pattern,
  );
}

describe('mismatch patterns of real bugs', () => {
  const base: ConvProblem = {
    mode: 'cross-correlation',
    batch: 1,
    inChannels: 2,
    outChannels: 4,
    groups: 1,
    inputSize: [6, 9],
    kernelSize: [3, 3],
    stride: [1, 1],
    dilation: [1, 1],
    padBegin: [0, 0],
    padEnd: [0, 0],
    bias: false,
  };

  it('a forgotten remainder loop is a tile-remainder pattern', async () => {
    expect((await patternOf(tileEdgeKernel, base))?.kind).toBe('tile-remainder');
  });

  it('swapped pads are a padding pattern', async () => {
    expect(
      (await patternOf(padsSwappedKernel, { ...base, padBegin: [0, 2], padEnd: [0, 1] }))?.kind,
    ).toBe('padding');
  });

  it('mis-mapped groups are a channel-mapping pattern', async () => {
    expect((await patternOf(groupsMisMappedKernel, { ...base, groups: 2 }))?.kind).toBe(
      'channel-mapping',
    );
  });

  it('a dropped bias is a semantics pattern naming the bias', async () => {
    expect((await patternOf(biasDroppedKernel, { ...base, bias: true }))?.detail).toMatch(/bias/);
  });

  /** TF32: inputs and weights rounded to a 10-bit mantissa, then an exact sum (a precision fault only). */
  const tf32 = (v: number) => {
    if (v === 0 || !Number.isFinite(v)) return v;
    const step = 2 ** (Math.floor(Math.log2(Math.abs(v))) - 10);
    return Math.round(v / step) * step;
  };
  const tf32Kernel: ConvKernel = {
    name: 'broken:tf32',
    dtype: 'float32',
    conv: (q, x, w, b) =>
      Float32Array.from(referenceConv(q, Array.from(x, tf32), Array.from(w, tf32), b)),
  };
  async function realPattern(kernel: ConvKernel, problem: ConvProblem) {
    for (let dataSeed = 1; dataSeed < 20; dataSeed++) {
      try {
        await checkConformanceCase(kernel, { problem, data: 'real', dataSeed });
      } catch (error) {
        return (error as ConformanceFailure).comparison.pattern;
      }
    }
    return undefined;
  }

  it.each([
    ['1 output', { ...base, inChannels: 1, outChannels: 1, inputSize: [3, 3] }],
    ['2 outputs', { ...base, inChannels: 1, outChannels: 2, inputSize: [3, 3] }],
    ['4 outputs (2×2)', { ...base, inChannels: 1, outChannels: 1, inputSize: [4, 4] }],
    ['many outputs', base],
  ])('rounding (TF32) is labelled precision, never layout or bias: %s', async (_name, problem) => {
    const pattern = await realPattern(tf32Kernel, problem);
    expect(pattern?.kind).toBe('precision');
    expect(pattern?.detail).not.toMatch(/swapped|bias|shifted/);
  });

  it.each([
    ['1 output', { ...base, inChannels: 1, outChannels: 1, inputSize: [3, 3], bias: true }],
    ['2 outputs', { ...base, inChannels: 1, outChannels: 2, inputSize: [3, 3], bias: true }],
  ])('a tiny counterexample gets no location or bias hint: %s', async (_name, problem) => {
    const pattern = await patternOf(biasDroppedKernel, problem);
    expect(pattern).toMatchObject({
      kind: 'unclassified',
      detail: expect.stringMatching(/too few/),
    });
  });
});

describe('kernels that misbehave outside arithmetic', () => {
  it('a kernel that supports nothing is reported as unsupported, not passed', async () => {
    const none: ConvKernel = { ...im2colKernel, name: 'none', supports: () => 'supports nothing' };
    const result = await runConformance(none, { data: 'real' }, { numRuns: 5 });
    expect(result.status).toBe('unsupported');
    expect(result.stats.unsupported.get('supports nothing')).toBeGreaterThan(0);
  });

  const p: ConvProblem = {
    mode: 'cross-correlation',
    batch: 1,
    inChannels: 1,
    outChannels: 1,
    groups: 1,
    inputSize: [4],
    kernelSize: [2],
    stride: [1],
    dilation: [1],
    padBegin: [0],
    padEnd: [0],
    bias: false,
  };

  async function verdictOf(kernel: ConvKernel): Promise<string | undefined> {
    try {
      await checkConformanceCase(kernel, { problem: p, data: 'real', dataSeed: 0 });
      return undefined;
    } catch (error) {
      const c = (error as ConformanceFailure).comparison;
      return `${c.verdict}: ${c.reason}`;
    }
  }

  it('writing into the input is an error', async () => {
    const mutating: ConvKernel = {
      name: 'mutating',
      conv(q, input, weight) {
        const out = referenceKernel('float32').conv(q, input, weight) as Float32Array;
        input[0] = 0;
        return out;
      },
    };
    expect(await verdictOf(mutating)).toMatch(/^error: .*wrote into its input/);
  });

  it('returning the wrong dtype or throwing is an error', async () => {
    const wrongType: ConvKernel = {
      name: 'f64-out',
      conv: (q, x, w) => referenceKernel('float64').conv(q, x, w),
    };
    expect(await verdictOf(wrongType)).toMatch(/^error: .*expected a float32 array/);
    const throwing: ConvKernel = {
      name: 'throws',
      conv() {
        throw new Error('boom');
      },
    };
    expect(await verdictOf(throwing)).toMatch(/^error: the kernel threw: boom/);
  });
});
