/**
 * TensorFlow.js 4.22 (tfjs-core with the 'cpu' or the 'wasm' backend) as
 * ConvKernels, float32 only.
 *
 * The kernels declare tfjs's own layouts, NHWC input and output and an HWIO
 * filter (NWC/WIO in 1-D, NDHWC/DHWIO in 3-D), so the harness hands operands
 * over in them and nothing is transposed here. They run through
 * `tf.conv2d` (groups = 1) or `tf.depthwiseConv2d` (groups = inChannels,
 * channel multiplier outChannels / groups) with explicit pads
 * `[[0, 0], [top, bottom], [left, right], [0, 0]]`; 1-D problems run as 2-D
 * with a height of 1; 3-D problems (groups = 1) run through `tf.conv3d` on an
 * input zero-padded with `tf.pad`, because conv3d takes only 'valid'/'same'.
 * True convolution reverses the filter's spatial axes (`tf.reverse`) first. `dataFormat: 'NCHW'` is never used:
 * the backends ignore it for depthwiseConv2d (see tfjs.test.ts).
 *
 * The active backend is global in tfjs, so calls are queued one at a time, and
 * each selects its own backend and then computes synchronously (no await in
 * between), which keeps two adapters from running on each other's backend. Every intermediate tensor is
 * disposed by `tf.tidy`, and the output right after it is read.
 *
 * Importing this module never loads tfjs; the `load…` functions do.
 *
 * Over 300 lines, on purpose: one adapter for two tfjs backends whose quirks (NHWC
 * only, explicit padding where 0·∞ matters, unsupported stride×dilation) are
 * documented where they are worked around.
 */

import type * as Tfjs from '@tensorflow/tfjs-core';
// Direct imports, not reference/index.ts: the browser adapter bundles this file for
// the page, and the index also loads the Node-only exact oracle (mathjs).
import { checkConvOperands } from '../../reference/conv.ts';
import { type ConvGeometry, convGeometry } from '../../reference/geometry.ts';
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import type { ConvKernel, ConvProblem } from '../../reference/problem.ts';
import { asFloat32, geometryOrReason, messageOf, type PeerLoad } from './peer.ts';

/** The tfjs-core module namespace. */
export type TfjsModule = typeof Tfjs;
type Tf = TfjsModule;

/** The two tfjs backends wrapped here. */
export type TfjsBackendName = 'cpu' | 'wasm';

/**
 * Every backend this file maps problems for: the two above, and 'webgpu', whose
 * adapter runs in the page (impl/peers/browser/tfjs-webgpu.mjs) and reuses the
 * mapping exported here.
 */
export type TfjsConvBackend = TfjsBackendName | 'webgpu';

const backendPackages: Record<TfjsBackendName, string> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
};

const loaded = new Map<TfjsBackendName, Promise<Tf>>();

/**
 * Imports tfjs-core and registers one backend. PROD mode silences tfjs's
 * console banner ("looks like you are running TensorFlow.js in Node.js");
 * it only affects logging.
 */
async function importBackend(backend: TfjsBackendName): Promise<Tf> {
  const tf: Tf = await import('@tensorflow/tfjs-core');
  await import(backendPackages[backend]);
  tf.env().set('PROD', true);
  await activate(tf, backend);
  return tf;
}

function loadBackend(backend: TfjsBackendName): Promise<Tf> {
  let tf = loaded.get(backend);
  if (tf === undefined) {
    tf = importBackend(backend);
    // A failed load is not cached: a later call may retry.
    tf.catch(() => loaded.delete(backend));
    loaded.set(backend, tf);
  }
  return tf;
}

async function activate(tf: Tf, backend: TfjsBackendName): Promise<void> {
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) {
    throw new Error(`tfjs: setBackend('${backend}') failed to initialise the backend`);
  }
  await tf.ready();
}

/**
 * Why tfjs cannot compute `p` on `backend`, or true.
 *
 * @example
 * ```ts
 * tfjsSupports('webgpu', p); // true, or e.g. 'tfjs has no grouped convolution …'
 * ```
 */
