/**
 * Winograd F(m×m, r×r) with its batched products on the WebAssembly SIMD GEMM
 * (gemm.wat): `winograd-f2-simd` and `winograd-f4-simd`. The transforms, the tiling
 * and the supported set are impl/winograd's; only where U, V and M live and how
 * M[ξν] = U[ξν]·V[ξν] is formed change (impl/winograd/products.ts).
 *
 * The filter and input transforms write U and V, rounded to float32 by the store,
 * straight into WebAssembly memory in the GEMM's packed layout (panels of 4 output
 * channels / 4 tiles, k-major over C_in/g: the layout the JS micro-kernel reads
 * too), so nothing is packed or copied per micro-tile; one `gemm` call per ξν forms
 * M[ξν] as a float32 dot product over C_in/g, FMA-free and in increasing channel
 * order. The output transform reads M from the same memory. Memory, per call:
 *
 *   [header: control block, scratch tiles]  [V: α² × strideV]  [U: α² × strideU]  [M: α² × strideM]  [slack]
 *
 * with the plan's matrix strides (float32 elements). The GEMM reads B for
 * ⌈count/12⌉·12 columns; the lanes past `count` land in U or the slack and their
 * results are discarded.
 */
import type { ConvGeometry, ConvKernel, FloatArray } from '../../reference/index.ts';
import { createWinogradKernelOn, lazyKernel } from '../winograd/kernel.ts';
import type { WinogradPlan } from '../winograd/plan.ts';
import type { WinogradProducts } from '../winograd/products.ts';
import {
  planOf,
  type Settings,
  settingsOf,
  type WinogradKernelOptions,
} from '../winograd/settings.ts';
import { FilterCache } from './filter-cache.ts';
import {
  headerBytes,
  maxMemoryBytes,
  ownWasmGemm,
  scratchAddress,
  type WasmGemm,
} from './module.ts';
import { type TileRegions, tileRegions, wasmTiles, wasmTransformKey } from './tile-transforms.ts';
import { builtTransforms, type TransformsLoader } from './transforms-module.ts';

/** Columns of C per register tile of the GEMM: tile blocks are multiples of it. */
const SLIVER_COLUMNS = 12;

/** Float32 element indexes of the regions of one call (see the module comment). */
interface WinogradSimdLayout {
  v: number;
  u: number;
  m: number;
  /** The regions of the WebAssembly tile transforms, when the plan's are in transforms.wasm. */
  tiles: TileRegions | undefined;
  /** One past the last float32 element used. */
  end: number;
}

/**
 * Where V, U and M live in WebAssembly memory for this plan.
 *
 * @example
 * ```ts
 * winogradSimdLayout(g, plan).end * 4; // bytes of WebAssembly memory the call uses
 * ```
 */
export function winogradSimdLayout(g: ConvGeometry, plan: WinogradPlan): WinogradSimdLayout {
  const v = headerBytes / 4;
  const u = v + plan.alphaArea * plan.matrixStride.V;
  const m = u + plan.alphaArea * plan.matrixStride.U;
  // Slack after M: the GEMM may read up to 8 columns (of C_in/g floats) past B's last one;
  // whichever of V and U is B, those reads stay inside the memory the call claims.
  const productsEnd = m + plan.alphaArea * plan.matrixStride.M + 8 * g.inChannelsPerGroup;
  const tiles = wasmTransformKey(plan) ? tileRegions(g, plan, productsEnd) : undefined;
  return { v, u, m, tiles, end: tiles?.end ?? productsEnd };
}

/**
 * U of a whole group (float32) up to this size is transformed once per call (or taken
 * from the filter cache) and multiplied in one GEMM per ξν: shape b's 256 → 256 is 9 MiB.
 */
const WHOLE_FILTER_BYTES = 32 * 1024 * 1024;
/** U of a block larger than this (about L2) is read into cache before each product (`touch`). */
const TOUCH_ABOVE_BYTES = 1024 * 1024;
/** Bytes of V plus M for one tile block, aimed at the 1 MiB L2. */
const TILE_BLOCK_BYTES = 512 * 1024;

/**
 * The plan for float32 panels: all of a group's filters in one block when their U fits
 * {@link WHOLE_FILTER_BYTES} (else the Winograd plan's channel blocks), and tile blocks
 * of whole 12-column slivers of the GEMM whose V and M fit {@link TILE_BLOCK_BYTES};
 * `tilesPerBlock` and `outChannelsPerBlock` chosen by the caller are kept.
 *
 * @example
 * ```ts
 * winogradSimdPlan(convGeometry(p), settingsOf({ m: 4 })).tilesPerBlock; // a multiple of 12, or all tiles
 * ```
 */
