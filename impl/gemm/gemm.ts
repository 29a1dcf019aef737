/**
 * Packed, cache-blocked, register-blocked GEMM on typed arrays (Goto/BLIS loop nest):
 *
 *   for jc in N by NC:            B block KC × NC → packed (L3)
 *     for pc in K by KC:
 *       pack B[pc.., jc..]
 *       for ic in M by MC:        A block MC × KC → packed (L2)
 *         pack A[ic.., pc..]
 *         for jr in NC by NR:     B sliver KC × NR stays in L1
 *           for ir in MC by MR:   micro-kernel → tile → C
 *
 * Everything is row-major with explicit offsets and leading dimensions, stdlib-js
 * BLAS style. Within a KC slice the micro-kernel sums in float64 (JS locals are
 * doubles); the float32 variant rounds once per slice when it adds the tile into C,
 * which is at least as accurate as float32 accumulation.
 *
 * Over 300 lines, on purpose: the Goto/BLIS loop nest, its packing routines and
 * its micro-kernel share the blocking constants and buffer layout; apart, their
 * coupling would be hidden.
 */
import type { FloatArray } from '../../reference/index.ts';
import { gemmBlocking, gemmPackedElements, packedBStart, prepackedElements } from './blocking.ts';
import { microKernel4x4 } from './micro-kernel.ts';
import { packA, packB } from './pack.ts';
import { GemmWorkspace, type PackedBuffer } from './workspace.ts';

const { MR, NR, MC, KC, NC } = gemmBlocking;

/** Used when the caller passes no workspace; safe because a call never yields. */
const sharedWorkspace = new GemmWorkspace();

/**
 * Single-precision GEMM: C[M×N] = (accumulate ? C : 0) + A[M×K] · B[K×N], all
 * row-major; element (i, j) of X lives at `X[xOffset + i·ldx + j]`.
 *
 * @param workspace - packing buffers to reuse; a module-level one by default.
 * @throws RangeError naming the argument when a size, offset or leading dimension
 *   is invalid or an operand is too short.
 *
 * @example
 * ```ts
 * // C (2×2) = A (2×3) · B (3×2)
 * const A = new Float32Array([1, 2, 3, 4, 5, 6]);
 * const B = new Float32Array([1, 0, 0, 1, 1, 1]);
 * const C = new Float32Array(4);
 * sgemm(2, 2, 3, A, 0, 3, B, 0, 2, C, 0, 2, false); // C = [4, 5, 10, 11]
 * ```
 */
export function sgemm(
  M: number,
  N: number,
  K: number,
  A: Float32Array,
  aOffset: number,
  lda: number,
  B: Float32Array,
  bOffset: number,
  ldb: number,
  C: Float32Array,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
  workspace?: GemmWorkspace,
): void {
  checkGemmArguments('sgemm', M, N, K, A, aOffset, lda, B, bOffset, ldb, C, cOffset, ldc);
  gemm(M, N, K, A, aOffset, lda, B, bOffset, ldb, C, cOffset, ldc, accumulate, workspace);
}

/**
 * Double-precision GEMM; the same contract as {@link sgemm} on Float64Array.
 *
 * @example
 * ```ts
 * const C = new Float64Array(4).fill(1);
 * dgemm(2, 2, 3, A64, 0, 3, B64, 0, 2, C, 0, 2, true); // C += A·B
 * ```
 */
export function dgemm(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  aOffset: number,
  lda: number,
  B: Float64Array,
  bOffset: number,
  ldb: number,
  C: Float64Array,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
  workspace?: GemmWorkspace,
): void {
  checkGemmArguments('dgemm', M, N, K, A, aOffset, lda, B, bOffset, ldb, C, cOffset, ldc);
  gemm(M, N, K, A, aOffset, lda, B, bOffset, ldb, C, cOffset, ldc, accumulate, workspace);
}

