import { describe, expect, it } from 'vitest';
import { type ConvProblem, convGeometry } from '../../reference/index.ts';
import { seededRandom } from '../../reference/random.ts';
import { convProblem, testOperands } from '../../reference/testing.ts';
import {
  chunkColumns,
  GemmHelper,
  headerBytes,
  helperOf,
  im2colSimd2tKernel,
  im2colSimdConv,
  im2colSimdConvOn,
  loadWasmGemm,
  ownWasmGemm,
  simdLayout,
  twoThreadMinimum,
  type WasmGemm,
  workerSource,
} from './index.ts';
import { scratchAddress } from './module.ts';
import { brokenWorkerEdits, edited, slowWorkerEdits } from './testing.ts';

/** Real operands of `p` (uniform in [−1, 1), seeded): sums that round, so a wrong order shows. */
const operands = (p: ConvProblem) => {
  const random = seededRandom(22);
  return testOperands(p, () => 2 * random() - 1);
};

/**
 * Large enough for many chunks (729 columns, R = 288), so the worker takes some; 13
 * output channels and 729 columns end in edge tiles, which run in each thread's scratch.
 */
const packed = convProblem({
  inChannels: 32,
  outChannels: 13,
  inputSize: [27, 27],
  kernelSize: [3, 3],
  padBegin: [1, 1],
  padEnd: [1, 1],
  bias: true,
});
/** A 1×1 layer, 2 images × 2 groups: B is the group's input channels, row-major, copied in step by step. */
const rowMajor = convProblem({
  batch: 2,
  groups: 2,
  inChannels: 128,
  outChannels: 48,
  inputSize: [32, 32],
  kernelSize: [1, 1],
  bias: true,
});

/** The largest number of tries to see the worker take a chunk (a loaded machine may not run it at once). */
const TRIES = 30;

/**
 * Runs `conv` until the worker of `helper` has multiplied at least two chunks of a
 * call (so at least one past the first, whose B is at the block's start), and returns
 * that call's result (undefined if it never did in {@link TRIES} calls).
 */
function withWorker(helper: GemmHelper, conv: () => Float32Array): Float32Array | undefined {
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const before = helper.workerChunks;
    const y = conv();
    if (helper.workerChunks >= before + 2) return y;
  }
  return undefined;
}

describe('two threads (im2col-simd-2t)', () => {
  it.each([
    ['3×3, padded, bias (packed columns built in steps)', packed],
    ['1×1 (the input as B, copied in steps)', rowMajor],
  ] as const)('%s: the worker takes chunks and the bits equal one thread', (_, p) => {
    const { x, w, b } = operands(p);
    const g = convGeometry(p);
    expect(g.outputVolume).toBeGreaterThan(4 * chunkColumns);
    const work = g.outChannelsPerGroup * g.reductionLength * g.outputVolume;
    expect(work).toBeGreaterThan(twoThreadMinimum);
    const one = im2colSimdConv(p, x, w, b);
    const helper = helperOf(loadWasmGemm() as WasmGemm);
    const two = withWorker(helper, () => im2colSimd2tKernel.conv(p, x, w, b) as Float32Array);
    expect(two, 'the worker never took two chunks').toBeDefined();
    expect(Array.from(two!)).toEqual(Array.from(one));
  });

  it('several column blocks (columns over 2^23 floats): the same bits as one thread', () => {
    // R = 4608, 48 × 48 outputs: 4608 · 2304 floats > 2^23, so two blocks of 1820 and 484.
    const p = convProblem({
      inChannels: 512,
      outChannels: 5,
      inputSize: [48, 48],
      kernelSize: [3, 3],
      padBegin: [1, 1],
      padEnd: [1, 1],
    });
    const g = convGeometry(p);
    expect(simdLayout(g, 2).width).toBeLessThan(g.outputVolume);
    const { x, w } = operands(p);
    const helper = helperOf(loadWasmGemm() as WasmGemm);
    const two = withWorker(helper, () => im2colSimd2tKernel.conv(p, x, w) as Float32Array);
    expect(two, 'the worker never took two chunks').toBeDefined();
    expect(Array.from(two!)).toEqual(Array.from(im2colSimdConv(p, x, w)));
  });

  it.each(Object.keys(slowWorkerEdits))(
    '%s: the caller still gives the bits of one thread',
    (edit) => {
      const gemm = ownWasmGemm() as WasmGemm;
      const helper = new GemmHelper(gemm, edited(workerSource, slowWorkerEdits[edit]!));
      const { x, w, b } = operands(packed);
      const y = im2colSimdConvOn(gemm, helper, packed, x, w, b);
      expect(Array.from(y)).toEqual(Array.from(im2colSimdConv(packed, x, w, b)));
    },
  );

  it('finish() without a product started does nothing', () => {
    const gemm = ownWasmGemm() as WasmGemm;
    const helper = new GemmHelper(gemm);
    expect(() => helper.finish()).not.toThrow();
    expect(helper.workerChunks).toBe(0);
  });

  it('a product under twoThreadMinimum multiply-adds stays on the calling thread', () => {
    // Depthwise: 16 products of 1 × 9 × 1024 multiply-adds each; the worker would fail.
    const p = convProblem({
      inChannels: 16,
      outChannels: 16,
      groups: 16,
      inputSize: [32, 32],
      kernelSize: [3, 3],
      padBegin: [1, 1],
      padEnd: [1, 1],
    });
    const g = convGeometry(p);
    expect(g.outChannelsPerGroup * g.reductionLength * g.outputVolume).toBeLessThan(
      twoThreadMinimum,
    );
    const gemm = ownWasmGemm() as WasmGemm;
    const helper = new GemmHelper(
      gemm,
      edited(workerSource, brokenWorkerEdits['the worker fails']!),
    );
    const { x, w, b } = operands(p);
    const y = im2colSimdConvOn(gemm, helper, p, x, w, b);
    expect(Array.from(y)).toEqual(Array.from(im2colSimdConv(p, x, w, b)));
  });

  it.each(Object.keys(brokenWorkerEdits).filter((edit) => edit !== 'the worker fails'))(
    'a worker where %s is caught',
    (edit) => {
      const gemm = ownWasmGemm() as WasmGemm;
      const helper = new GemmHelper(gemm, edited(workerSource, brokenWorkerEdits[edit]!));
      const { x, w, b } = operands(packed);
      const one = im2colSimdConv(packed, x, w, b);
      const two = withWorker(helper, () => im2colSimdConvOn(gemm, helper, packed, x, w, b));
      expect(two, 'the worker never took two chunks').toBeDefined();
      expect(Array.from(two!)).not.toEqual(Array.from(one));
    },
  );

  it('a failing worker makes conv() throw, and the next call runs again', () => {
    const gemm = ownWasmGemm() as WasmGemm;
    const failing = edited(workerSource, brokenWorkerEdits['the worker fails']!);
    const helper = new GemmHelper(gemm, failing);
    const { x, w, b } = operands(packed);
    const conv = () => im2colSimdConvOn(gemm, helper, packed, x, w, b);
    let thrown: unknown;
    for (let attempt = 0; attempt < TRIES && thrown === undefined; attempt++) {
      try {
        conv();
      } catch (error) {
        thrown = error;
      }
    }
    expect(String(thrown)).toBe('Error: im2col-simd: the GEMM failed on the worker thread');
    // The 1×1 product calls gemmRowB, which the edit left intact: the helper is usable again.
    const { x: x1, w: w1, b: b1 } = operands(rowMajor);
    const y = im2colSimdConvOn(gemm, helper, rowMajor, x1, w1, b1);
    expect(Array.from(y)).toEqual(Array.from(im2colSimdConv(rowMajor, x1, w1, b1)));
  });
});

