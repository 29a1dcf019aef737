/**
 * A second thread for the WebAssembly GEMM: one worker_thread that instantiates the
 * same module on the same shared memory. A product C[M × N] += A · B is cut into
 * chunks of {@link chunkColumns} columns of B and C; both threads take chunks from a
 * shared counter and run the whole GEMM (every row) on each, so every element of C is
 * still one thread's sequential float32 sum, bit for bit the one-thread result.
 *
 * B may become ready while the product runs: the calling thread builds B's columns
 * chunk by chunk (the im2col columns) and publishes how many are built; the worker
 * multiplies each chunk as soon as it is built, and the caller joins in when it has
 * built the last one. So building the columns overlaps with the products, instead of
 * running alone before them.
 *
 * Synchronisation is through the control block at `controlAddress` (16 int32, see
 * {@link Field}); the caller blocks in Atomics.wait (allowed on Node's main thread),
 * so the convolution stays synchronous.
 */
import { Worker } from 'node:worker_threads';
import { controlAddress, type WasmGemm } from './module.ts';

/** Indices of the control block (int32). */
const Field = {
  /** 0 idle, 1 job posted, 2 done, 3 failed, -1 exit. */
  state: 0,
  /** 1: B row-major (gemmRowB), 0: packed panels (gemm). */
  rowMajorB: 1,
  rows: 2,
  columns: 3,
  depth: 4,
  a: 5,
  b: 6,
  /** Bytes from one column of B to the next chunk's first: 4·K packed, 4 row-major. */
  bColumnBytes: 7,
  ldb: 8,
  c: 9,
  ldc: 10,
  scratch: 11,
  chunk: 12,
  /** Columns of B ready to multiply (published by the caller). */
  built: 13,
  /** The next chunk to take. */
  next: 14,
  /** Chunks the worker has multiplied since it started (for the tests). */
  workerChunks: 15,
} as const;

const IDLE = 0;
const POSTED = 1;
const DONE = 2;
const FAILED = 3;

/**
 * Columns per chunk: a multiple of the 12-column sliver (so only a product's last
 * chunk has an edge tile), small enough that the two threads end within about
 * 0.1 ms of each other on the layers of the bench (a chunk of ResNet's 64 → 64 layer
 * is 64 × 48 × 576 multiply-adds), large enough that the per-chunk synchronisation
 * (two atomic operations) is negligible.
 */
export const chunkColumns = 48;

/**
 * Widest step in which {@link GemmHelper.multiply} has B built (8 chunks): building
 * shape a's column blocks in steps of 48 columns took 3.2 ms against 2.2 ms in one
 * piece (the fixed cost of each tap row and run per step); in steps of 384, 2.4 ms.
 */
export const buildColumnsLimit = 8 * chunkColumns;

/**
 * Polls of a counter before sleeping on it: a wake-up from Atomics.wait costs tens of
 * microseconds, a chunk about a hundred, so a thread that waits briefly spins first.
 */
const SPINS = 2_000;

