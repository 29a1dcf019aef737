/**
 * Scratch buffers a Winograd kernel keeps between calls. Allocating the transformed
 * filters afresh on every call cost more than the filter transform itself on
 * 256→256 channels (9 MiB of page faults and zeroing, measured), so each kernel
 * keeps its buffers, up to a byte budget, and grows them on demand.
 */

import type { DType, FloatArray } from '../../reference/index.ts';
import { GemmWorkspace } from '../gemm/index.ts';

/** The three α²-matrix buffers: transformed filters, input tiles and products. */
export type WinogradBufferName = 'U' | 'V' | 'M';

/**
 * Grow-only buffers, per dtype and name, kept while their total stays within
 * `retainBytes`; a request beyond the budget gets a fresh array that is not kept.
 * Contents are not cleared between calls: the kernel writes every entry it reads.
 * One workspace must not serve two calls at once (a call never yields, so within
 * one JS thread it cannot).
 *
 * @example
 * ```ts
 * const ws = new WinogradWorkspace(64 * 2 ** 20);
 * const U = ws.take('U', 'float32', 36 * 4096);
 * ```
 */
export class WinogradWorkspace {
  readonly retainBytes: number;
  /** Packing buffers of the GEMM, reused by every product of every call. */
  readonly gemm = new GemmWorkspace();
  private readonly kept = new Map<string, FloatArray>();

  constructor(retainBytes: number) {
    this.retainBytes = retainBytes;
  }

  /** A buffer of at least `elements` entries of the dtype. */
  take(name: WinogradBufferName, dtype: DType, elements: number): FloatArray {
    const key = `${dtype}:${name}`;
    const current = this.kept.get(key);
    if (current && current.length >= elements) return current;
    const fresh = dtype === 'float32' ? new Float32Array(elements) : new Float64Array(elements);
    this.kept.delete(key);
    if (this.keptBytes() + fresh.byteLength <= this.retainBytes) this.kept.set(key, fresh);
    return fresh;
  }

  /** Bytes currently kept (the GEMM's own buffers not included). */
  keptBytes(): number {
    let bytes = 0;
    for (const buffer of this.kept.values()) bytes += buffer.byteLength;
    return bytes;
  }
}
