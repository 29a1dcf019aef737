// onnxruntime-node's ConvInteger and QLinearConv as a module, so `check --builtin ort-int8` runs
// it isolated in a child process, as `--builtin ort` runs its Conv. Where onnxruntime-node cannot
// load, every case is declined with why (a SKIP, never a pass).
import { loadOrtInt8Kernel } from '../../../impl/peers/ort-int8.ts';
import type { QuantizedKernel } from '../../../reference/quantized-kernel.ts';

const loaded = await loadOrtInt8Kernel();

const unavailable = (reason: string): QuantizedKernel => ({
  name: 'ort-int8',
  supportsQuantized: () => reason,
  convInteger: () => Promise.reject(new Error(reason)),
  qlinearConv: () => Promise.reject(new Error(reason)),
});

export default 'unavailable' in loaded ? unavailable(loaded.unavailable) : loaded;
