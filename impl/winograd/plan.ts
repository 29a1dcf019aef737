/**
 * The tiling plan of a Winograd convolution: which F(m, r) runs along each
 * spatial dimension and how the output is cut into tiles. The kernel, its
 * workspace estimate and the error bound all read this one record.
 */
import type { ConvGeometry } from '../../reference/index.ts';
import { gemmWorkspaceBytes } from '../gemm/index.ts';
import { type WinogradPoint, type WinogradTransforms, winogradTransforms } from './transforms.ts';

/** Picks the points for F(m, r); `undefined` means the default points. */
export type WinogradPointChooser = (m: number, r: number) => readonly WinogradPoint[] | undefined;

/** One spatial dimension of the plan (the height of a 1-D problem is a unit dimension). */
export interface WinogradAxis {
  /** Outputs per tile: the requested m, or 1 when the kernel has a single tap. */
  m: number;
  /** Kernel taps along this dimension. */
  r: number;
  /** Input tile length m + r − 1. */
  alpha: number;
  transforms: WinogradTransforms;
  inputSize: number;
  outputSize: number;
  padBegin: number;
  /** ⌈outputSize / m⌉. */
  tiles: number;
}

/** The plan for a stride-1, dilation-1, 1-D or 2-D problem, lifted to [H, W]. */
export interface WinogradPlan {
  height: WinogradAxis;
  width: WinogradAxis;
  /** height.alpha · width.alpha: the number of GEMMs. */
  alphaArea: number;
  tilesPerImage: number;
  /** Tiles transformed and multiplied together; bounds the V and M workspaces. */
  tilesPerBlock: number;
  /**
   * Elements from one ξν matrix of U, V or M to the next. Padded past the matrix size
   * because a power-of-two distance would map the α² write streams of a tile
   * transform to the same cache sets (measured 4× slower filter transforms).
   */
  matrixStride: { U: number; V: number; M: number };
}

/** Planning choices; `tilesPerBlock` defaults to a cache-sized block. */
export interface WinogradPlanOptions {
  m: number;
  points?: WinogradPointChooser;
  tilesPerBlock?: number;
}

/** Bytes of V plus M for one block, aimed at the 1 MiB L2 of the machines we run on. */
const BLOCK_BYTES = 512 * 1024;

function axis(
  m: number,
  r: number,
  inputSize: number,
  outputSize: number,
  padBegin: number,
  points?: WinogradPointChooser,
): WinogradAxis {
  // A single tap needs no transform: F(1, 1) is the identity and adds no rounding.
  const tileOutputs = r === 1 ? 1 : m;
  const transforms = winogradTransforms(tileOutputs, r, points?.(tileOutputs, r));
  return {
    m: tileOutputs,
    r,
    alpha: transforms.alpha,
    transforms,
    inputSize,
    outputSize,
    padBegin,
    tiles: Math.ceil(outputSize / tileOutputs),
  };
}

/**
 * Plans a Winograd convolution. The geometry must be 1-D or 2-D with stride 1
 * and dilation 1 (see the kernel's `supports`).
 *
 * @example
 * ```ts
 * const plan = winogradPlan(convGeometry(p), { m: 4 });
 * plan.width.alpha; // 6 for a 3-wide kernel
 * ```
 */
export function winogradPlan(g: ConvGeometry, options: WinogradPlanOptions): WinogradPlan {
  if (g.rank > 2) throw new RangeError(`winogradPlan: rank must be 1 or 2, got ${g.rank}`);
  const last = g.rank - 1;
  const width = axis(
    options.m,
    g.kernelSize[last]!,
    g.inputSize[last]!,
    g.outputSize[last]!,
    g.padBegin[last]!,
    options.points,
  );
  const height =
    g.rank === 2
      ? axis(
          options.m,
          g.kernelSize[0]!,
          g.inputSize[0]!,
          g.outputSize[0]!,
          g.padBegin[0]!,
          options.points,
        )
      : axis(1, 1, 1, 1, 0);
  const alphaArea = height.alpha * width.alpha;
  const tilesPerImage = height.tiles * width.tiles;
  const bytesPerTile = alphaArea * (g.inChannelsPerGroup + g.outChannelsPerGroup) * 4;
  const cacheBlock = Math.max(16, Math.floor(BLOCK_BYTES / bytesPerTile));
  const tilesPerBlock = Math.min(options.tilesPerBlock ?? cacheBlock, g.batch * tilesPerImage);
  const cig = g.inChannelsPerGroup;
  const cog = g.outChannelsPerGroup;
  const matrixStride = {
    U: cog * cig + STRIDE_PADDING,
    V: cig * tilesPerBlock + STRIDE_PADDING,
    M: cog * tilesPerBlock + STRIDE_PADDING,
  };
  return { height, width, alphaArea, tilesPerImage, tilesPerBlock, matrixStride };
}

/** One cache line of float32 (two of float64) between consecutive ξν matrices. */
const STRIDE_PADDING = 16;

/**
 * Bytes of the scratch buffers the Winograd kernel allocates for a problem:
 * the transformed filters U of one group (α² matrices C_out/g × C_in/g), V and M of
 * one tile block (α² matrices C_in/g × tilesPerBlock and C_out/g × tilesPerBlock),
 * each matrix padded by 16 elements, in the dtype's element size; plus the GEMM's
 * packing workspace.
 *
 * @example
 * ```ts
 * winogradWorkspaceBytes(convGeometry(p), 4, 'float32');
 * ```
 */
export function winogradWorkspaceBytes(
  g: ConvGeometry,
  m: number,
  dtype: 'float32' | 'float64',
): number {
  const plan = winogradPlan(g, { m });
  return workspaceBytesOf(plan, g, dtype);
}

/** {@link winogradWorkspaceBytes} for a plan already made. */
export function workspaceBytesOf(
  plan: WinogradPlan,
  g: ConvGeometry,
  dtype: 'float32' | 'float64',
): number {
  const { U, V, M } = plan.matrixStride;
  const elements = plan.alphaArea * (U + V + M);
  const gemm = gemmWorkspaceBytes(g.outChannelsPerGroup, plan.tilesPerBlock, g.inChannelsPerGroup);
  return elements * (dtype === 'float32' ? 4 : 8) + gemm;
}
