/**
 * onnxruntime-web 1.31 (WASM backend, run in Node) as a ConvKernel, through
 * the shared ONNX Conv kernel (onnx-kernel.ts): the same one-node model as
 * onnxruntime-node, executed by the WebAssembly build browsers use. One
 * thread (no worker threads on a shared machine), float32.
 *
 * Importing this module never loads onnxruntime-web; {@link loadOrtWebKernel} does.
 */
import { type OnnxRuntime, onnxKernel } from './onnx-kernel.ts';
import type { PeerLoad } from './peer.ts';

const ortWeb = onnxKernel({
  name: 'onnxruntime-web',
  load: async () => {
    const ort = await import('onnxruntime-web');
    // One WASM thread: no worker threads, and the harness compares kernels on one core.
    ort.env.wasm.numThreads = 1;
    return ort as unknown as OnnxRuntime;
  },
  sessionOptions: { executionProviders: ['wasm'] },
});

/**
 * onnxruntime-web's WASM backend, float32.
 *
 * @example
 * ```ts
 * const y = await ortWebKernel.conv(p, x, w); // Float32Array, NCHW
 * ```
 */
export const ortWebKernel = ortWeb.kernel;

/**
 * Loads onnxruntime-web and returns {@link ortWebKernel}, or why it cannot be used.
 *
 * @example
 * ```ts
 * const k = await loadOrtWebKernel();
 * ```
 */
export function loadOrtWebKernel(): Promise<PeerLoad> {
  return ortWeb.load();
}
