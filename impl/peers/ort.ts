/**
 * onnxruntime-node (CPU execution provider) as a ConvKernel, through the
 * shared ONNX Conv kernel (onnx-kernel.ts).
 *
 * Only float32: onnxruntime 1.30's CPU provider has no double Conv kernel
 * (session creation fails with "Could not find an implementation for Conv(11)
 * node"), which ort.test.ts checks.
 *
 * Importing this module never loads onnxruntime; {@link loadOrtKernel} does.
 */
import { type OnnxRuntime, onnxKernel } from './onnx-kernel.ts';
import type { PeerLoad } from './peer.ts';

const ortNode = onnxKernel({
  name: 'onnxruntime-node',
  load: async () => (await import('onnxruntime-node')) as unknown as OnnxRuntime,
  // Single-threaded CPU: the harness compares kernels on one core, and the machine is shared.
  sessionOptions: { intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'] },
});

/**
 * onnxruntime-node 1.30, CPU provider, one thread, float32. `conv` is async
 * and loads onnxruntime on first use; prefer {@link loadOrtKernel}, which
 * reports a missing package instead of failing later.
 *
 * @example
 * ```ts
 * const y = await ortKernel.conv(p, x, w); // Float32Array, NCHW
 * ```
 */
export const ortKernel = ortNode.kernel;

/**
 * Loads onnxruntime-node and returns {@link ortKernel}, or the reason it
 * cannot be used (package missing, native binding failing to load).
 *
 * @example
 * ```ts
 * const ort = await loadOrtKernel();
 * if ('unavailable' in ort) console.log(`skipped: ${ort.unavailable}`);
 * ```
 */
export function loadOrtKernel(): Promise<PeerLoad> {
  return ortNode.load();
}

/**
 * Releases every cached session (those in use are released when their run
 * ends). Call at the end of a long run to free native memory.
 *
 * @example
 * ```ts
 * releaseOrtSessions();
 * ```
 */
export function releaseOrtSessions(): void {
  ortNode.release();
}