export function winogradSimdPlan(g: ConvGeometry, settings: Settings): WinogradPlan {
  const base = planOf(g, settings);
  const cig = g.inChannelsPerGroup;
  const cog = g.outChannelsPerGroup;
  const filterBytes = base.alphaArea * Math.ceil(cog / 4) * 4 * cig * 4;
  const outChannelsPerBlock =
    settings.outChannelsPerBlock ??
    (filterBytes <= WHOLE_FILTER_BYTES ? cog : base.outChannelsPerBlock);
  const bytesPerTile = base.alphaArea * 4 * (cig + outChannelsPerBlock);
  const slivers = Math.max(1, Math.floor(TILE_BLOCK_BYTES / bytesPerTile / SLIVER_COLUMNS));
  const tilesPerBlock = Math.min(
    settings.tilesPerBlock ?? slivers * SLIVER_COLUMNS,
    g.batch * base.tilesPerImage,
  );
  return planOf(g, { ...settings, tilesPerBlock, outChannelsPerBlock });
}

/**
 * Whether M[ξν] is better formed transposed, Mᵀ = Vᵀ·Uᵀ (tiles as rows, channels as
 * columns): when the channels leave a smaller fraction of a 12-column sliver over than
 * the tiles do. Shape b (256 channels, 16 tiles) would otherwise run a quarter of its
 * products on the 4 × 4 edge tile, at half the speed of the 4 × 12 one (profiled).
 */
function transposed(channels: number, count: number): boolean {
  const leftOver = (columns: number) => (columns % SLIVER_COLUMNS) / columns;
  return leftOver(channels) < leftOver(count);
}

/** U, V and M in WebAssembly memory, the products by the SIMD GEMM, U kept by `cache`. */
function wasmProducts(
  gemm: WasmGemm,
  g: ConvGeometry,
  plan: WinogradPlan,
  cache: FilterCache,
  transforms: TransformsLoader | undefined,
): WinogradProducts {
  const cig = g.inChannelsPerGroup;
  const layout = winogradSimdLayout(g, plan);
  gemm.reserve(4 * layout.end);
  // Taken after reserving: growing the memory replaces the view.
  const memory = gemm.floats();
  const { alphaArea, matrixStride } = plan;
  // U stays in this kernel's own memory between calls; the cache says when it is still
  // right. Only when one U holds all filters of the only group: otherwise the call
  // overwrites U block by block or group by group.
  const cacheable = g.groups === 1 && plan.outChannelsPerBlock >= g.outChannelsPerGroup;
  if (!cacheable) cache.forget();
  const key = [
    g.flipKernel,
    g.kernelSize,
    cig,
    g.outChannelsPerGroup,
    layout.u,
    matrixStride.U,
  ].join('|');
  // Reads U[ξν] into cache before its GEMM (transform-wat.ts says why); absent with the JS
  // transforms or a transforms.wasm built before it existed.
  const exports = transforms?.(gemm);
  const touch = typeof exports === 'object' ? exports.touch : undefined;
  const mStrides = (channels: number, count: number) =>
    transposed(channels, count) ? { channel: 1, tile: channels } : { channel: count, tile: 1 };
  return {
    ...wasmTiles(gemm, g, plan, layout.tiles, transforms, {
      vStart: layout.v,
      mStart: layout.m,
      mStrides,
    }),
    ...(cacheable
      ? {
          filterCache: {
            restore: (weight: FloatArray) => cache.holds(key, weight),
            keep: (weight: FloatArray) => cache.remember(key, weight),
          },
        }
      : {}),
    packed: memory,
    vStart: layout.v,
    uStart: layout.u,
    M: memory,
    mStart: layout.m,
    packedFloat32: true,
    mStrides,
    multiply(channels, count) {
      // The GEMM accumulates into C: M starts from zeros.
      memory.fill(0, layout.m, layout.m + alphaArea * matrixStride.M);
      // Mᵀ = Vᵀ·Uᵀ needs no repacking: V's panels of 4 tiles are A panels, U's panels of
      // 4 channels B panels. Each element is the same float32 sum in the same order.
      const swap = transposed(channels, count);
      // A U that fits L2 stays there across the call's tile blocks (shape a: 590 KiB);
      // touching it again measured 3 % slower. Shape b's 9.4 MiB is streamed every call.
      const uBytes = 16 * Math.ceil(channels / 4) * cig;
      const touchU = alphaArea * uBytes > TOUCH_ABOVE_BYTES;
      for (let xi = 0; xi < alphaArea; xi++) {
        const u = 4 * (layout.u + xi * matrixStride.U);
        const v = 4 * (layout.v + xi * matrixStride.V);
        const m = 4 * (layout.m + xi * matrixStride.M);
        if (touchU) touch?.(u, uBytes);
        if (swap) gemm.gemm(count, channels, cig, v, u, m, channels, scratchAddress(0));
        else gemm.gemm(channels, count, cig, u, v, m, count, scratchAddress(0));
      }
    },
  };
}

