/**
 * Workspace of the im2col convolution: how wide a block of output positions is,
 * how many bytes that costs, and the module-level buffers reused across calls.
 */
import type { ConvGeometry, DType } from '../../reference/index.ts';
import { GemmWorkspace, gemmBlocking, gemmWorkspaceBytes } from '../gemm/index.ts';

/**
 * Target size of one column block, in elements (8 MiB: it is packed as float64).
 * Large enough that the GEMM sees thousands of columns per call on common layers
 * (and packs the weights rarely), small enough to stay in L3.
 */
export const columnBlockElements = 2 ** 20;

/**
 * Default refusal threshold of {@link im2colWorkspaceBytes}: 1 GiB. Common layers
 * need under 10 MiB; only a reduction length R beyond 2^18 makes the (one-column)
 * block grow past 8 MiB. The packing buffer lives on the JS heap (a double array),
 * so the threshold also keeps it well inside V8's heap limit.
 */
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
 * columnBlockWidth(convGeometry(p)); // 1820 for R = 576 (64 channels, 3×3) and ΠO ≥ 1820
 * ```
 */
export function columnBlockWidth(g: ConvGeometry): number {
  return inputIsColumns(g) ? g.outputVolume : builtColumnBlockWidth(g);
}

/**
 * Output positions per column block when the columns are built (never the input in
 * place): the formula of {@link columnBlockWidth} without its 1×1 shortcut. The
 * WebAssembly kernel always builds its columns, so it uses this one.
 *
 * @example
 * ```ts
 * builtColumnBlockWidth(convGeometry(p)); // 1820 for R = 576 and ΠO ≥ 1820
 * ```
 */
export function builtColumnBlockWidth(g: ConvGeometry): number {
  const width = Math.min(
    g.outputVolume,
    Math.max(1, Math.floor(columnBlockElements / g.reductionLength)),
  );
  const NR = gemmBlocking.NR;
  return width < g.outputVolume && width >= NR ? width - (width % NR) : width;
}

/**
 * Bytes of workspace {@link im2colConv} needs for a problem. The column block is
 * written straight into the GEMM's packing buffer (float64 for both dtypes), so
 *
 *   bytes = 8 · (min(MC, ⌈M/4⌉·4) · min(KC, R) + ⌈W/4⌉·4 · R + 16)
 *
 * with M = Cout/g, R = (Cin/g)·ΠK, W = {@link columnBlockWidth}, MC = 128, KC = 256
 * (`gemmWorkspaceBytes(M, W, R, true)`). When the input serves as the column matrix
 * (1×1, stride 1, no padding) the GEMM packs it block by block instead:
 * `gemmWorkspaceBytes(M, ΠO, R)`, at most 4.25 MiB. Since W ≤ max(1, 2^20 / R), the
 * column block holds at most max(2^20, 4R) doubles. `dtype` does not change the
 * figure; it is taken so the formula can change without changing callers.
 *
 * @example
 * ```ts
 * im2colWorkspaceBytes(convGeometry(p), 'float32');
 * ```
 */
export function im2colWorkspaceBytes(g: ConvGeometry, _dtype: DType): number {
  const M = g.outChannelsPerGroup;
  const R = g.reductionLength;
  if (inputIsColumns(g)) return gemmWorkspaceBytes(M, g.outputVolume, R);
  return gemmWorkspaceBytes(M, columnBlockWidth(g), R, true);
}

/** The GEMM workspace kept between calls; it only grows, up to the largest problem accepted. */
let cache = new GemmWorkspace();

/** The shared GEMM workspace (the column blocks are packed into it). */
export function gemmWorkspace(): GemmWorkspace {
  return cache;
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
  cache = new GemmWorkspace();
}
