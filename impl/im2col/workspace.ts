/**
 * Workspace of the im2col convolution: how wide a block of output positions is,
 * how many bytes that costs, and the module-level buffers reused across calls.
 */
import type { ConvGeometry, DType } from '../../reference/index.ts';
import { GemmWorkspace, gemmBlocking, gemmWorkspaceBytes } from '../gemm/index.ts';

/**
 * Target size of one column block, in elements (4 MiB as float32). Large enough
 * that the GEMM sees thousands of columns per call on common layers (and packs
 * the weights rarely), small enough to stay in L3.
 */
export const columnBlockElements = 2 ** 20;

/** Default refusal threshold of {@link im2colWorkspaceBytes}: 1 GiB. */
export const defaultMaxWorkspaceBytes = 2 ** 30;

/**
 * True when the column matrix IS the input: a 1×…×1 kernel with unit stride and
 * no padding reads every input position exactly once, in order.
 */
export function inputIsColumns(g: ConvGeometry): boolean {
  return (
    g.kernelVolume === 1 &&
    g.stride.every((s) => s === 1) &&
    g.padBegin.every((pad) => pad === 0) &&
    g.padEnd.every((pad) => pad === 0)
  );
}

/**
 * Output positions per column block:
 * `width = min(ΠO, max(1, ⌊columnBlockElements / R⌋))`, rounded down to a multiple
 * of the GEMM's NR when that leaves at least NR; `ΠO` when the input is used in
 * place of the columns. R = reductionLength = (Cin/g)·ΠK.
 *
 * @example
 * ```ts
 * columnBlockWidth(convGeometry(p)); // e.g. 1816 for R = 576
 * ```
 */
export function columnBlockWidth(g: ConvGeometry): number {
  if (inputIsColumns(g)) return g.outputVolume;
  const width = Math.min(
    g.outputVolume,
    Math.max(1, Math.floor(columnBlockElements / g.reductionLength)),
  );
  const NR = gemmBlocking.NR;
  return width < g.outputVolume && width >= NR ? width - (width % NR) : width;
}

/**
 * Bytes of workspace {@link im2colConv} needs for a problem:
 *
 *   bytes = e · R · W  +  gemmWorkspaceBytes(Cout/g, W, R)
 *
 * with e = 4 (float32) or 8 (float64), R = (Cin/g)·ΠK, W = {@link columnBlockWidth};
 * the first term is 0 when the input serves as the column matrix (1×1, stride 1,
 * no padding). Since W ≤ max(1, 2^20 / R), the column block holds at most
 * max(2^20, R) elements, and the GEMM part is at most 4.25 MiB.
 *
 * @example
 * ```ts
 * im2colWorkspaceBytes(convGeometry(p), 'float32');
 * ```
 */
export function im2colWorkspaceBytes(g: ConvGeometry, dtype: DType): number {
  const width = columnBlockWidth(g);
  const columns = inputIsColumns(g) ? 0 : g.reductionLength * width;
  const bytesPerElement = dtype === 'float32' ? 4 : 8;
  return (
    bytesPerElement * columns + gemmWorkspaceBytes(g.outChannelsPerGroup, width, g.reductionLength)
  );
}

/** Buffers kept between calls; they only grow, up to the largest problem accepted. */
const cache = {
  columns32: new Float32Array(0),
  columns64: new Float64Array(0),
  gemm: new GemmWorkspace(),
};

/**
 * The shared column buffer of a dtype, with at least `elements` entries. It is
 * reused by the next call, so it is never handed to a caller.
 */
export function columnBuffer(dtype: 'float32', elements: number): Float32Array;
export function columnBuffer(dtype: 'float64', elements: number): Float64Array;
export function columnBuffer(dtype: DType, elements: number): Float32Array | Float64Array {
  if (dtype === 'float32') {
    if (cache.columns32.length < elements) cache.columns32 = new Float32Array(elements);
    return cache.columns32;
  }
  if (cache.columns64.length < elements) cache.columns64 = new Float64Array(elements);
  return cache.columns64;
}

/** The shared GEMM workspace. */
export function gemmWorkspace(): GemmWorkspace {
  return cache.gemm;
}

/**
 * Drops the cached buffers (they are rebuilt on the next call), for a long-lived
 * process that ran one huge layer and wants the memory back.
 *
 * @example
 * ```ts
 * releaseIm2colWorkspace();
 * ```
 */
export function releaseIm2colWorkspace(): void {
  cache.columns32 = new Float32Array(0);
  cache.columns64 = new Float64Array(0);
  cache.gemm = new GemmWorkspace();
}
