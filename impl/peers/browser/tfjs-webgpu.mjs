// TensorFlow.js 4.22 on @tensorflow/tfjs-backend-webgpu, as a kernel for the
// browser host: `convcheck check --impl impl/peers/browser/tfjs-webgpu.mjs --browser`.
// The host bundles this module with its imports (scripts/check/hosts/browser-bundle.ts),
// so the bare and TypeScript imports below resolve in the page.
//
// The problem mapping is the tfjs adapter's (impl/peers/tfjs.ts): tfjs's own layouts
// (NHWC input and output, HWIO filter), conv2d / depthwiseConv2d with explicit pads,
// 1-D as 2-D with a height of 1, 3-D through conv3d on an explicitly zero-padded input,
// true convolution by reversing the filter. What tfjs cannot compute (grouped layers,
// stride together with dilation, non-zero padding modes) is declined by the same
// `tfjsSupports`, with 'webgpu' as the backend.
//
// The backend runs on the host's GPUDevice (ctx.device), not on one of its own, so the
// host's error scopes and device-loss watch cover it.

import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { convGeometry } from '../../../reference/geometry.ts';
import { tfjsConvTensor, tfjsSupports } from '../tfjs.ts';

/** The backend, once registered on the host's device (one page, one device). */
let ready;

function backendOn(device) {
  ready ??= (async () => {
    tf.env().set('PROD', true);
    // The package registered a 'webgpu' factory that opens its own adapter; the kernels
    // stay registered under that name, so the factory is replaced, not renamed.
    tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new WebGPUBackend(device, device.adapterInfo));
    if (!(await tf.setBackend('webgpu'))) throw new Error("tfjs: setBackend('webgpu') failed");
    await tf.ready();
  })();
  return ready;
}

export default {
  name: 'tfjs-webgpu',
  dtype: 'float32',
  layout: 'nhwc',
  weightLayout: 'hwio',
  supports: (p) => tfjsSupports('webgpu', p),
  async conv(p, input, weight, bias, ctx) {
    await backendOn(ctx.device);
    const output = tfjsConvTensor(tf, 'webgpu', convGeometry(p), input, weight, bias);
    try {
      return await output.data();
    } finally {
      output.dispose();
    }
  },
};