export function tfjsSupports(backend: TfjsConvBackend, p: ConvProblem): true | string {
  const g = geometryOrReason(p);
  if (typeof g === 'string') return g;
  const zeros = zeroPaddingOnly(p);
  if (zeros !== true) return `tfjs adapter: ${zeros}`;
  const depthwise = g.groups > 1 && g.groups === g.inChannels;
  if (g.groups > 1 && !depthwise) {
    return `tfjs has no grouped convolution with 1 < groups < inChannels (groups = ${g.groups}, inChannels = ${g.inChannels})`;
  }
  if (g.rank === 3 && g.groups > 1) {
    return `tfjs has no grouped or depthwise 3-D convolution (groups = ${g.groups})`;
  }
  // tfjs-backend-webgpu 4.22 indexes 5-D tensors as `vec5`, which WGSL lacks: its Pad and
  // its broadcasting add fail to compile on rank 5, so the explicit zero padding and the
  // bias of a 3-D convolution cannot run there (docs/results/webgpu.md shows the shader
  // error; conv3d itself takes only 'valid'/'same' padding).
  const padded3d = g.rank === 3 && [...g.padBegin, ...g.padEnd].some((q) => q > 0);
  if (backend === 'webgpu' && (padded3d || (g.rank === 3 && g.problem.bias))) {
    return "tfjs-backend-webgpu's 5-D Pad and add are invalid WGSL (vec5): no padded or biased 3-D convolution";
  }
  const strided = g.stride.some((s) => s > 1);
  const dilated = g.dilation.some((d) => d > 1);
  // tfjs rejects this pair even on different axes ("Either strides or dilations
  // must be 1"), except wasm's depthwiseConv2d, which skips the check and
  // computes it correctly (tfjs.test.ts checks both facts).
  if (strided && dilated && !(backend === 'wasm' && depthwise && g.rank < 3)) {
    return `tfjs rejects stride > 1 together with dilation > 1 (stride [${g.stride.join(', ')}], dilation [${g.dilation.join(', ')}])`;
  }
  return true;
}

/** Spatial attributes lifted to exactly two dimensions ([H, W]); 1-D gets H = 1. */
interface Planar {
  inputHW: [number, number];
  kernelHW: [number, number];
  stride: [number, number];
  dilation: [number, number];
  pads: [[number, number], [number, number]];
}

function planar(g: ConvGeometry): Planar {
  const two = (values: readonly number[], fill: number): [number, number] =>
    values.length === 1 ? [fill, values[0]!] : [values[0]!, values[1]!];
  const padBegin = two(g.padBegin, 0);
  const padEnd = two(g.padEnd, 0);
  return {
    inputHW: two(g.inputSize, 1),
    kernelHW: two(g.kernelSize, 1),
    stride: two(g.stride, 1),
    dilation: two(g.dilation, 1),
    pads: [
      [padBegin[0], padEnd[0]],
      [padBegin[1], padEnd[1]],
    ],
  };
}

/** tfjs's explicit padding for NHWC: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
type NhwcPadding = [[number, number], [number, number], [number, number], [number, number]];

/** [begin, end] pads per axis of a channels-last tensor, batch and channels unpadded. */
type AxisPads = [number, number][];

/** Zero-pads a channels-last tensor: padding taps then multiply real zeros. */
function zeroPad<T extends Tfjs.Tensor>(tf: Tf, x: T, spatialPads: AxisPads): T {
  return tf.pad(x, [[0, 0], ...spatialPads, [0, 0]]) as T;
}

/**
 * 1-D and 2-D: NHWC conv2d or depthwiseConv2d on NHWC input and an HWIO filter
 * (the kernel's declared layouts, so no transposes); returns NHWC [N, OH, OW, Cout].
 * With `materializePadding` the input is zero-padded first and the conv runs
 * 'valid', otherwise tfjs's explicit pads are used.
 */
function conv2dNhwc(
  tf: Tf,
  g: ConvGeometry,
  input: Float32Array,
  weight: Float32Array,
  materializePadding: boolean,
): Tfjs.Tensor4D {
  const s = planar(g);
  const [KH, KW] = s.kernelHW;
  // 1-D (NWC, WIO) is the same bytes as 2-D with a height of 1.
  let x = tf.tensor4d(input, [g.batch, ...s.inputHW, g.inChannels], 'float32');
  // tfjs's explicit form: [[0, 0], [top, bottom], [left, right], [0, 0]] for NHWC.
  let pads: NhwcPadding | 'valid' = [[0, 0], s.pads[0], s.pads[1], [0, 0]];
  if (materializePadding) {
    x = zeroPad(tf, x, s.pads);
    pads = 'valid';
  }
  let w = tf.tensor4d(weight, [KH, KW, g.inChannelsPerGroup, g.outChannels], 'float32');
  if (g.flipKernel) w = tf.reverse(w, [0, 1]);
  if (g.groups > 1) {
    // Depthwise: HWIO is [KH, KW, 1, C·M] with o = c·M + m, the same bytes as
    // tfjs's [KH, KW, C, M] depthwise filter: a reshape, not a transpose.
    const depthwise = tf.reshape(w, [KH, KW, g.inChannels, g.outChannelsPerGroup]) as Tfjs.Tensor4D;
    return tf.depthwiseConv2d(x, depthwise, s.stride, pads, 'NHWC', s.dilation);
  }
  return tf.conv2d(x, w, s.stride, pads, 'NHWC', s.dilation);
}

