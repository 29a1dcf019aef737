/**
 * Scratch buffers a Winograd kernel keeps between calls. Allocating the transformed
 * filters afresh on every call cost more than the filter transform itself on
 * 256→256 channels (9 MiB of page faults and zeroing, measured), so each kernel
 * keeps its buffers, up to a byte budget, and grows them on demand.
 */

import type { DType, FloatArray } from '../../reference/index.ts';
import { gemmBlocking, type PackedBuffer, packedBuffer } from '../gemm/index.ts';

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
  /** The micro-kernel's MR × NR float64 tile. */
  readonly tile = new Float64Array(gemmBlocking.MR * gemmBlocking.NR);
  /** Typed buffers by dtype and name, and the packed panels of U and V under 'packed'. */
  private readonly kept = new Map<string, FloatArray | PackedBuffer>();

  constructor(retainBytes: number) {
    this.retainBytes = retainBytes;
  }

  /** A typed buffer of at least `elements` entries of the dtype. */
  take(name: WinogradBufferName, dtype: DType, elements: number): FloatArray {
    const make = () =>
      dtype === 'float32' ? new Float32Array(elements) : new Float64Array(elements);
    return this.reuse(`${dtype}:${name}`, elements, make);
  }

  /** The packed float64 buffer (the GEMM's buffer type), at least `elements` long. */
  packed(elements: number): PackedBuffer {
    return this.reuse('packed', elements, () => packedBuffer(elements));
  }

  /** Bytes currently kept (the 128-byte tile not included). */
  keptBytes(): number {
    let bytes = 0;
    for (const buffer of this.kept.values()) bytes += bytesOf(buffer);
    return bytes;
  }

  /** The kept buffer under `key` if long enough, else a fresh one, kept if it fits. */
  private reuse<T extends FloatArray | PackedBuffer>(
    key: string,
    elements: number,
    make: () => T,
  ): T {
    // Each key is made by one caller only, so its buffer has that caller's type.
    const current = this.kept.get(key) as T | undefined;
    if (current && current.length >= elements) return current;
    const fresh = make();
    this.kept.delete(key);
    if (this.keptBytes() + bytesOf(fresh) <= this.retainBytes) this.kept.set(key, fresh);
    return fresh;
  }
}

/** A packed buffer holds doubles: 8 bytes an element. */
function bytesOf(buffer: FloatArray | PackedBuffer): number {
  return Array.isArray(buffer) ? 8 * buffer.length : buffer.byteLength;
}