describe('GemmHelper.multiply', () => {
  it('builds B in steps of 48, 96, 192, then 384 columns, and the product is exact', () => {
    const gemm = ownWasmGemm() as WasmGemm;
    const helper = new GemmHelper(gemm);
    const [M, N, K] = [5, 1000, 7];
    const random = seededRandom(5);
    const A = Array.from({ length: M * K }, () => Math.floor(16 * random()) - 8);
    const B = Array.from({ length: K * N }, () => Math.floor(16 * random()) - 8);
    // Packed A (panels of 4 rows, k-major), packed B (panels of 4 columns), C = 0.
    const a = headerBytes;
    const b = a + 16 * 2 * K;
    const c = b + 4 * (Math.ceil(N / 12) * 12 * K + 12);
    gemm.reserve(c + 4 * M * N);
    const memory = gemm.floats();
    for (let i = 0; i < 8; i++) {
      for (let k = 0; k < K; k++)
        memory[a / 4 + (i >> 2) * 4 * K + 4 * k + (i & 3)] = i < M ? A[i * K + k]! : 0;
    }
    memory.fill(0, c / 4, c / 4 + M * N);
    const steps: [number, number][] = [];
    const job = { rowMajorB: false, M, N, K, a, b, ldb: 0, c, ldc: N };
    let workerDuringBuild = false;
    helper.multiply(job, [scratchAddress(0), scratchAddress(1)], (q0, width) => {
      steps.push([q0, width]);
      if (q0 === 48) {
        // The first chunk is published: the worker multiplies it while the build goes on
        // (waiting up to 5 s for it to get a core on a loaded machine).
        const sleeper = new Int32Array(new SharedArrayBuffer(4));
        const deadline = Date.now() + 5000;
        while (helper.workerChunks === 0 && Date.now() < deadline) Atomics.wait(sleeper, 0, 0, 1);
        workerDuringBuild = helper.workerChunks > 0;
      }
      for (let n = q0; n < q0 + width; n++) {
        for (let k = 0; k < K; k++)
          memory[b / 4 + (n >> 2) * 4 * K + 4 * k + (n & 3)] = B[k * N + n]!;
      }
    });
    expect(workerDuringBuild).toBe(true);
    expect(steps).toEqual([
      [0, 48],
      [48, 96],
      [144, 192],
      [336, 384],
      [720, 280],
    ]);
    let mismatches = 0;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += A[i * K + k]! * B[k * N + j]!;
        if (memory[c / 4 + i * N + j] !== sum) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });
});

describe('the column block on two threads', () => {
  it('is the whole image when its columns fit 2^23 floats, else the widest multiple of 4 that fits', () => {
    const layer = (inChannels: number, size: number) =>
      convGeometry(
        convProblem({
          inChannels,
          outChannels: 4,
          inputSize: [size, size],
          kernelSize: [3, 3],
          padBegin: [1, 1],
          padEnd: [1, 1],
        }),
      );
    // Shape a's geometry: 576 × 3136 floats fit, so one block (the one-thread block is 1820 wide).
    const a = layer(64, 56);
    expect(simdLayout(a, 1).width).toBeLessThan(a.outputVolume);
    expect(simdLayout(a, 2).width).toBe(a.outputVolume);
    // R = 2997 (333 channels × 9), 4096 outputs: 2^23 / 2997 = 2798.9.
    const wide = layer(333, 64);
    const width = simdLayout(wide, 2).width;
    expect(width % 4).toBe(0);
    expect(width * wide.reductionLength).toBeLessThanOrEqual(2 ** 23);
    expect((width + 4) * wide.reductionLength).toBeGreaterThan(2 ** 23);
    expect(simdLayout(wide, 2).end).toBeGreaterThan(simdLayout(wide, 1).end);
  });
});
