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
 * Just over 300 lines: the one-thread and two-thread products share the layout and
 * the per-image record above them; apart, each file would restate both.
 */
import {
  type ConvGeometry,
  type ConvProblem,
  checkConvOperands,
  convGeometry,
  formatDescriptor,
} from '../../reference/index.ts';
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import {
  builtColumnBlockWidth,
  columnPlan,
  fillColumns,
  type Im2colOptions,
  outputRuns,
  workspaceLimit,
} from '../im2col/index.ts';
import { inputIsColumns } from '../im2col/workspace.ts';
import {
  headerBytes,
  loadWasmGemm,
  maxMemoryBytes,
  scratchAddress,
  type WasmGemm,
} from './module.ts';
import { type GemmHelper, helperOf, type SplitProduct } from './threads.ts';

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
interface SimdLayout {
  a: number;
  b: number;
  c: number;
  /** Bytes in all. */
  end: number;
  /** Output positions per column block. */
  width: number;
}

/**
 * Where each region lives for this geometry, and how many bytes of WebAssembly
 * memory the call needs in all.
 *
 * @example
 * ```ts
 * simdLayout(convGeometry(p)).end; // bytes of WebAssembly memory the call uses
 * ```
 */
export function simdLayout(g: ConvGeometry): SimdLayout {
  const R = g.reductionLength;
  const width = builtColumnBlockWidth(g);
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
 * undefined when it can.
 *
 * @example
 * ```ts
 * im2colSimdRefusal(p); // undefined, or 'im2col-simd: WebAssembly GEMM not built: …'
 * ```
 */
export function im2colSimdRefusal(p: ConvProblem, options: Im2colOptions = {}): string | undefined {
  const gemm = loadWasmGemm();
  if (typeof gemm === 'string') return `im2col-simd: ${gemm}`;
  // The column builder fills padding with zeros only (kernels-note: decline the other modes).
  const zeros = zeroPaddingOnly(p);
  if (zeros !== true) return `im2col-simd: ${zeros}`;
  const g = convGeometry(p);
  const needed = simdLayout(g).end;
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
  const refusal = im2colSimdRefusal(p, options);
  if (refusal !== undefined) throw new RangeError(refusal);
  if (typeof gemm === 'string') throw new RangeError(`im2col-simd: ${gemm}`);
  const layout = simdLayout(g);
  gemm.reserve(layout.end);
  const out = new Float32Array(g.outputLength);
  for (let group = 0; group < g.groups; group++) {
    packWeights(g, w, group, gemm.floats(), layout.a / 4);
    for (let n = 0; n < g.batch; n++) {
      const image = { g, x, bias: b, n, group, gemm, layout };
      fillBias(image);
      if (helper === undefined) multiplyOneThread(image);
      else multiplyTwoThreads(image, helper);
      const c = layout.c / 4;
      const cog = g.outChannelsPerGroup;
      const P = g.outputVolume;
      out.set(gemm.floats().subarray(c, c + cog * P), (n * g.outChannels + group * cog) * P);
    }
  }
  return out;
}

/** One image and one group of a call: C[Cout/g × ΠO] = bias + weights · columns. */
interface ImageProduct {
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
function fillBias({ g, bias, group, gemm, layout }: ImageProduct): void {
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
function multiplyOneThread(image: ImageProduct): void {
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
function multiplyTwoThreads(image: ImageProduct, helper: GemmHelper): void {
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
