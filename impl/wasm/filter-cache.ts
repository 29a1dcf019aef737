/**
 * Transformed filters kept across calls by a Winograd SIMD kernel. On shape b
 * (256→256, 14×14) the filter transform of 65 536 filters cost half as much as all
 * of the products (profiled, docs/wasm.md); a network runs the same weights again and
 * again, and the peers keep their packed weights too (XNNPACK per operator,
 * onnxruntime per session).
 *
 * Each Winograd SIMD kernel has a WebAssembly memory of its own, so the U it last
 * transformed stays where it is: nothing is copied back. What the cache keeps is the
 * bits of the weights U came from and the layout it was written in; a call reuses U
 * only when both are the same (the weights compared bit for bit on every call, by
 * memcmp), so a caller that changes its weights in place gets them transformed afresh.
 */
import { Buffer } from 'node:buffer';
import type { FloatArray } from '../../reference/index.ts';

/** The bytes of a Float32Array, or undefined for another array type (not cached). */
function bytesOf(weight: FloatArray): Buffer | undefined {
  if (!(weight instanceof Float32Array)) return undefined;
  return Buffer.from(weight.buffer, weight.byteOffset, weight.byteLength);
}

/**
 * Says whether U in the kernel's memory came from these weights in this layout.
 *
 * @example
 * ```ts
 * const cache = new FilterCache(64 * 2 ** 20);
 * if (!cache.holds(key, w)) { transform(); cache.remember(key, w); }
 * ```
 */
export class FilterCache {
  /** Largest weights copy kept (bytes); larger weights are transformed every call. */
  readonly budgetBytes: number;
  #key = '';
  #weights: Buffer | undefined;

  constructor(budgetBytes: number) {
    this.budgetBytes = budgetBytes;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#weights?.byteLength ?? 0;
  }

  /**
   * True when U in memory was transformed, in layout `key`, from weights with these
   * bits. When not, U is about to be overwritten: the cache forgets it at once, so that
   * a transform that stops half-way can never leave a stale U behind a matching key.
   */
  holds(key: string, weight: FloatArray): boolean {
    const bytes = bytesOf(weight);
    const same = key === this.#key && bytes !== undefined && this.#weights?.equals(bytes) === true;
    if (!same) this.forget();
    return same;
  }

  /** U was just transformed from `weight` in layout `key`: remember them, within the budget. */
  remember(key: string, weight: FloatArray): void {
    const bytes = bytesOf(weight);
    if (bytes === undefined || bytes.byteLength > this.budgetBytes) {
      this.forget();
      return;
    }
    this.#key = key;
    this.#weights = Buffer.from(bytes);
  }

  /**
   * U was overwritten with something else. The key may stay: {@link holds} is true only
   * with weights held, and {@link remember} sets both.
   */
  forget(): void {
    this.#weights = undefined;
  }
}
