/**
 * The product of one image and one channel group of the SIMD im2col convolution
 * (im2col-simd.ts lays out the memory and loops over images and groups):
 * C[Cout/g × ΠO] = bias + weights · columns, on the calling thread alone or on two
 * threads (threads.ts), with the same bits either way.
 */
import type { ConvGeometry } from '../../reference/index.ts';
import { columnPlan, fillColumns, outputRuns } from '../im2col/index.ts';
import { inputIsColumns } from '../im2col/workspace.ts';
import type { SimdLayout } from './im2col-simd.ts';
import { scratchAddress, type WasmGemm } from './module.ts';
import type { GemmHelper, SplitProduct } from './threads.ts';

/** One image and one group of a call: C[Cout/g × ΠO] = bias + weights · columns. */
export interface ImageProduct {
  g: ConvGeometry;
  x: Float32Array;
  bias: Float32Array | undefined;
  n: number;
  group: number;
  gemm: WasmGemm;
  layout: SimdLayout;
}

/** Index in x of the first element of the image's group's first input channel. */
const channelStart = ({ g, n, group }: ImageProduct) =>
  (n * g.inChannels + group * g.inChannelsPerGroup) * g.inputVolume;

/** C = the bias of each output channel of the group (0 without bias). */
export function fillBias({ g, bias, group, gemm, layout }: ImageProduct): void {
  const P = g.outputVolume;
  const cog = g.outChannelsPerGroup;
  const memory = gemm.floats();
  const c = layout.c / 4;
  for (let oc = 0; oc < cog; oc++) {
    memory.fill(bias === undefined ? 0 : bias[group * cog + oc]!, c + oc * P, c + (oc + 1) * P);
  }
}

/**
 * A 1×1 stride-1 unpadded layer: the image's channels are B, row-major (row k is
 * input channel k, ΠO elements long), used as they lie instead of packed.
 */
function rowMajorInputProduct({ g, layout }: ImageProduct): SplitProduct {
  const P = g.outputVolume;
  const { a, b, c } = layout;
  return {
    rowMajorB: true,
    M: g.outChannelsPerGroup,
    N: P,
    K: g.reductionLength,
    a,
    b,
    ldb: P,
    c,
    ldc: P,
  };
}

/** C += A · columns on the calling thread, one column block at a time. */
export function multiplyOneThread(image: ImageProduct): void {
  const { g, x, gemm, layout } = image;
  if (inputIsColumns(g)) {
    const start = channelStart(image);
    gemm.floats().set(x.subarray(start, start + g.reductionLength * g.outputVolume), layout.b / 4);
    const { M, N, K, a, b, ldb, c, ldc } = rowMajorInputProduct(image);
    gemm.gemmRowB(M, N, K, a, b, ldb, c, ldc, scratchAddress(0));
    return;
  }
  const P = g.outputVolume;
  const R = g.reductionLength;
  const plan = columnPlan(g);
  for (let p0 = 0; p0 < P; p0 += layout.width) {
    const width = Math.min(layout.width, P - p0);
    const runs = outputRuns(plan, p0, width);
    fillColumns(plan, x, channelStart(image), runs, width, gemm.floats(), layout.b / 4);
    const cog = g.outChannelsPerGroup;
    gemm.gemm(cog, width, R, layout.a, layout.b, layout.c + 4 * p0, P, scratchAddress(0));
  }
}

/**
 * C += A · columns on two threads ({@link GemmHelper.multiply}): the calling thread
 * builds B step by step — the column matrix block by block, or for a 1×1 layer the
 * input rows as they lie — while the worker multiplies the chunks already built.
 */
export function multiplyTwoThreads(image: ImageProduct, helper: GemmHelper): void {
  const { g, x, gemm, layout } = image;
  const P = g.outputVolume;
  const R = g.reductionLength;
  const M = g.outChannelsPerGroup;
  const start = channelStart(image);
  const scratch: [number, number] = [scratchAddress(0), scratchAddress(1)];
  if (inputIsColumns(g)) {
    const job = rowMajorInputProduct(image);
    helper.multiply(job, scratch, (q0, width) => {
      // Row k of B is input channel k: copy the columns [q0, q0 + width) of every row.
      const memory = gemm.floats();
      for (let k = 0, from = start + q0, to = layout.b / 4 + q0; k < R; k++, from += P, to += P) {
        memory.set(x.subarray(from, from + width), to);
      }
    });
    return;
  }
  const plan = columnPlan(g);
  for (let p0 = 0; p0 < P; p0 += layout.width) {
    const N = Math.min(layout.width, P - p0);
    const c = layout.c + 4 * p0;
    const job = { rowMajorB: false, M, N, K: R, a: layout.a, b: layout.b, ldb: 0, c, ldc: P };
    // Packed panels of 4 columns: column q0 (a multiple of 4) starts at b + 4·q0·R.
    helper.multiply(job, scratch, (q0, width) => {
      const runs = outputRuns(plan, p0 + q0, width);
      fillColumns(plan, x, start, runs, width, gemm.floats(), layout.b / 4 + q0 * R);
    });
  }
}