/** The worker, as CommonJS source (eval: true), so it needs no file beside the module. */
export const workerSource = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const { gemm, gemmRowB } = new WebAssembly.Instance(module, { env: { memory } }).exports;
const s = new Int32Array(memory.buffer, control, 16);
function awaitBuilt(columns) {
  for (let spin = 0; ; spin++) {
    const built = Atomics.load(s, ${Field.built});
    if (built >= columns) return;
    if (spin > ${SPINS}) Atomics.wait(s, ${Field.built}, built, 100);
  }
}
for (;;) {
  const now = Atomics.load(s, ${Field.state});
  if (now === -1) break;
  if (now !== ${POSTED}) { Atomics.wait(s, ${Field.state}, now); continue; }
  try {
    const M = s[${Field.rows}], N = s[${Field.columns}], K = s[${Field.depth}];
    const a = s[${Field.a}], b = s[${Field.b}], step = s[${Field.bColumnBytes}], ldb = s[${Field.ldb}];
    const c = s[${Field.c}], ldc = s[${Field.ldc}], scratch = s[${Field.scratch}], chunk = s[${Field.chunk}];
    const rowMajorB = s[${Field.rowMajorB}] === 1;
    for (;;) {
      const q0 = Atomics.add(s, ${Field.next}, 1) * chunk;
      if (q0 >= N) break;
      const n = Math.min(chunk, N - q0);
      awaitBuilt(q0 + n);
      if (rowMajorB) gemmRowB(M, n, K, a, b + q0 * step, ldb, c + 4 * q0, ldc, scratch);
      else gemm(M, n, K, a, b + q0 * step, c + 4 * q0, ldc, scratch);
      Atomics.add(s, ${Field.workerChunks}, 1);
    }
    Atomics.store(s, ${Field.state}, ${DONE});
  } catch {
    Atomics.store(s, ${Field.state}, ${FAILED});
  }
  Atomics.notify(s, ${Field.state});
}
`;

/** How long the caller waits for the worker before giving up (ms). */
const WAIT_LIMIT_MS = 60_000;

/**
 * One product C[M × N] += A · B for {@link GemmHelper.start}: sizes, byte addresses,
 * `ldc` (and `ldb` for a row-major B) in elements; A packed in panels of 4 rows; B
 * packed in panels of 4 columns (`rowMajorB` false) or row-major.
 */
export interface SplitProduct {
  rowMajorB: boolean;
  M: number;
  N: number;
  K: number;
  a: number;
  b: number;
  ldb: number;
  c: number;
  ldc: number;
}

/** One worker thread bound to one {@link WasmGemm} (and its control block). */
export class GemmHelper {
  readonly #gemm: WasmGemm;
  readonly #state: Int32Array;
  #job: SplitProduct | undefined;
  #callerScratch = 0;

  /**
   * @param source - the worker's code; tests pass a broken edit of {@link workerSource}.
   */
  constructor(gemm: WasmGemm, source: string = workerSource) {
    this.#gemm = gemm;
    this.#state = new Int32Array(gemm.buffer, controlAddress, 16);
    this.#state.fill(0);
    const worker = new Worker(source, {
      eval: true,
      workerData: { module: gemm.module, memory: gemm.memory, control: controlAddress },
    });
    // The worker never keeps the process alive; it dies with it.
    worker.unref();
  }

  /** Chunks the worker has multiplied since it started. */
  get workerChunks(): number {
    return Atomics.load(this.#state, Field.workerChunks);
  }

  /**
   * Posts `job` to the worker with `built` of its B columns ready; the caller then
   * {@link publish}es the rest as it builds them and calls {@link finish}.
   * `scratch` and `workerScratch`: each thread's 192-byte edge-tile scratch.
   */
  start(job: SplitProduct, built: number, scratch: number, workerScratch: number): void {
    const s = this.#state;
    s[Field.rowMajorB] = job.rowMajorB ? 1 : 0;
    s[Field.rows] = job.M;
    s[Field.columns] = job.N;
    s[Field.depth] = job.K;
    s[Field.a] = job.a;
    s[Field.b] = job.b;
    s[Field.bColumnBytes] = job.rowMajorB ? 4 : 4 * job.K;
    s[Field.ldb] = job.ldb;
    s[Field.c] = job.c;
    s[Field.ldc] = job.ldc;
    s[Field.scratch] = workerScratch;
    s[Field.chunk] = chunkColumns;
    Atomics.store(s, Field.built, built);
    Atomics.store(s, Field.next, 0);
    this.#job = job;
    this.#callerScratch = scratch;
    Atomics.store(s, Field.state, POSTED);
    Atomics.notify(s, Field.state);
  }

  /**
   * Runs `job` on both threads while `build(q0, width)` writes B's columns
   * [q0, q0 + width) on the calling thread: the first step is one chunk, so that the
   * worker starts soon, and each next one twice as wide up to {@link buildColumnsLimit}.
   * `scratch`: the caller's and the worker's 192-byte edge-tile scratch.
   *
   * @example
   * ```ts
   * helper.multiply(job, [scratchAddress(0), scratchAddress(1)], (q0, width) => writeColumns(q0, width));
   * ```
   */
  multiply(
    job: SplitProduct,
    scratch: readonly [number, number],
    build: (q0: number, width: number) => void,
  ): void {
    this.start(job, 0, scratch[0], scratch[1]);
    try {
      let step = chunkColumns;
      for (let q0 = 0; q0 < job.N; q0 += step, step = Math.min(2 * step, buildColumnsLimit)) {
        const width = Math.min(step, job.N - q0);
        build(q0, width);
        this.publish(q0 + width);
      }
    } finally {
      // Also after a failed build: the worker must not wait for columns that never come
      // (what it then multiplies is discarded with the call).
      this.finish();
    }
  }

  /** Says that B's first `columns` columns are built (written before this call). */
  publish(columns: number): void {
    Atomics.store(this.#state, Field.built, columns);
    Atomics.notify(this.#state, Field.built);
  }

  /**
   * Publishes every column as built, multiplies the chunks nobody has taken on the
   * calling thread, then waits for the worker's last chunk. Throws when the worker
   * failed or did not answer within a minute.
   */
  finish(): void {
    const job = this.#job;
    if (job === undefined) return;
    this.#job = undefined;
    const s = this.#state;
    this.publish(job.N);
    const step = job.rowMajorB ? 4 : 4 * job.K;
    for (;;) {
      const q0 = Atomics.add(s, Field.next, 1) * chunkColumns;
      if (q0 >= job.N) break;
      const n = Math.min(chunkColumns, job.N - q0);
      const b = job.b + q0 * step;
      const c = job.c + 4 * q0;
      if (job.rowMajorB) {
        this.#gemm.gemmRowB(job.M, n, job.K, job.a, b, job.ldb, c, job.ldc, this.#callerScratch);
      } else {
        this.#gemm.gemm(job.M, n, job.K, job.a, b, c, job.ldc, this.#callerScratch);
      }
    }
    this.#join();
  }

  #join(): void {
    const s = this.#state;
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (let spin = 0; Atomics.load(s, Field.state) === POSTED; spin++) {
      if (spin < SPINS) continue;
      if (Date.now() > deadline)
        throw new Error('im2col-simd: the GEMM worker thread did not answer within 60 s');
      Atomics.wait(s, Field.state, POSTED, 1000);
    }
    const state = Atomics.load(s, Field.state);
    Atomics.store(s, Field.state, IDLE);
    if (state === FAILED) throw new Error('im2col-simd: the GEMM failed on the worker thread');
  }
}

const helpers = new WeakMap<WasmGemm, GemmHelper>();

/**
 * The worker thread of `gemm` (one per memory: it owns the memory's control block),
 * started on first use.
 *
 * @example
 * ```ts
 * const helper = helperOf(gemm);
 * helper.start(job, 0, scratchAddress(0), scratchAddress(1));
 * helper.finish();
 * ```
 */
export function helperOf(gemm: WasmGemm): GemmHelper {
  let helper = helpers.get(gemm);
  if (helper === undefined) {
    helper = new GemmHelper(gemm);
    helpers.set(gemm, helper);
  }
  return helper;
}
