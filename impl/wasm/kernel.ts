/** The WebAssembly SIMD im2col convolution as a {@link ConvKernel} for the harness. */
import type { ConvKernel, ConvProblem, FloatArray } from '../../reference/index.ts';
import { workspaceLimit } from '../im2col/index.ts';
import { type Im2colSimdOptions, im2colSimdConv, im2colSimdRefusal } from './im2col-simd.ts';

/** Throws a TypeError naming the operand unless it is a Float32Array. */
function float32(name: string, value: FloatArray): Float32Array {
  if (value instanceof Float32Array) return value;
  throw new TypeError(
    `im2col-simd: ${name} must be a Float32Array, got ${Object.prototype.toString.call(value)}`,
  );
}

/**
 * Builds the 'im2col-simd' kernel (float32). `supports(p)` returns the reason
 * instead of `true` when the WebAssembly GEMM is not built or this runtime lacks
 * WebAssembly SIMD, when the problem is invalid, or when its memory would exceed
 * `maxWorkspaceBytes`; the harness then skips it and the plain-JS kernels remain.
 *
 * @example
 * ```ts
 * const kernel = createIm2colSimdKernel({ maxWorkspaceBytes: 256 * 2 ** 20 });
 * kernel.supports?.(p); // true, or 'im2col-simd: WebAssembly GEMM not built: …'
 * ```
 */
export function createIm2colSimdKernel(options: Im2colSimdOptions = {}): ConvKernel {
  const threads = options.threads ?? 1;
  if (threads !== 1 && threads !== 2) {
    throw new RangeError(`im2col-simd: threads must be 1 or 2, got ${String(threads)}`);
  }
  const limits: Im2colSimdOptions = { maxWorkspaceBytes: workspaceLimit(options), threads };
  return {
    name: threads === 1 ? 'im2col-simd' : 'im2col-simd-2t',
    dtype: 'float32',
    supports(p: ConvProblem): true | string {
      try {
        return im2colSimdRefusal(p, limits) ?? true;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
    conv(p: ConvProblem, x: FloatArray, w: FloatArray, b?: FloatArray): FloatArray {
      return im2colSimdConv(
        p,
        float32('input', x),
        float32('weight', w),
        b && float32('bias', b),
        limits,
      );
    },
  };
}

/**
 * The float32 WebAssembly SIMD im2col kernel with the default 1 GiB limit.
 *
 * @example
 * ```ts
 * const y = await im2colSimdKernel.conv(p, x, w);
 * ```
 */
export const im2colSimdKernel: ConvKernel = createIm2colSimdKernel();

/**
 * The same kernel on two threads ('im2col-simd-2t'): while the calling thread builds
 * the columns step by step, a worker_thread multiplies the chunks of 48 columns
 * already built; the caller joins in once all are built (impl/wasm/threads.ts). The
 * same bits as one thread. Timed by the bench; the checks use the single-thread kernel.
 *
 * @example
 * ```ts
 * const y = await im2colSimd2tKernel.conv(p, x, w);
 * ```
 */
export const im2colSimd2tKernel: ConvKernel = createIm2colSimdKernel({ threads: 2 });
