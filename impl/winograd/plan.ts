/**
 * The tiling plan of a Winograd convolution: which F(m, r) runs along each
 * spatial dimension and how the output is cut into tiles. The kernel, its
 * workspace estimate and the error bound all read this one record.
 */
import type { ConvGeometry } from '../../reference/index.ts';
import { gemmBlocking } from '../gemm/index.ts';
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
  /** height.alpha · width.alpha: the number of products U[ξν]·V[ξν]. */
  alphaArea: number;
  tilesPerImage: number;
  /** Tiles transformed and multiplied together; bounds V and M. */
  tilesPerBlock: number;
  /**
   * Output channels whose filters are transformed and multiplied together; bounds U.
   * All of a group's when their U fits {@link WHOLE_FILTER_BYTES} (then U is transformed
   * once per group), else a multiple of 4 (then U is transformed again per tile block).
   */
  outChannelsPerBlock: number;
  /**
   * Elements from one ξν matrix to the next: U and V in the packed float64 buffer,
   * M in the dtype. U[ξν] holds ⌈outChannelsPerBlock/4⌉ panels of 4 output channels,
   * V[ξν] ⌈tilesPerBlock/4⌉ panels of 4 tiles, each panel k-major over C_in/g (the
   * micro-kernel's layout); M[ξν] is [outChannelsPerBlock × tilesPerBlock]. Each is
   * padded past its size because a power-of-two distance would map the α² write
   * streams of a tile transform to the same cache sets (measured 4× slower filter
   * transforms).
   */
  matrixStride: { U: number; V: number; M: number };
}

/** Planning choices; the block sizes default to cache-sized blocks. */
export interface WinogradPlanOptions {
  m: number;
  points?: WinogradPointChooser;
  tilesPerBlock?: number;
  outChannelsPerBlock?: number;
}

/**
 * U (float64) of a whole group up to this size is transformed once and kept: it is
 * then read once per tile block, from L2/L3 (shape a: 64→64, 1.2 MiB).
 */
const WHOLE_FILTER_BYTES = 2 * 1024 * 1024;
/** Else U is cut into blocks of output channels of about this size, to stay in L2. */
const FILTER_BLOCK_BYTES = 256 * 1024;
/** Bytes of V plus M for one block when U is kept, aimed at the 1 MiB L2. */
const TILE_BLOCK_BYTES = 512 * 1024;
/**
 * Bytes of V when U is transformed per tile block: larger, since every tile block
 * costs a filter transform (shape b, 256→256 at 14×14, fits its 16 tiles in one block).
 */
const RETRANSFORM_TILE_BLOCK_BYTES = 2 * 1024 * 1024;
/**
 * Panel width of the packed U and V: the micro-kernel's register block, MR output
 * channels by NR tiles (both 4; one width serves both panels).
 *
 * @example
 * ```ts
 * (t - (t % PANEL_LANES)) * depth + k * PANEL_LANES + (t % PANEL_LANES); // tile t, depth k
 * ```
 */
export const PANEL_LANES = gemmBlocking.MR;
const LANES = PANEL_LANES;

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
  const blocks = blockSizes(g, alphaArea, g.batch * tilesPerImage, options);
  const cig = g.inChannelsPerGroup;
  const matrixStride = {
    U: roundUp(blocks.outChannelsPerBlock, LANES) * cig + STRIDE_PADDING,
    V: roundUp(blocks.tilesPerBlock, LANES) * cig + STRIDE_PADDING,
    M: blocks.outChannelsPerBlock * blocks.tilesPerBlock + STRIDE_PADDING,
  };
  return { height, width, alphaArea, tilesPerImage, ...blocks, matrixStride };
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/** Output channels and tiles per block (see {@link WinogradPlan}). */
function blockSizes(
  g: ConvGeometry,
  alphaArea: number,
  totalTiles: number,
  options: WinogradPlanOptions,
): { tilesPerBlock: number; outChannelsPerBlock: number } {
  const cig = g.inChannelsPerGroup;
  const cog = g.outChannelsPerGroup;
  const filterBytes = (channels: number) => alphaArea * roundUp(channels, LANES) * cig * 8;
  const wholeFilters = filterBytes(cog) <= WHOLE_FILTER_BYTES;
  const fitting = LANES * Math.floor(FILTER_BLOCK_BYTES / filterBytes(LANES));
  const outChannelsPerBlock = Math.min(
    cog,
    options.outChannelsPerBlock ?? (wholeFilters ? cog : Math.max(LANES, fitting)),
  );
  const bytesPerTile = wholeFilters
    ? alphaArea * (cig * 8 + outChannelsPerBlock * 4)
    : alphaArea * cig * 8;
  const budget = wholeFilters ? TILE_BLOCK_BYTES : RETRANSFORM_TILE_BLOCK_BYTES;
  const cacheBlock = Math.max(16, Math.floor(budget / bytesPerTile));
  const tilesPerBlock = Math.min(options.tilesPerBlock ?? cacheBlock, totalTiles);
  return { tilesPerBlock, outChannelsPerBlock };
}

/** Elements between consecutive ξν matrices past their size: a cache line of float32, two of float64. */
const STRIDE_PADDING = 16;

/**
 * Bytes of the scratch buffers the Winograd kernel allocates for a problem: the
 * packed float64 buffer holding V of one tile block and U of one block of output
 * channels (α² matrices each, see {@link WinogradPlan.matrixStride}), M of one
 * block in the dtype, and the micro-kernel's 4 × 4 float64 tile.
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
  return workspaceBytesOf(plan, dtype);
}

/** Float64 elements of the packed buffer: V, then U. */
export function packedElementsOf(plan: WinogradPlan): number {
  return plan.alphaArea * (plan.matrixStride.V + plan.matrixStride.U);
}

/** {@link winogradWorkspaceBytes} for a plan already made. */
export function workspaceBytesOf(plan: WinogradPlan, dtype: 'float32' | 'float64'): number {
  const productElements = plan.alphaArea * plan.matrixStride.M;
  return (
    8 * packedElementsOf(plan) + productElements * (dtype === 'float32' ? 4 : 8) + 8 * LANES * LANES
  );
}