/**
 * Options of {@link createWinogradSimdKernel}: those of the Winograd kernel (float32
 * only; `maxWorkspaceBytes` bounds the WebAssembly memory; `retainWorkspaceBytes` the
 * filter cache's copy of the weights; `tilesPerBlock` and `outChannelsPerBlock` default
 * to {@link winogradSimdPlan}'s), and the GEMM.
 */
export interface WinogradSimdOptions extends Omit<WinogradKernelOptions, 'dtype'> {
  /**
   * Where the GEMM comes from: default {@link ownWasmGemm} (the built gemm.wasm, on a memory
   * of this kernel's own). Tests
   * pass a deliberately broken GEMM, or a loader that fails, to see the checks catch it.
   */
  gemm?: () => WasmGemm | string;
  /**
   * The input and output tile transforms: default the built transforms.wasm
   * ({@link builtTransforms}; where it is missing, or lacks the plan's transforms, the JS
   * ones run, with the same bits); `false` for the JS ones. Tests pass a deliberately
   * broken one.
   */
  transforms?: TransformsLoader | false;
}

/**
 * A float32 Winograd kernel whose products run on the WebAssembly SIMD GEMM.
 * `supports(p)` declines, with the reason, what the Winograd kernel declines (stride,
 * dilation, 3-D, α > 8, non-zero padding modes), a runtime without the GEMM (not
 * built, no WebAssembly SIMD) and a problem whose memory would exceed the limit.
 *
 * @example
 * ```ts
 * const k = createWinogradSimdKernel({ m: 4 });
 * k.supports?.(p); // true, or why not
 * ```
 */
export function createWinogradSimdKernel(options: WinogradSimdOptions): ConvKernel {
  // Its own memory, made on first use: U stays there between calls (filter-cache.ts).
  let own: WasmGemm | string | undefined;
  const {
    gemm: loadGemm = () => (own ??= ownWasmGemm()),
    transforms = builtTransforms,
    ...winograd
  } = options;
  const settings = settingsOf({
    ...winograd,
    dtype: 'float32',
    name: options.name ?? `winograd-f${options.m}-simd`,
  });
  const limit = Math.min(settings.maxWorkspaceBytes, maxMemoryBytes);
  const cache = new FilterCache(settings.retainWorkspaceBytes);
  return createWinogradKernelOn(settings, {
    plan: winogradSimdPlan,
    refusal(g, s) {
      const gemm = loadGemm();
      if (typeof gemm === 'string') return gemm;
      const bytes = 4 * winogradSimdLayout(g, winogradSimdPlan(g, s)).end;
      if (bytes <= limit) return true;
      return (
        `needs ${bytes} bytes of WebAssembly memory, more than ${limit} ` +
        `(maxWorkspaceBytes or the memory's 1 GiB maximum)`
      );
    },
    products: (g, plan) =>
      wasmProducts(loadGemm() as WasmGemm, g, plan, cache, transforms || undefined),
  });
}

/**
 * F(2×2, 3×3) Winograd (F(2, r) for other kernel sizes) on the WebAssembly SIMD GEMM.
 *
 * @example
 * ```ts
 * const y = winogradF2SimdKernel.conv(p, x, w);
 * ```
 */
export const winogradF2SimdKernel: ConvKernel = lazyKernel(() =>
  createWinogradSimdKernel({ m: 2 }),
);

/**
 * F(4×4, 3×3) Winograd on the WebAssembly SIMD GEMM.
 *
 * @example
 * ```ts
 * const y = winogradF4SimdKernel.conv(p, x, w);
 * ```
 */
export const winogradF4SimdKernel: ConvKernel = lazyKernel(() =>
  createWinogradSimdKernel({ m: 4 }),
);
