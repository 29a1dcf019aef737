/**
 * Peer libraries wrapped as ConvKernels: onnxruntime-node and TensorFlow.js
 * (cpu and wasm backends). Importing this module loads none of them; use the
 * `load…Kernel` functions, which return `{ unavailable }` instead of throwing
 * when a package cannot be loaded.
 *
 * @example
 * ```ts
 * import { loadPeerKernels } from './impl/peers/index.ts';
 * for (const [id, k] of Object.entries(await loadPeerKernels())) {
 *   console.log(id, 'unavailable' in k ? `skipped: ${k.unavailable}` : k.name);
 * }
 * ```
 */
import { loadOrtKernel } from './ort.ts';
import type { PeerLoad } from './peer.ts';
import { loadTfjsKernel } from './tfjs.ts';

export { encodeOnnxConvModel, ONNX_CONV_NAMES, type OnnxConvModelOptions } from './onnx-model.ts';
export { loadOrtKernel, ortKernel, releaseOrtSessions } from './ort.ts';
export { isUnavailable, type PeerLoad, type PeerUnavailable } from './peer.ts';
export {
  loadTfjsCpuKernel,
  loadTfjsKernel,
  loadTfjsWasmKernel,
  type TfjsBackendName,
  tfjsCpuKernel,
  tfjsWasmKernel,
} from './tfjs.ts';

/** Every peer, keyed by the benchmark's impl id. */
export interface PeerKernels {
  'tfjs-cpu': PeerLoad;
  'tfjs-wasm': PeerLoad;
  ort: PeerLoad;
}

/**
 * Loads every peer; a peer that fails to load is reported, not thrown.
 *
 * @example
 * ```ts
 * const peers = await loadPeerKernels();
 * if (!isUnavailable(peers.ort)) await peers.ort.conv(p, x, w);
 * ```
 */
export async function loadPeerKernels(): Promise<PeerKernels> {
  return {
    'tfjs-cpu': await loadTfjsKernel('cpu'),
    'tfjs-wasm': await loadTfjsKernel('wasm'),
    ort: await loadOrtKernel(),
  };
}