/** The blocked loop nest shared by both precisions (arguments already checked). */
function gemm(
  M: number,
  N: number,
  K: number,
  A: FloatArray,
  aOffset: number,
  lda: number,
  B: FloatArray,
  bOffset: number,
  ldb: number,
  C: FloatArray,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
  workspace: GemmWorkspace = sharedWorkspace,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (!accumulate) fillRows(C, cOffset, ldc, M, N, 0);
    return;
  }
  const packed = workspace.reserve(gemmPackedElements(M, N, K));
  const bBlock = packedBStart(M, K);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      packB(B, bOffset + pc * ldb + jc, ldb, kc, nc, packed, bBlock);
      // Only the first slice of an overwriting product stores; later ones add.
      const add = accumulate || pc > 0;
      const cIndex = cOffset + jc;
      blockProduct(
        M,
        nc,
        kc,
        A,
        aOffset + pc,
        lda,
        workspace,
        bBlock,
        NR * kc,
        C,
        cIndex,
        ldc,
        add,
      );
    }
  }
}

/**
 * C[M × nc] (+)= A[M × kc] · Bslice[kc × nc], where panel j of the B slice starts at
 * `bStart + j·bPanelStride` in the workspace's packing buffer. Packs A block by block
 * (MC rows) at index 0 and runs the micro-kernel over every MR × NR tile.
 */
function blockProduct(
  M: number,
  nc: number,
  kc: number,
  A: FloatArray,
  aIndex: number,
  lda: number,
  workspace: GemmWorkspace,
  bStart: number,
  bPanelStride: number,
  C: FloatArray,
  cIndex: number,
  ldc: number,
  add: boolean,
): void {
  const packed = workspace.packed;
  const tile = workspace.tile;
  for (let ic = 0; ic < M; ic += MC) {
    const mc = Math.min(MC, M - ic);
    packA(A, aIndex + ic * lda, lda, mc, kc, packed, 0);
    let bPanel = bStart;
    for (let jr = 0; jr < nc; jr += NR) {
      const cols = Math.min(NR, nc - jr);
      let aPanel = 0;
      for (let ir = 0; ir < mc; ir += MR) {
        microKernel4x4(kc, packed, aPanel, bPanel, tile);
        const rows = Math.min(MR, mc - ir);
        writeTile(tile, C, cIndex + (ic + ir) * ldc + jr, ldc, rows, cols, add);
        aPanel += MR * kc;
      }
      bPanel += bPanelStride;
    }
  }
}

/**
 * Where a caller packs the whole B operand itself, to skip the copy {@link sgemm}
 * would make (im2col writes its column matrix straight into this layout). Returns
 * the packing buffer of `workspace` (grown as needed) and the index of B in it.
 * Element (k, n) of B [K × N] goes to
 *
 *   start + ⌊n/NR⌋·NR·K + k·NR + (n mod NR)
 *
 * i.e. ⌈N/NR⌉ panels of NR columns, each k-major over the full depth K. Lanes of the
 * last panel beyond N are read but their results discarded; write zeros there.
 * Then call {@link gemmWithPackedB} with the same M, N, K and workspace.
 *
 * @example
 * ```ts
 * const { packed, start } = reservePackedB(M, N, K, ws);
 * for (...) packed[start + (n >> 2) * 4 * K + k * 4 + (n & 3)] = B(k, n);
 * gemmWithPackedB(M, N, K, A, 0, K, C, 0, N, false, ws);
 * ```
 */
export function reservePackedB(
  M: number,
  N: number,
  K: number,
  workspace: GemmWorkspace,
): { packed: PackedBuffer; start: number } {
  return { packed: workspace.reserve(prepackedElements(M, N, K)), start: packedBStart(M, K) };
}

/**
 * C[M×N] = (accumulate ? C : 0) + A[M×K] · B[K×N] with B already packed into
 * `workspace` by the caller (see {@link reservePackedB}); A and C row-major, of
 * either precision (C's own precision is what it is rounded to).
 *
 * @example
 * ```ts
 * gemmWithPackedB(cog, width, R, weight, group * cog * R, R, y, yStart, P, hasBias, ws);
 * ```
 */
