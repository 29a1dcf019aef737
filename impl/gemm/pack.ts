/**
 * Packing: copies a block of A or B into the contiguous, k-major, 4-lane panels the
 * micro-kernel reads. A partial panel (fewer than 4 rows or columns left) is padded
 * with zeros, so the micro-kernel never branches on the edge; the padded lanes of
 * the result are simply not written back.
 */
import type { FloatArray } from '../../reference/index.ts';
import type { PackedBuffer } from './workspace.ts';

/** Lanes per panel: MR of A, NR of B (the micro-kernel is 4 × 4). */
const LANES = 4;

/**
 * Packs rows × depth of row-major A (first element at `aIndex`, row stride `lda`)
 * into ⌈rows/4⌉ panels at `dst`: panel p holds, for each k, rows 4p..4p+3.
 *
 * @example
 * ```ts
 * packA(A, aOffset + ic * lda + pc, lda, mc, kc, ws.packed, 0);
 * ```
 */
export function packA(
  A: FloatArray,
  aIndex: number,
  lda: number,
  rows: number,
  depth: number,
  packed: PackedBuffer,
  dst: number,
): void {
  let row = 0;
  for (; row + LANES <= rows; row += LANES) {
    const r0 = aIndex + row * lda;
    const r1 = r0 + lda;
    const r2 = r1 + lda;
    const r3 = r2 + lda;
    for (let k = 0; k < depth; k++) {
      packed[dst] = A[r0 + k]!;
      packed[dst + 1] = A[r1 + k]!;
      packed[dst + 2] = A[r2 + k]!;
      packed[dst + 3] = A[r3 + k]!;
      dst += LANES;
    }
  }
  if (row < rows) packPartialPanel(A, aIndex + row * lda, lda, 1, rows - row, depth, packed, dst);
}

/**
 * Packs depth × cols of row-major B (first element at `bIndex`, row stride `ldb`)
 * into ⌈cols/4⌉ panels at `dst`: panel p holds, for each k, columns 4p..4p+3.
 *
 * @example
 * ```ts
 * packB(B, bOffset + pc * ldb + jc, ldb, kc, nc, ws.packed, bBlockStart);
 * ```
 */
export function packB(
  B: FloatArray,
  bIndex: number,
  ldb: number,
  depth: number,
  cols: number,
  packed: PackedBuffer,
  dst: number,
): void {
  let col = 0;
  for (; col + LANES <= cols; col += LANES) {
    let src = bIndex + col;
    for (let k = 0; k < depth; k++) {
      packed[dst] = B[src]!;
      packed[dst + 1] = B[src + 1]!;
      packed[dst + 2] = B[src + 2]!;
      packed[dst + 3] = B[src + 3]!;
      src += ldb;
      dst += LANES;
    }
  }
  if (col < cols) packPartialPanel(B, bIndex + col, 1, ldb, cols - col, depth, packed, dst);
}

/**
 * One zero-padded panel of `lanes` < 4 lanes: lane l, step k reads
 * `source[start + l·laneStride + k·stepStride]`.
 */
function packPartialPanel(
  source: FloatArray,
  start: number,
  laneStride: number,
  stepStride: number,
  lanes: number,
  depth: number,
  packed: PackedBuffer,
  dst: number,
): void {
  for (let k = 0; k < depth; k++) {
    const step = start + k * stepStride;
    for (let lane = 0; lane < LANES; lane++) {
      packed[dst + lane] = lane < lanes ? source[step + lane * laneStride]! : 0;
    }
    dst += LANES;
  }
}
