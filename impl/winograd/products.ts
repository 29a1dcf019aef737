/**
 * Where one Winograd call keeps its transformed operands and how it forms the α²
 * products M[ξν] = U[ξν]·V[ξν]. The transforms (run.ts) write U and V through
 * this record and read M back from it, so the same transforms serve two product
 * engines: the JavaScript 4 × 4 micro-kernel here (float64 panels, each product
 * summed in float64 and rounded once into M) and the WebAssembly SIMD GEMM
 * (impl/wasm/winograd-simd.ts: float32 panels in WebAssembly memory, each
 * product a float32 dot product). Both round U and V to float32 where a float32
 * kernel stores them, so the error bound's stages are the same (error-constants.ts:
 * the γ_K of the product stage covers a float32 sum as well as a float64 one).
 */
import type { FloatArray } from '../../reference/index.ts';
import { microKernel4x4, writeTile } from '../gemm/index.ts';
import { PANEL_LANES, packedElementsOf, type WinogradPlan } from './plan.ts';
import type { TransformTarget } from './separable.ts';
import type { WinogradWorkspace } from './workspace.ts';

const LANES = PANEL_LANES;

/** The tiles of the current block: image, and output origin (row, column). */
export interface TilePositions {
  readonly image: Int32Array;
  readonly row: Int32Array;
  readonly column: Int32Array;
}

/**
 * Input and output tile transforms that replace the JS ones of run.ts for a call (the
 * WebAssembly ones of impl/wasm/tile-transforms.ts): the same sums, so the same bits.
 * They write V and read M where this record says, and own the output until `end`.
 */
export interface WinogradTileTransforms {
  /** Takes the call's operands; false when it cannot run on them (then the JS transforms run). */
  begin(input: FloatArray, bias: FloatArray | undefined): boolean;
  /** V of the block's `count` tiles for the group's input channels. */
  inputs(group: number, count: number, tiles: TilePositions): void;
  /** The outputs of channels oc0 … oc0 + channels − 1 of the group for the block's tiles. */
  outputs(group: number, oc0: number, channels: number, count: number, tiles: TilePositions): void;
  /** Every output of the call, in a fresh array of the kernel's dtype that the caller owns. */
  end(): FloatArray;
}

/**
 * U and V as 4-lane panels, k-major over C_in/g (U[ξν] at `uStart + ξν·matrixStride.U`,
 * V[ξν] at `vStart + ξν·matrixStride.V`), and M[ξν] at `mStart + ξν·matrixStride.M` (the
 * plan's strides), entry (channel c, tile t) at c·channel + t·tile ({@link mStrides}).
 */
export interface WinogradProducts {
  readonly packed: TransformTarget;
  readonly uStart: number;
  readonly vStart: number;
  readonly M: FloatArray;
  readonly mStart: number;
  /**
   * True when `packed` is a Float32Array: its stores round U and V to float32 by
   * themselves, so the transforms need no `Math.fround`.
   */
  readonly packedFloat32: boolean;
  /** M[ξν] = U[ξν] · V[ξν] for every ξν: [channels × C_in/g] · [C_in/g × count]. */
  multiply(channels: number, count: number): void;
  /** Where {@link multiply} put M's entries for these sizes: row-major, or transposed. */
  mStrides(channels: number, count: number): { channel: number; tile: number };
  /** Optional: tile transforms to run instead of the JS ones. */
  readonly tileTransforms?: WinogradTileTransforms;
  /**
   * Optional: transformed filters kept across calls. Asked only when U holds all of a
   * group's filters: `restore` puts back U of the same weights (compared by value) and
   * says whether it did; `keep` is offered U just transformed from `weight`.
   */
  readonly filterCache?: {
    restore(weight: FloatArray, group: number): boolean;
    keep(weight: FloatArray, group: number): void;
  };
}

/**
 * The JavaScript products: panels in the GEMM's float64 packed buffer, each product
 * over the whole depth C_in/g in float64 by the 4 × 4 micro-kernel, rounded once when
 * stored in M (of the kernel's dtype).
 *
 * @example
 * ```ts
 * const products = jsProducts(plan, 'float32', cig, new WinogradWorkspace(0));
 * ```
 */
export function jsProducts(
  plan: WinogradPlan,
  dtype: 'float32' | 'float64',
  inChannelsPerGroup: number,
  scratch: WinogradWorkspace,
): WinogradProducts {
  const packed = scratch.packed(packedElementsOf(plan));
  const M = scratch.take('M', dtype, plan.alphaArea * plan.matrixStride.M);
  const tile = scratch.tile;
  const uStart = plan.alphaArea * plan.matrixStride.V;
  const cig = inChannelsPerGroup;
  return {
    packed,
    uStart,
    vStart: 0,
    M,
    mStart: 0,
    packedFloat32: false,
    mStrides: (_channels, count) => ({ channel: count, tile: 1 }),
    multiply(channels, count) {
      for (let xi = 0; xi < plan.alphaArea; xi++) {
        const v = xi * plan.matrixStride.V;
        const u = uStart + xi * plan.matrixStride.U;
        const m = xi * plan.matrixStride.M;
        for (let c = 0; c < channels; c += LANES) {
          const rows = Math.min(LANES, channels - c);
          for (let t = 0; t < count; t += LANES) {
            microKernel4x4(cig, packed, u + c * cig, v + t * cig, tile);
            writeTile(tile, M, m + c * count + t, count, rows, Math.min(LANES, count - t), false);
          }
        }
      }
    },
  };
}
