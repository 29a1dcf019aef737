/**
 * The compiled WebAssembly GEMM (gemm.wat → gemm.wasm by `npm run build`) and the
 * one linear memory it works in. Loaded lazily, once; when the .wasm has not been
 * built or this runtime lacks WebAssembly SIMD, {@link loadWasmGemm} returns why,
 * so the kernel's `supports()` can say so instead of crashing at import.
 */
import { readFileSync } from 'node:fs';

/**
 * The part of the WebAssembly JS API used here. The project compiles against ES2023
 * and @types/node 20, neither of which declares `WebAssembly` (lib.dom does), so it
 * is typed locally and read from globalThis, where a runtime without it leaves undefined.
 */
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
export interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
export const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Bytes per WebAssembly memory page. */
const PAGE = 65536;

/**
 * The memory is shared (a SharedArrayBuffer), so that a worker thread can run the
 * GEMM on the same packed panels (impl/wasm/threads.ts); a shared memory needs a
 * maximum, fixed here at 1 GiB, the default workspace limit of the im2col kernels.
 */
const MAX_PAGES = 16384;

/** Bytes the memory may grow to. */
export const maxMemoryBytes = MAX_PAGES * PAGE;

/**
 * The fixed start of the memory, before any problem's data: a control block of 16
 * int32 (the worker's job, see threads.ts) at byte 0, then one 4 × 12 float32
 * edge-tile scratch per thread, at {@link scratchAddress}.
 */
export const controlAddress = 0;
export const headerBytes = 512;

/** Byte address of thread `thread`'s scratch tile (192 bytes; threads 0 and 1). */
export function scratchAddress(thread: 0 | 1): number {
  return 64 + 192 * thread;
}

/** Arguments of the exported `gemm` (see gemm.wat): sizes, byte addresses, ldc in elements. */
export type GemmArguments = [
  M: number,
  N: number,
  K: number,
  a: number,
  b: number,
  c: number,
  ldc: number,
  scratch: number,
];

/** Arguments of the exported `gemmRowB`: as {@link GemmArguments} with B row-major, `ldb` elements per row. */
export type GemmRowBArguments = [
  M: number,
  N: number,
  K: number,
  a: number,
  b: number,
  ldb: number,
  c: number,
  ldc: number,
  scratch: number,
];

/** The exports of gemm.wasm. */
interface GemmExports {
  gemm(...args: GemmArguments): void;
  gemmRowB(...args: GemmRowBArguments): void;
}

/**
 * The instantiated GEMM with its memory. `floats()` is a float32 view of the whole
 * memory; it is replaced when {@link WasmGemm.reserve} grows the memory, so take
 * it after reserving.
 */
export class WasmGemm {
  readonly #memory: WasmMemory;
  readonly #exports: GemmExports;
  #view: Float32Array;
  /** The compiled module, for a worker thread to instantiate on the same memory. */
  readonly module: object;

  /** Use {@link gemmFromBytes} or {@link loadWasmGemm}. */
  constructor(api: WasmApi, module: object) {
    this.module = module;
    this.#memory = new api.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    const instance = new api.Instance(module, { env: { memory: this.#memory } });
    this.#exports = instance.exports as unknown as GemmExports;
    this.#view = new Float32Array(this.#memory.buffer);
  }

  /** Grows the memory to at least `bytes` (never shrinks). */
  reserve(bytes: number): void {
    const missing = Math.ceil(bytes / PAGE) - this.#memory.buffer.byteLength / PAGE;
    if (missing > 0) {
      this.#memory.grow(missing);
      this.#view = new Float32Array(this.#memory.buffer);
    }
  }

  /** The memory as float32, index = byte address / 4. */
  floats(): Float32Array {
    return this.#view;
  }

  /** The shared memory itself (posted to a worker thread). */
  get memory(): object {
    return this.#memory;
  }

  /** The memory's buffer (a SharedArrayBuffer). */
  get buffer(): ArrayBufferLike {
    return this.#memory.buffer;
  }

  /**
   * C[M × N] += A · B with A, B packed in 4-wide panels at byte addresses `a`, `b`
   * (B's region readable for ⌈N/12⌉·12 columns), C row-major at `c` with `ldc`
   * elements per row, and 192 bytes of scratch at `scratch`.
   */
  gemm(...args: GemmArguments): void {
    this.#exports.gemm(...args);
  }

  /**
   * The same product with B row-major at byte address `b`, `ldb` elements per row,
   * readable for ⌈N/12⌉·12 columns of its last row: no packing of B.
   */
  gemmRowB(...args: GemmRowBArguments): void {
    this.#exports.gemmRowB(...args);
  }
}

/** Where the build writes the module: beside this file, in source and in dist/. */
const wasmUrl = new URL('./gemm.wasm', import.meta.url);

let loaded: WasmGemm | string | undefined;

/**
 * The GEMM, instantiated on first use, or the reason it cannot be (not built, no
 * WebAssembly SIMD in this runtime). The reason is computed once and kept.
 *
 * @example
 * ```ts
 * const gemm = loadWasmGemm();
 * if (typeof gemm === 'string') console.log(gemm); // 'WebAssembly GEMM not built: …'
 * ```
 */
export function loadWasmGemm(): WasmGemm | string {
  loaded ??= loadWasmGemmFrom(wasmUrl);
  return loaded;
}

/**
 * A GEMM with a memory of its own (the compiled module of {@link loadWasmGemm}, a new
 * instance and memory), or the reason there is none. A Winograd SIMD kernel keeps
 * its transformed filters in its own memory between calls (filter-cache.ts), where
 * no other kernel writes.
 *
 * @example
 * ```ts
 * const own = ownWasmGemm(); // a WasmGemm, or 'WebAssembly GEMM not built: …'
 * ```
 */
export function ownWasmGemm(): WasmGemm | string {
  const shared = loadWasmGemm();
  if (typeof shared === 'string' || wasmApi === undefined) return shared;
  return new WasmGemm(wasmApi, shared.module);
}

/**
 * Instantiates the GEMM from the .wasm at `url`, uncached, or says why it cannot.
 *
 * @example
 * ```ts
 * loadWasmGemmFrom(new URL('file:///nowhere/gemm.wasm')); // 'WebAssembly GEMM not built: …'
 * ```
 */
export function loadWasmGemmFrom(url: URL): WasmGemm | string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(url);
  } catch {
    return `WebAssembly GEMM not built: ${url.pathname} is missing (run npm run build)`;
  }
  return gemmFromBytes(bytes);
}

/**
 * Instantiates the GEMM from the bytes of a compiled gemm.wat, or says why it cannot.
 *
 * @example
 * ```ts
 * gemmFromBytes(readFileSync('impl/wasm/gemm.wasm')); // a WasmGemm
 * ```
 */
export function gemmFromBytes(bytes: Uint8Array): WasmGemm | string {
  if (wasmApi === undefined) return 'this runtime has no WebAssembly';
  try {
    return new WasmGemm(wasmApi, new wasmApi.Module(bytes));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `WebAssembly SIMD unavailable in this runtime (${message})`;
  }
}
