/**
 * Scratch buffers a Winograd kernel keeps between calls. Allocating the transformed
 * filters afresh on every call cost more than the filter transform itself on
 * 256→256 channels (9 MiB of page faults and zeroing, measured), so each kernel
 * keeps its buffers, up to a byte budget, and grows them on demand.
 */

import type { DType, FloatArray } from '../../reference/index.ts';
import { type PackedBuffer, packedBuffer } from '../gemm/index.ts';

/** The typed buffers: the products M of one block. */
export type WinogradBufferName = 'M';

/**
 * Grow-only buffers kept while their total stays within `retainBytes`; a request
 * beyond the budget gets a fresh buffer that is not kept. Contents are not cleared
 * between calls: the kernel writes every entry it reads (padded lanes aside, whose
 * products are discarded). One workspace must not serve two calls at once (a call
 * never yields, so within one JS thread it cannot).
 *
 * @example
 * ```ts
 * const ws = new WinogradWorkspace(64 * 2 ** 20);
 * const M = ws.take('M', 'float32', 36 * 4096);
 * const packed = ws.packed(36 * 8192);
 * ```
 */
export class WinogradWorkspace {
  readonly retainBytes: number;
  /** The micro-kernel's 4 × 4 float64 tile. */
  readonly tile = new Float64Array(16);
  private readonly kept = new Map<string, FloatArray>();
  /** The packed panels of U and V (float64, the GEMM's buffer type), when kept. */
  private keptPacked: PackedBuffer | undefined;

  constructor(retainBytes: number) {
    this.retainBytes = retainBytes;
  }

  /** A typed buffer of at least `elements` entries of the dtype. */
  take(name: WinogradBufferName, dtype: DType, elements: number): FloatArray {
    const key = `${dtype}:${name}`;
    const current = this.kept.get(key);
    if (current && current.length >= elements) return current;
    const fresh = dtype === 'float32' ? new Float32Array(elements) : new Float64Array(elements);
    this.kept.delete(key);
    if (this.keptBytes() + fresh.byteLength <= this.retainBytes) this.kept.set(key, fresh);
    return fresh;
  }

  /** The packed float64 buffer, at least `elements` long. */
  packed(elements: number): PackedBuffer {
    const current = this.keptPacked;
    if (current && current.length >= elements) return current;
    const fresh = packedBuffer(elements);
    this.keptPacked = undefined;
    if (this.keptBytes() + 8 * elements <= this.retainBytes) this.keptPacked = fresh;
    return fresh;
  }

  /** Bytes currently kept (the 128-byte tile not included). */
  keptBytes(): number {
    let bytes = 8 * (this.keptPacked?.length ?? 0);
    for (const buffer of this.kept.values()) bytes += buffer.byteLength;
    return bytes;
  }
}
