/**
 * The 4 × 4 register-blocked micro-kernel: the only O(M·N·K) loop of the GEMM.
 *
 * Why this shape (Node 20 / V8 11.3, this machine): TurboFan schedules all MR·NR
 * products of an iteration before the sums, so MR·NR products and MR·NR
 * accumulators are live at once and anything beyond ~8 accumulators spills; each of
 * the MR + NR loads costs a bounds check. Counted in the optimized code, one k step
 * takes 72 machine instructions for 3×4, 96 for 4×4, 188 for 8×4 and 4×8 — all
 * ≈ 3.0 per flop — and 4×4 unrolled twice in k takes 196 (more spills). Timed, the
 * shapes from 3×4 to 8×4 ran within noise of each other (≈ 4 GFLOP/s with operands
 * in L1, on a quiet machine); 4×8, 6×8 and 8×8 were 10–30 % slower. 4 × 4 also
 * divides the channel counts and pixel counts of common layers (196 = 49·4), so no
 * lane is wasted on padding.
 *
 * Micro-optimisations kept because they cut instructions: both panels in ONE array
 * (one map check per iteration instead of two), the array a JS double array rather
 * than a Float64Array (see `PackedBuffer`), indices kept int32 with `| 0` (no
 * overflow checks), a `while` over the B index instead of a separate counter.
 */
import type { PackedBuffer } from './workspace.ts';

/**
 * tile[i·4 + j] = Σ_{k<kc} packed[aIndex + 4k + i] · packed[bIndex + 4k + j], summed
 * in float64 from zero (the caller adds the tile into C).
 *
 * @param kc - depth; the panels hold kc steps of 4 values each.
 * @param packed - the packing buffer holding both panels (k-major, 4 lanes per step).
 * @param aIndex - start of the A panel (4 rows interleaved).
 * @param bIndex - start of the B panel (4 columns interleaved).
 * @param tile - receives the 4 × 4 block, row-major.
 *
 * @example
 * ```ts
 * microKernel4x4(kc, ws.packed, aPanelStart, bPanelStart, ws.tile);
 * ```
 */
export function microKernel4x4(
  kc: number,
  packed: PackedBuffer,
  aIndex: number,
  bIndex: number,
  tile: Float64Array,
): void {
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  let c20 = 0;
  let c21 = 0;
  let c22 = 0;
  let c23 = 0;
  let c30 = 0;
  let c31 = 0;
  let c32 = 0;
  let c33 = 0;
  const bEnd = (bIndex + 4 * kc) | 0;
  while (bIndex < bEnd) {
    const a0 = packed[aIndex]!;
    const a1 = packed[(aIndex + 1) | 0]!;
    const a2 = packed[(aIndex + 2) | 0]!;
    const a3 = packed[(aIndex + 3) | 0]!;
    const b0 = packed[bIndex]!;
    c00 += a0 * b0;
    c10 += a1 * b0;
    c20 += a2 * b0;
    c30 += a3 * b0;
    const b1 = packed[(bIndex + 1) | 0]!;
    c01 += a0 * b1;
    c11 += a1 * b1;
    c21 += a2 * b1;
    c31 += a3 * b1;
    const b2 = packed[(bIndex + 2) | 0]!;
    c02 += a0 * b2;
    c12 += a1 * b2;
    c22 += a2 * b2;
    c32 += a3 * b2;
    const b3 = packed[(bIndex + 3) | 0]!;
    c03 += a0 * b3;
    c13 += a1 * b3;
    c23 += a2 * b3;
    c33 += a3 * b3;
    aIndex = (aIndex + 4) | 0;
    bIndex = (bIndex + 4) | 0;
  }
  tile[0] = c00;
  tile[1] = c01;
  tile[2] = c02;
  tile[3] = c03;
  tile[4] = c10;
  tile[5] = c11;
  tile[6] = c12;
  tile[7] = c13;
  tile[8] = c20;
  tile[9] = c21;
  tile[10] = c22;
  tile[11] = c23;
  tile[12] = c30;
  tile[13] = c31;
  tile[14] = c32;
  tile[15] = c33;
}