export function gemmWithPackedB(
  M: number,
  N: number,
  K: number,
  A: FloatArray,
  aOffset: number,
  lda: number,
  C: FloatArray,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
  workspace: GemmWorkspace,
): void {
  const api = 'gemmWithPackedB';
  checkCount(api, 'M', M, 0);
  checkCount(api, 'N', N, 0);
  checkCount(api, 'K', K, 0);
  checkOperand(api, 'A', A, aOffset, lda, M, K);
  checkOperand(api, 'C', C, cOffset, ldc, M, N);
  const needed = prepackedElements(M, N, K);
  if (workspace.packed.length < needed) {
    throw new RangeError(
      `${api}: workspace holds ${workspace.packed.length} packed elements, B needs ${needed}; ` +
        'call reservePackedB with the same M, N, K first',
    );
  }
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (!accumulate) fillRows(C, cOffset, ldc, M, N, 0);
    return;
  }
  const bStart = packedBStart(M, K);
  for (let pc = 0; pc < K; pc += KC) {
    const kc = Math.min(KC, K - pc);
    const add = accumulate || pc > 0;
    const bSlice = bStart + pc * NR;
    blockProduct(M, N, kc, A, aOffset + pc, lda, workspace, bSlice, NR * K, C, cOffset, ldc, add);
  }
}

/**
 * Stores or adds the valid rows × cols corner of the MR × NR tile into C (row-major,
 * leading dimension `ldc`), rounding to C's precision.
 *
 * @example
 * ```ts
 * microKernel4x4(K, packed, aPanel, bPanel, tile);
 * writeTile(tile, C, row * ldc + column, ldc, 4, 3, false); // a 4 × 3 edge tile
 * ```
 */
export function writeTile(
  tile: Float64Array,
  C: FloatArray,
  cIndex: number,
  ldc: number,
  rows: number,
  cols: number,
  add: boolean,
): void {
  for (let i = 0; i < rows; i++) {
    const row = cIndex + i * ldc;
    const t = i * NR;
    if (add) for (let j = 0; j < cols; j++) C[row + j] = C[row + j]! + tile[t + j]!;
    else for (let j = 0; j < cols; j++) C[row + j] = tile[t + j]!;
  }
}

function fillRows(C: FloatArray, cIndex: number, ldc: number, M: number, N: number, value: number) {
  for (let i = 0; i < M; i++) C.fill(value, cIndex + i * ldc, cIndex + i * ldc + N);
}

function checkCount(api: string, name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${api}: ${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

/** Checks one operand: rows × cols at `offset` with row stride `ld` must fit in `data`. */
function checkOperand(
  api: string,
  name: string,
  data: FloatArray,
  offset: number,
  ld: number,
  rows: number,
  cols: number,
): void {
  checkCount(api, `${name.toLowerCase()}Offset`, offset, 0);
  checkCount(api, `ld${name.toLowerCase()}`, ld, Math.max(1, cols));
  if (rows === 0 || cols === 0) return;
  const end = offset + (rows - 1) * ld + cols;
  if (end > data.length) {
    throw new RangeError(
      `${api}: ${name} (length ${data.length}) is too short for ${rows}×${cols} at offset ` +
        `${offset} with ld${name.toLowerCase()} = ${ld} (needs ${end} elements)`,
    );
  }
}

function checkGemmArguments(
  api: string,
  M: number,
  N: number,
  K: number,
  A: FloatArray,
  aOffset: number,
  lda: number,
  B: FloatArray,
  bOffset: number,
  ldb: number,
  C: FloatArray,
  cOffset: number,
  ldc: number,
): void {
  checkCount(api, 'M', M, 0);
  checkCount(api, 'N', N, 0);
  checkCount(api, 'K', K, 0);
  checkOperand(api, 'A', A, aOffset, lda, M, K);
  checkOperand(api, 'B', B, bOffset, ldb, K, N);
  checkOperand(api, 'C', C, cOffset, ldc, M, N);
}
