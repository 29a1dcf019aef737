import { describe, expect, it } from 'vitest';
import { type ConvProblem, convGeometry } from '../../reference/index.ts';
import { seededRandom } from '../../reference/random.ts';
import { convProblem, testOperands } from '../../reference/testing.ts';
import {
  chunkColumns,
  GemmHelper,
  helperOf,
  im2colSimd2tKernel,
  im2colSimdConv,
  im2colSimdConvOn,
  loadWasmGemm,
  ownWasmGemm,
  twoThreadMinimum,
  type WasmGemm,
  workerSource,
} from './index.ts';
import { brokenWorkerEdits, edited } from './testing.ts';

/** Real operands of `p` (uniform in [−1, 1), seeded): sums that round, so a wrong order shows. */
const operands = (p: ConvProblem) => {
  const random = seededRandom(22);
  return testOperands(p, () => 2 * random() - 1);
};

/** Large enough for many chunks (784 columns, R = 288), so the worker takes some. */
const packed = convProblem({
  inChannels: 32,
  outChannels: 12,
  inputSize: [28, 28],
  kernelSize: [3, 3],
  padBegin: [1, 1],
  padEnd: [1, 1],
  bias: true,
});
/** A 1×1 layer: B is the input, row-major, copied in step by step. */
const rowMajor = convProblem({
  inChannels: 64,
  outChannels: 24,
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
    expect(g.outChannels * g.reductionLength * g.outputVolume).toBeGreaterThan(twoThreadMinimum);
    const one = im2colSimdConv(p, x, w, b);
    const helper = helperOf(loadWasmGemm() as WasmGemm);
    const two = withWorker(helper, () => im2colSimd2tKernel.conv(p, x, w, b) as Float32Array);
    expect(two, 'the worker never took two chunks').toBeDefined();
    expect(Array.from(two!)).toEqual(Array.from(one));
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