/** 3-D, groups = 1: zero-pad NDHWC explicitly, then a 'valid' conv3d with a DHWIO filter. */
function conv3dNdhwc(
  tf: Tf,
  g: ConvGeometry,
  input: Float32Array,
  weight: Float32Array,
): Tfjs.Tensor5D {
  const triple = (v: readonly number[]) => v as [number, number, number];
  const ndhwc = tf.tensor5d(input, [g.batch, ...triple(g.inputSize), g.inChannels], 'float32');
  const pads = g.padBegin.map((begin, i): [number, number] => [begin, g.padEnd[i]!]);
  const x = zeroPad(tf, ndhwc, pads);
  const shape = [...triple(g.kernelSize), g.inChannels, g.outChannels] as const;
  let filter = tf.tensor5d(weight, [...shape], 'float32');
  if (g.flipKernel) filter = tf.reverse(filter, [0, 1, 2]);
  return tf.conv3d(x, filter, triple(g.stride), 'valid', 'NDHWC', triple(g.dilation));
}

/**
 * tfjs-cpu skips the taps that fall in explicit padding instead of multiplying
 * them by zero, so a non-finite weight there gives a finite result where the
 * oracle (and an explicitly zero-padded input) gives NaN (0·Inf). Only then is
 * the padding materialized; tfjs-wasm multiplies real zeros (XNNPACK), and
 * finite weights give the same sums either way.
 */
function mustMaterializePadding(backend: TfjsConvBackend, g: ConvGeometry, w: Float32Array) {
  const padded = g.padBegin.some((p) => p > 0) || g.padEnd.some((p) => p > 0);
  return backend === 'cpu' && padded && !w.every(Number.isFinite);
}

/**
 * The convolution as a tfjs tensor on the active backend, channels last (1-D as
 * [N, 1, OW, C]); every intermediate is disposed, the caller disposes the result.
 * Throws when tfjs returns another shape than the geometry's.
 *
 * @example
 * ```ts
 * const y = tfjsConvTensor(tf, 'webgpu', convGeometry(p), x, w, b);
 * try { return await y.data(); } finally { y.dispose(); }
 * ```
 */
export function tfjsConvTensor(
  tf: Tf,
  backend: TfjsConvBackend,
  g: ConvGeometry,
  input: Float32Array,
  weight: Float32Array,
  bias: Float32Array | undefined,
): Tfjs.Tensor {
  const output = tf.tidy(() => {
    const y: Tfjs.Tensor =
      g.rank === 3
        ? conv3dNdhwc(tf, g, input, weight)
        : conv2dNhwc(tf, g, input, weight, mustMaterializePadding(backend, g, weight));
    // Channels last: the bias broadcasts along the last axis.
    return bias === undefined ? y : tf.add(y, tf.tensor1d(bias, 'float32'));
  });
  // 1-D ran as 2-D with a height of 1.
  const spatial = g.rank === 1 ? [1, ...g.outputSize] : g.outputSize;
  const expected = [g.batch, ...spatial, g.outChannels];
  if (output.shape.join() !== expected.join()) {
    output.dispose();
    throw new Error(
      `tfjs: output shape [${output.shape.join(', ')}], expected [${expected.join(', ')}]`,
    );
  }
  return output;
}

/** The whole computation, synchronous, on whatever backend is active. */
function computeSync(
  tf: Tf,
  backend: TfjsBackendName,
  g: ConvGeometry,
  input: Float32Array,
  weight: Float32Array,
  bias: Float32Array | undefined,
): Float32Array {
  const output = tfjsConvTensor(tf, backend, g, input, weight, bias);
  try {
    const data = output.dataSync();
    if (!(data instanceof Float32Array)) throw new Error('tfjs: output is not float32');
    return data;
  } finally {
    output.dispose();
  }
}

/**
 * Serializes tfjs calls: selecting a backend awaits, so two adapters called
 * concurrently would otherwise keep switching the global backend under each
 * other. Each call waits for the previous one to finish.
 */
let tfjsQueue: Promise<unknown> = Promise.resolve();

function exclusive<T>(task: () => Promise<T>): Promise<T> {
  const result = tfjsQueue.then(task);
  tfjsQueue = result.catch(() => undefined);
  return result;
}

