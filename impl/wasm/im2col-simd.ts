/**
 * im2col convolution with the WebAssembly SIMD GEMM (gemm.wat): the same column
 * matrix as impl/im2col (columnPlan / fillColumns, written straight into WASM memory
 * in the packed layout), the weights packed once per group, and a float32 GEMM that
 * accumulates into the bias. Every problem the oracle handles (1-D to 3-D, groups,
 * stride, dilation, padding, true convolution), float32 only.
 *
 * Memory layout (byte addresses in the module's memory), per call:
 *
 *   [header: control block, scratch tiles]  [A: ⌈Cout/g / 4⌉·4 × R]  [B: ⌈W / 12⌉·12 × R]  [C: Cout/g × ΠO]
 *
 * with R = (Cin/g)·ΠK and W the column-block width (for a 1×1 stride-1 unpadded layer,
 * B is the input itself, R rows of ΠO, row-major). C holds one image and group; it is
 * copied out once, so nothing crosses the JS boundary per tile.
 *
 * The product of each image and group, on one or two threads: im2col-simd-image.ts.
 */
import {
  type ConvGeometry,
  type ConvProblem,
  checkConvOperands,
  convGeometry,
  formatDescriptor,
} from '../../reference/index.ts';
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import { builtColumnBlockWidth, type Im2colOptions, workspaceLimit } from '../im2col/index.ts';
import { inputIsColumns } from '../im2col/workspace.ts';
import { fillBias, multiplyOneThread, multiplyTwoThreads } from './im2col-simd-image.ts';
import { headerBytes, loadWasmGemm, maxMemoryBytes, type WasmGemm } from './module.ts';
import { type GemmHelper, helperOf } from './threads.ts';

/** Options of the SIMD im2col kernel. */
export interface Im2colSimdOptions extends Im2colOptions {
  /**
   * 1 (default): the GEMM runs on the calling thread. 2: a worker_thread on the same
   * shared memory multiplies chunks of columns while the calling thread builds the
   * next ones (impl/wasm/threads.ts); the same bits as one thread.
   */
  threads?: 1 | 2;
}

/** Rows per A panel and columns per B sliver of the WASM micro-kernel (4 × 12). */
const PANEL_ROWS = 4;
const SLIVER_COLUMNS = 12;

const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

/** Byte addresses of the regions of one call (see the module comment). */
export interface SimdLayout {
  a: number;
  b: number;
  c: number;
  /** Bytes in all. */
  end: number;
  /** Output positions per column block. */
  width: number;
}

/**
 * Floats of the column block on two threads (32 MiB). They build and multiply the
 * block chunk by chunk, so its size does not decide what stays in cache, and every
 * block costs a start and a join: shape a (two blocks of the one-thread width) kept
 * the calling thread busy 5.3 ms per call against 4.8 ms in one block (CPU time).
 */
const twoThreadBlockElements = 2 ** 23;

/**
 * Where each region lives for this geometry, and how many bytes of WebAssembly
 * memory the call needs in all, on one or two threads.
 *
 * @example
 * ```ts
 * simdLayout(convGeometry(p)).end; // bytes of WebAssembly memory the call uses
 * ```
 */
export function simdLayout(g: ConvGeometry, threads: 1 | 2 = 1): SimdLayout {
  const R = g.reductionLength;
  const oneThreadWidth = builtColumnBlockWidth(g);
  const widest = Math.floor(twoThreadBlockElements / R);
  const width =
    threads === 1
      ? oneThreadWidth
      : Math.min(g.outputVolume, Math.max(oneThreadWidth, widest - (widest % 4)));
  const a = headerBytes;
  const b = a + 4 * roundUp(g.outChannelsPerGroup, PANEL_ROWS) * R;
  // A 1×1 stride-1 unpadded layer uses the input as B, all ΠO columns of it at once.
  const columns = inputIsColumns(g) ? g.outputVolume : roundUp(width, SLIVER_COLUMNS);
  // 12 floats of slack: a row-major B (1×1 layers) is read to ⌈N/12⌉·12 columns of its last row.
  const c = b + 4 * (columns * R + SLIVER_COLUMNS);
  return { a, b, c, end: c + 4 * g.outChannelsPerGroup * g.outputVolume, width };
}

/**
 * Why the SIMD kernel cannot run a problem (no WebAssembly GEMM, a non-zero padding
 * mode, invalid problem, memory over `maxWorkspaceBytes` or over the memory's 1 GiB maximum), or
 * undefined when it can. `gemm`: the loaded GEMM, or the reason there is none.
 *
 * @example
 * ```ts
 * im2colSimdRefusal(p); // undefined, or 'im2col-simd: WebAssembly GEMM not built: …'
 * ```
 */
