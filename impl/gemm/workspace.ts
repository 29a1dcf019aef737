/** Reusable packing buffers of the GEMM. */
import { gemmBlocking } from './blocking.ts';

/**
 * The packing buffer: a plain JS array of doubles (V8 elements kind
 * PACKED_DOUBLE_ELEMENTS), not a Float64Array. Why: a typed-array load in optimized
 * code recomputes the data pointer (base + external offset) and sign-extends the
 * index on every access; a double-array load is one bounds check and one load. The
 * micro-kernel's loop body measured 96 machine instructions instead of 113 per
 * 4 × 4 step (≈ 15 % fewer). It is only ever filled with numbers, so it keeps its
 * elements kind; it is allocated with a non-integer so it starts as doubles.
 */
export type PackedBuffer = number[];

/**
 * A zeroed packing buffer of `length` doubles, of the elements kind the micro-kernel
 * is compiled for.
 *
 * @example
 * ```ts
 * const panels = packedBuffer(36 * 1024);
 * ```
 */
export function packedBuffer(length: number): PackedBuffer {
  const buffer: PackedBuffer = [];
  for (let i = 0; i < length; i++) buffer.push(0.5);
  buffer.fill(0);
  return buffer;
}

/**
 * The scratch memory of {@link sgemm}/{@link dgemm}: one buffer of doubles holding
 * the packed block of A followed by the packed block (or whole pre-packed matrix)
 * of B, and the register tile the micro-kernel stores into. The buffer grows on
 * demand (once per call at most, never inside the loops) and is never shrunk, so a
 * caller that passes the same workspace to every call allocates nothing after the
 * first large one. Packing is in float64 for both precisions: float32 → float64 is
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
  #packed: PackedBuffer;
  /** The MR × NR accumulator tile the micro-kernel writes, row-major. */
  readonly tile: Float64Array = new Float64Array(gemmBlocking.MR * gemmBlocking.NR);

  /** `initialElements` pre-sizes the packing buffer (doubles). */
  constructor(initialElements = 0) {
    this.#packed = packedBuffer(initialElements);
  }

  /** Returns the packing buffer, grown to at least `elements` entries. */
  reserve(elements: number): PackedBuffer {
    if (this.#packed.length < elements) this.#packed = packedBuffer(elements);
    return this.#packed;
  }

  /** The packing buffer as it is (for checks; use {@link reserve} to write). */
  get packed(): PackedBuffer {
    return this.#packed;
  }

  /** Bytes currently held. */
  get bytes(): number {
    return 8 * this.#packed.length + this.tile.byteLength;
  }
}