/**
 * Runs `compute` on `backend`, serialized with every other tfjs call of this
 * process and with the backend checked active (no await inside `compute`).
 *
 * @example
 * ```ts
 * const y = await runOnTfjs('cpu', (tf) => tf.tidy(() => tf.add(a, b).dataSync()));
 * ```
 */
export async function runOnTfjs<T>(backend: TfjsBackendName, compute: (tf: Tf) => T): Promise<T> {
  const tf = await loadBackend(backend);
  return exclusive(async () => {
    await activate(tf, backend);
    if (tf.getBackend() !== backend) {
      throw new Error(`tfjs-${backend}: the active tfjs backend is '${tf.getBackend()}'`);
    }
    return compute(tf);
  });
}

function tfjsKernel(backend: TfjsBackendName): ConvKernel {
  return {
    name: `tfjs-${backend}`,
    dtype: 'float32',
    // tfjs's own layouts: the harness hands operands over in them, no glue here.
    layout: 'nhwc',
    weightLayout: 'hwio',
    supports: (p) => tfjsSupports(backend, p),
    async conv(p, input, weight, bias) {
      const g = convGeometry(p);
      checkConvOperands(g, input, weight, bias);
      const supported = tfjsSupports(backend, p);
      if (supported !== true) throw new Error(`tfjs-${backend}: unsupported problem: ${supported}`);
      const tf = await loadBackend(backend);
      return exclusive(async () => {
        await activate(tf, backend);
        // No await from here on, so nothing can switch the backend mid-computation.
        if (tf.getBackend() !== backend) {
          throw new Error(`tfjs-${backend}: the active tfjs backend is '${tf.getBackend()}'`);
        }
        const w = asFloat32(weight);
        return computeSync(tf, backend, g, asFloat32(input), w, bias && asFloat32(bias));
      });
    },
  };
}

/**
 * tfjs-core with @tensorflow/tfjs-backend-cpu (plain JavaScript). `conv` loads
 * tfjs on first use; prefer {@link loadTfjsCpuKernel} to learn early that it
 * is missing.
 *
 * @example
 * ```ts
 * if (tfjsCpuKernel.supports?.(p) === true) y = await tfjsCpuKernel.conv(p, x, w);
 * ```
 */
export const tfjsCpuKernel: ConvKernel = tfjsKernel('cpu');

/**
 * tfjs-core with @tensorflow/tfjs-backend-wasm (XNNPACK; single-threaded in
 * Node). The .wasm binaries ship inside the package; nothing is fetched.
 *
 * @example
 * ```ts
 * const y = await tfjsWasmKernel.conv(p, x, w);
 * ```
 */
export const tfjsWasmKernel: ConvKernel = tfjsKernel('wasm');

/**
 * Loads tfjs with `backend` and returns its kernel, or why it is unavailable.
 *
 * @example
 * ```ts
 * const k = await loadTfjsKernel('wasm');
 * if ('unavailable' in k) console.log(`skipped: ${k.unavailable}`);
 * ```
 */
export async function loadTfjsKernel(backend: TfjsBackendName): Promise<PeerLoad> {
  try {
    await loadBackend(backend);
    return backend === 'cpu' ? tfjsCpuKernel : tfjsWasmKernel;
  } catch (error) {
    return { unavailable: `tfjs ${backend} backend failed to load: ${messageOf(error)}` };
  }
}

/**
 * {@link loadTfjsKernel} for the cpu backend.
 *
 * @example
 * ```ts
 * const k = await loadTfjsCpuKernel();
 * ```
 */
export function loadTfjsCpuKernel(): Promise<PeerLoad> {
  return loadTfjsKernel('cpu');
}

/**
 * {@link loadTfjsKernel} for the wasm backend.
 *
 * @example
 * ```ts
 * const k = await loadTfjsWasmKernel();
 * ```
 */
export function loadTfjsWasmKernel(): Promise<PeerLoad> {
  return loadTfjsKernel('wasm');
}

/**
 * tfjs-core with `backend` registered and active: for tests and probes that
 * document tfjs's own behaviour. Rejects when the packages cannot be loaded.
 *
 * @example
 * ```ts
 * const tf = await loadTfjsBackend('cpu');
 * tf.conv2d(x, f, [2, 1], 'valid', 'NHWC', [1, 2]); // throws: strides or dilations must be 1
 * ```
 */
export async function loadTfjsBackend(backend: TfjsBackendName): Promise<TfjsModule> {
  const tf = await loadBackend(backend);
  await activate(tf, backend);
  return tf;
}