export function im2colSimdRefusal(
  p: ConvProblem,
  options: Im2colSimdOptions = {},
  gemm: WasmGemm | string = loadWasmGemm(),
): string | undefined {
  if (typeof gemm === 'string') return `im2col-simd: ${gemm}`;
  // The column builder fills padding with zeros only (kernels-note: decline the other modes).
  const zeros = zeroPaddingOnly(p);
  if (zeros !== true) return `im2col-simd: ${zeros}`;
  const g = convGeometry(p);
  const needed = simdLayout(g, options.threads ?? 1).end;
  const limit = Math.min(workspaceLimit(options), maxMemoryBytes);
  if (needed <= limit) return undefined;
  return (
    `im2col-simd: ${formatDescriptor(p)} needs ${needed} bytes of WebAssembly memory, ` +
    `more than ${limit} (maxWorkspaceBytes or the memory's 1 GiB maximum)`
  );
}

/**
 * Float32 im2col convolution on the WebAssembly SIMD GEMM; returns a fresh output
 * array. Inputs are not modified.
 *
 * @throws ProblemError for an invalid problem, TypeError for operands of the wrong
 *   length, RangeError when the GEMM is unavailable or the memory would exceed the limit.
 *
 * @example
 * ```ts
 * const y = im2colSimdConv(p, x, w, p.bias ? b : undefined);
 * ```
 */
export function im2colSimdConv(
  p: ConvProblem,
  x: Float32Array,
  w: Float32Array,
  b?: Float32Array,
  options: Im2colSimdOptions = {},
): Float32Array {
  const gemm = loadWasmGemm();
  const threads = options.threads ?? 1;
  const helper = typeof gemm !== 'string' && threads === 2 ? helperOf(gemm) : undefined;
  return im2colSimdConvOn(gemm, helper, p, x, w, b, options);
}

/**
 * {@link im2colSimdConv} on a given GEMM (the loaded one, or the reason it is missing)
 * and, for two threads, a given worker (tests pass one whose worker is broken).
 *
 * @example
 * ```ts
 * const gemm = ownWasmGemm() as WasmGemm;
 * im2colSimdConvOn(gemm, new GemmHelper(gemm), p, x, w);
 * ```
 */
export function im2colSimdConvOn(
  gemm: WasmGemm | string,
  helper: GemmHelper | undefined,
  p: ConvProblem,
  x: Float32Array,
  w: Float32Array,
  b: Float32Array | undefined,
  options: Im2colOptions = {},
): Float32Array {
  const g = convGeometry(p);
  checkConvOperands(g, x, w, b);
  if (typeof gemm === 'string') throw new RangeError(`im2col-simd: ${gemm}`);
  const threads = helper === undefined ? 1 : 2;
  const refusal = im2colSimdRefusal(p, { ...options, threads }, gemm);
  if (refusal !== undefined) throw new RangeError(refusal);
  const layout = simdLayout(g, threads);
  gemm.reserve(layout.end);
  const out = new Float32Array(g.outputLength);
  for (let group = 0; group < g.groups; group++) {
    packWeights(g, w, group, gemm.floats(), layout.a / 4);
    for (let n = 0; n < g.batch; n++) {
      const image = { g, x, bias: b, n, group, gemm, layout };
      fillBias(image);
      const work = g.outChannelsPerGroup * g.reductionLength * g.outputVolume;
      if (helper === undefined || work < twoThreadMinimum) multiplyOneThread(image);
      else multiplyTwoThreads(image, helper);
      const c = layout.c / 4;
      const cog = g.outChannelsPerGroup;
      const P = g.outputVolume;
      out.set(gemm.floats().subarray(c, c + cog * P), (n * g.outChannels + group * cog) * P);
    }
  }
  return out;
}

/**
 * Multiply-adds below which an image's product runs on the calling thread alone even
 * with two threads: each product posted to the worker costs its wake-up and the
 * caller's join, tens of microseconds, and 2^20 multiply-adds take about 60 µs on
 * one thread. A depthwise layer (shape e: 128 products of 1 × 9 × 3136) ran 3× slower
 * on two threads without this.
 */
export const twoThreadMinimum = 2 ** 20;

/**
 * Packs the weights of one group, a row-major [Cout/g × R] matrix, into panels of
 * 4 rows, k-major, at float index `start`; rows past Cout/g are zeros.
 */
function packWeights(
  g: ConvGeometry,
  w: Float32Array,
  group: number,
  memory: Float32Array,
  start: number,
): void {
  const R = g.reductionLength;
  const cog = g.outChannelsPerGroup;
  const rows = roundUp(cog, PANEL_ROWS);
  for (let row = 0; row < rows; row++) {
    const source = (group * cog + row) * R;
    let index = start + (row - (row % PANEL_ROWS)) * R + (row % PANEL_ROWS);
    for (let k = 0; k < R; k++, index += PANEL_ROWS) memory[index] = row < cog ? w[source + k]! : 0;
  }
}
