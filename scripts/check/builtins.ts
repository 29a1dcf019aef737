/**
 * The kernels `check` knows by name (--builtin): our own kernels, run in
 * process, and the peer libraries, each run isolated in a child process or over
 * the subprocess protocol like any third-party kernel.
 */
import { fileURLToPath } from 'node:url';
import type { AnyConvKernel } from '../../reference/index.ts';
import { FLOAT_OP_NAMES } from '../../reference/ops.ts';
import { UsageError } from '../cli-error.ts';
import { moduleUrl, packageFile } from '../package-files.ts';
import { shellQuote } from '../shell-quote.ts';
import type { KernelHost } from './hosts/index.ts';
import {
  openCommandHost,
  openInProcessHost,
  openModuleHost,
  openQuantizedInProcessHost,
} from './hosts/index.ts';

/** A module of kernels/ beside this file, as a path (its extension depends on source vs dist). */
const kernelModule = (name: string) =>
  fileURLToPath(moduleUrl(`./kernels/${name}`, import.meta.url));
/** A client script shipped in scripts/clients/, quoted for the shell. */
const script = (file: string) => shellQuote(packageFile(`scripts/clients/${file}`));

type Opener = () => Promise<KernelHost>;

/** The ops torch_client.py implements: conv_transposeNd and autograd for the backward passes. */
const TORCH_OPS = FLOAT_OP_NAMES;

/** PyTorch's quantized conv on one engine, as QLinearConv over the protocol (qlinear-conv only). */
const torchInt8 = (engine: 'qnnpack' | 'onednn') =>
  openCommandHost(`/usr/bin/python3 ${script('torch_quantized_client.py')} --engine ${engine}`, {
    name: `torch-int8-${engine}`,
    ops: ['qlinear-conv'],
  });

async function ownKernel(pick: () => Promise<AnyConvKernel>): Promise<KernelHost> {
  return openInProcessHost(await pick());
}

const OPENERS: Record<string, Opener> = {
  im2col: () => ownKernel(async () => (await import('../../impl/im2col/index.ts')).im2colKernel),
  'im2col-f64': () =>
    ownKernel(async () => (await import('../../impl/im2col/index.ts')).im2colKernel64),
  'im2col-f16': () =>
    ownKernel(async () => (await import('../../impl/im2col/index.ts')).im2colF16Kernel),
  'im2col-bf16': () =>
    ownKernel(async () => (await import('../../impl/im2col/index.ts')).im2colBf16Kernel),
  'im2col-int8': async () =>
    openQuantizedInProcessHost((await import('../../impl/quantized/index.ts')).im2colInt8Kernel),
  'ort-int8': () => openModuleHost(kernelModule('ort-int8')),
  'im2col-simd': () =>
    ownKernel(async () => (await import('../../impl/wasm/index.ts')).im2colSimdKernel),
  'winograd-f2': () =>
    ownKernel(async () => (await import('../../impl/winograd/index.ts')).winogradF2Kernel),
  'winograd-f4': () =>
    ownKernel(async () => (await import('../../impl/winograd/index.ts')).winogradF4Kernel),
  'winograd-f2-simd': () =>
    ownKernel(async () => (await import('../../impl/wasm/index.ts')).winogradF2SimdKernel),
  'winograd-f4-simd': () =>
    ownKernel(async () => (await import('../../impl/wasm/index.ts')).winogradF4SimdKernel),
  ort: () => openModuleHost(kernelModule('ort')),
  'ort-web': () => openModuleHost(kernelModule('ort-web')),
  convnetjs: () => openModuleHost(kernelModule('convnetjs')),
  'ml-convolution-direct': () => openModuleHost(kernelModule('ml-convolution-direct')),
  'ml-convolution-fft': () => openModuleHost(kernelModule('ml-convolution-fft')),
  'ml-matrix-convolution-direct': () =>
    openModuleHost(kernelModule('ml-matrix-convolution-direct')),
  'ml-matrix-convolution-fft': () => openModuleHost(kernelModule('ml-matrix-convolution-fft')),
  'thing-pixel-convolve': () => openModuleHost(kernelModule('thing-pixel-convolve')),
  'tfjs-cpu': () => openModuleHost(kernelModule('tfjs-cpu')),
  'tfjs-wasm': () => openModuleHost(kernelModule('tfjs-wasm')),
  'tfjs-cpu-transpose': () => openModuleHost(kernelModule('tfjs-cpu-transpose')),
  torch: () =>
    openCommandHost(`/usr/bin/python3 ${script('torch_client.py')}`, {
      dtype: 'float64',
      name: 'torch',
      ops: TORCH_OPS,
    }),
  'torch-f32': () =>
    openCommandHost(`/usr/bin/python3 ${script('torch_client.py')}`, {
      dtype: 'float32',
      name: 'torch-f32',
      ops: TORCH_OPS,
    }),
  'torch-int8-qnnpack': () => torchInt8('qnnpack'),
  'torch-int8-onednn': () => torchInt8('onednn'),
  scipy: () =>
    openCommandHost(`python3 ${script('scipy_client.py')}`, {
      dtype: 'float64',
      name: 'scipy',
    }),
  'scipy-f32': () =>
    openCommandHost(`python3 ${script('scipy_client.py')} --method direct`, {
      dtype: 'float32',
      name: 'scipy-f32',
    }),
  'scipy-fft': () =>
    openCommandHost(`python3 ${script('scipy_client.py')} --method fft`, {
      dtype: 'float32',
      name: 'scipy-fft',
      // An FFT spreads a NaN or ±∞ over the whole output, as FFT arithmetic does.
      finiteOnly: true,
    }),
  cv2: () =>
    openCommandHost(`/usr/bin/python3 ${script('cv2_client.py')}`, {
      dtype: 'float32',
      name: 'cv2',
    }),
  'numpy-reference': () =>
    openCommandHost(`python3 ${script('reference_client.py')}`, {
      dtype: 'float64',
      name: 'numpy-reference',
    }),
};

/** Names accepted by --builtin. */
export const BUILTIN_NAMES = Object.keys(OPENERS);

/**
 * The kernels `check` runs when no kernel is named. im2col-int8's four
 * quantized phases add about a second (small integer problems).
 */
export const DEFAULT_BUILTINS = ['im2col', 'winograd-f2', 'winograd-f4', 'im2col-int8'];

/**
 * Opens a built-in kernel by name; a UsageError lists the names otherwise.
 *
 * @example
 * ```ts
 * const host = await openBuiltin('im2col');
 * ```
 */
export function openBuiltin(name: string): Promise<KernelHost> {
  const open = OPENERS[name];
  if (!open)
    throw new UsageError(`--builtin must name one of ${BUILTIN_NAMES.join(', ')}, got '${name}'`);
  return open();
}
