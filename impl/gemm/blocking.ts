/**
 * Block sizes of the packed GEMM (Goto/BLIS loop nest) and the workspace they imply.
 *
 * - MR × NR: the register block of the micro-kernel, held in local variables.
 *   4 × 4: no other shape measured faster under V8 (see `micro-kernel.ts`).
 * - KC: depth of a packed panel. A KC × NR sliver of B (8 KiB as float64) stays in L1.
 * - MC: rows of A packed at once; the MC × KC block of A (256 KiB) stays in L2.
 * - NC: columns of B packed at once; the KC × NC block of B (4 MiB) lives in L3.
 *
 * All packed data is float64 (8 bytes per element) whatever the precision of the
 * operands.
 */

/** The blocking parameters, read by the driver, the packing routines and the tests. */
export interface GemmBlocking {
  /** Rows of the register block. */
  readonly MR: number;
  /** Columns of the register block. */
  readonly NR: number;
  /** Rows of A per packed block; a multiple of MR. */
  readonly MC: number;
  /** Depth (K) per packed block. */
  readonly KC: number;
  /** Columns of B per packed block; a multiple of NR. */
  readonly NC: number;
}

/**
 * The block sizes in use.
 *
 * @example
 * ```ts
 * gemmBlocking.KC; // 256: K is processed in slices of this depth
 * ```
 */
export const gemmBlocking: GemmBlocking = Object.freeze({
  MR: 4,
  NR: 4,
  MC: 128,
  KC: 256,
  NC: 2048,
});

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/** Packed rows of A held at once: MC, or fewer when M is small (rounded up to MR). */
export function packedRowsOfA(M: number): number {
  return Math.min(gemmBlocking.MC, roundUp(M, gemmBlocking.MR));
}

/** Packed columns of B held at once: NC, or fewer when N is small (rounded up to NR). */
export function packedColumnsOfB(N: number): number {
  return Math.min(gemmBlocking.NC, roundUp(N, gemmBlocking.NR));
}

/**
 * Float64 elements of packing buffer a product of this size needs:
 * `min(MC, ⌈M/MR⌉·MR) · min(KC, K) + min(KC, K) · min(NC, ⌈N/NR⌉·NR)`.
 * Bounded by MC·KC + KC·NC = 557 056 elements (4.25 MiB) whatever the size.
 *
 * @example
 * ```ts
 * gemmPackedElements(64, 3136, 576); // 64·256 + 256·2048
 * ```
 */
export function gemmPackedElements(M: number, N: number, K: number): number {
  return packedBStart(M, K) + Math.min(gemmBlocking.KC, K) * packedColumnsOfB(N);
}

/**
 * Start of the B region in the packing buffer: after the largest packed A block,
 * `min(MC, ⌈M/MR⌉·MR) · min(KC, K)`.
 */
export function packedBStart(M: number, K: number): number {
  return packedRowsOfA(M) * Math.min(gemmBlocking.KC, K);
}

/**
 * Elements of packing buffer for a product whose whole B (K × N) is packed up
 * front by the caller ({@link gemmWithPackedB}): the A block plus ⌈N/NR⌉ full-depth
 * panels, `packedBStart(M, K) + ⌈N/NR⌉·NR·K`.
 *
 * @example
 * ```ts
 * prepackedElements(64, 1816, 576); // 64·256 + 1816·576
 * ```
 */
export function prepackedElements(M: number, N: number, K: number): number {
  return packedBStart(M, K) + roundUp(N, gemmBlocking.NR) * K;
}

/**
 * Bytes of workspace a product of this size needs: the float64 packing buffer
 * plus the MR × NR register tile. With `prepackedB`, B is packed whole by the
 * caller ({@link prepackedElements}); otherwise block by block ({@link gemmPackedElements}).
 *
 * @example
 * ```ts
 * gemmWorkspaceBytes(64, 3136, 576); // 8 · (64·256 + 256·2048 + 16)
 * ```
 */
export function gemmWorkspaceBytes(M: number, N: number, K: number, prepackedB = false): number {
  const elements = prepackedB ? prepackedElements(M, N, K) : gemmPackedElements(M, N, K);
  return 8 * (elements + gemmBlocking.MR * gemmBlocking.NR);
}
