// onnxruntime-web 1.31 with its WebGPU execution provider, as a kernel for the browser
// host: `convcheck check --impl impl/peers/browser/ort-webgpu.mjs --browser`. The host
// bundles this module with its imports (scripts/check/hosts/browser-bundle.ts); the
// .wasm import gives the URL the host serves the runtime's WebAssembly at.
//
// The kernel is the shared ONNX Conv kernel (impl/peers/onnx-kernel.ts, as for
// onnxruntime-node and onnxruntime-web's WASM backend): one Conv node, X, W and B as
// graph inputs, true convolution by flipping the weights, NCHW/OIHW as ONNX declares
// them, sessions cached by geometry.
//
// The provider runs on the host's GPUDevice (ctx.device). CPU fallback is disabled
// ('session.disable_cpu_ep_fallback'), so a Conv the WebGPU provider cannot take fails
// to load instead of silently running on the WebAssembly CPU provider.
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm';
import * as ort from 'onnxruntime-web/webgpu';
import { onnxKernel } from '../onnx-kernel.ts';

const onnx = onnxKernel({
  name: 'onnxruntime-web-webgpu',
  load: async () => ort,
  sessionOptions: {
    executionProviders: ['webgpu'],
    extra: { session: { disable_cpu_ep_fallback: '1' } },
  },
});

let deviceSet = false;

function useDevice(device) {
  if (deviceSet) return;
  // One thread: cross-origin isolation (SharedArrayBuffer) is not needed, and no worker starts.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, location.href).href };
  ort.env.webgpu.device = device;
  deviceSet = true;
}

/** What ONNX Conv allows (the shared kernel's supports), less what this provider refuses. */
function supports(p) {
  const answer = onnx.kernel.supports(p);
  if (answer !== true) return answer;
  // Its run-time message: "Conv3D does not support grouped convolution (group=2)".
  if (p.inputSize.length === 3 && p.groups > 1) {
    return `onnxruntime-web's WebGPU Conv3D has no grouped convolution (groups = ${p.groups})`;
  }
  return true;
}

export default {
  name: onnx.kernel.name,
  dtype: 'float32',
  supports,
  conv(p, input, weight, bias, ctx) {
    useDevice(ctx.device);
    return onnx.kernel.conv(p, input, weight, bias);
  },
};
