/**
 * A second thread for the WebAssembly GEMM: one worker_thread that instantiates the
 * same module on the same shared memory and runs the GEMM on the rows of C (output
 * channels) it is given, while the calling thread runs the other rows. The two
 * threads share the packed panels and write disjoint rows of C, so no data moves.
 *
 * Synchronisation is through the control block at `controlAddress` (int32):
 *   [0] state: 0 idle, 1 job posted, 2 done, 3 failed, -1 exit;  [1..8] the GEMM arguments.
 * The caller blocks in Atomics.wait (allowed on Node's main thread), so the
 * convolution stays synchronous.
 */
import { Worker } from 'node:worker_threads';
import { controlAddress, type GemmArguments, type WasmGemm } from './module.ts';

const IDLE = 0;
const POSTED = 1;
const DONE = 2;
const FAILED = 3;

/** The worker, as CommonJS source (eval: true), so it needs no file beside the module. */
const workerSource = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const { gemm } = new WebAssembly.Instance(module, { env: { memory } }).exports;
const state = new Int32Array(memory.buffer, control, 16);
for (;;) {
  const now = Atomics.load(state, 0);
  if (now === -1) break;
  if (now !== ${POSTED}) { Atomics.wait(state, 0, now); continue; }
  try {
    gemm(state[1], state[2], state[3], state[4], state[5], state[6], state[7], state[8]);
    Atomics.store(state, 0, ${DONE});
  } catch {
    Atomics.store(state, 0, ${FAILED});
  }
  Atomics.notify(state, 0);
}
`;

/** How long the caller waits for the worker before giving up (ms). */
const WAIT_LIMIT_MS = 60_000;

/** One helper thread bound to one {@link WasmGemm}. */
export class GemmHelper {
  readonly #state: Int32Array;

  constructor(gemm: WasmGemm) {
    this.#state = new Int32Array(gemm.buffer, controlAddress, 16);
    Atomics.store(this.#state, 0, IDLE);
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { module: gemm.module, memory: gemm.memory, control: controlAddress },
    });
    // The worker never keeps the process alive; it dies with it.
    worker.unref();
  }

  /** Starts `gemm(...args)` on the helper thread; call {@link GemmHelper.join} before the next. */
  post(args: GemmArguments): void {
    this.#state.set(args, 1);
    Atomics.store(this.#state, 0, POSTED);
    Atomics.notify(this.#state, 0);
  }

  /** Waits for the posted GEMM to finish; throws when it failed or took over a minute. */
  join(): void {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    while (Atomics.load(this.#state, 0) === POSTED) {
      if (Date.now() > deadline)
        throw new Error('im2col-simd: the GEMM worker thread did not answer within 60 s');
      Atomics.wait(this.#state, 0, POSTED, 1000);
    }
    const state = Atomics.load(this.#state, 0);
    Atomics.store(this.#state, 0, IDLE);
    if (state === FAILED) throw new Error('im2col-simd: the GEMM failed on the worker thread');
  }
}

let helper: GemmHelper | undefined;

/**
 * C[M × N] += A · B split over two threads by rows of C: the helper takes the rows
 * from ⌈M/2⌉ rounded up to a whole A panel (4 rows); the caller the rest. With
 * M ≤ 4 there is nothing to split and it runs on the caller alone.
 *
 * @example
 * ```ts
 * gemmTwoThreads(gemm, [cog, width, R, a, b, c, P, scratchAddress(0)], scratchAddress(1));
 * ```
 */
export function gemmTwoThreads(gemm: WasmGemm, args: GemmArguments, helperScratch: number): void {
  const [M, N, K, a, b, c, ldc, scratch] = args;
  const split = Math.ceil(M / 8) * 4;
  if (split >= M) {
    gemm.gemm(...args);
    return;
  }
  helper ??= new GemmHelper(gemm);
  helper.post([M - split, N, K, a + 4 * split * K, b, c + 4 * split * ldc, ldc, helperScratch]);
  gemm.gemm(split, N, K, a, b, c, ldc, scratch);
  helper.join();
}
