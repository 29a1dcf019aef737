/** Reusable packing buffers of the GEMM. */
import { gemmBlocking } from './blocking.ts';

/**
 * The scratch memory of {@link sgemm}/{@link dgemm}: one float64 buffer holding the
 * packed block of A followed by the packed block of B, and the register tile the
 * micro-kernel stores into. The buffer grows on demand (never inside the loops,
 * only once per call when a larger product arrives) and is never shrunk, so a
 * caller that passes the same workspace to every call allocates nothing after the
 * first large one. Packing is float64 for both precisions: float32 → float64 is
 * exact, and the micro-kernel then sees one array type only.
 *
 * A workspace must not be shared by two products running at the same time; in
 * single-threaded JS that only matters across workers.
 *
 * @example
 * ```ts
 * const ws = new GemmWorkspace();
 * for (const layer of layers) sgemm(M, N, K, A, 0, K, B, 0, N, C, 0, N, false, ws);
 * ```
 */
export class GemmWorkspace {
  /** Packed A block (first) and packed B block; length only ever grows. */
  packed: Float64Array;
  /** The MR × NR accumulator tile the micro-kernel writes, row-major. */
  readonly tile: Float64Array = new Float64Array(gemmBlocking.MR * gemmBlocking.NR);

  /** `initialElements` pre-sizes the packing buffer (float64 elements). */
  constructor(initialElements = 0) {
    this.packed = new Float64Array(initialElements);
  }

  /** Returns the packing buffer, grown to at least `elements` entries. */
  reserve(elements: number): Float64Array {
    if (this.packed.length < elements) this.packed = new Float64Array(elements);
    return this.packed;
  }

  /** Bytes currently held. */
  get bytes(): number {
    return this.packed.byteLength + this.tile.byteLength;
  }
}
