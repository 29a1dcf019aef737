/**
 * TensorFlow.js 4.22 (tfjs-core with the 'cpu' or the 'wasm' backend) as
 * ConvKernels, float32 only.
 *
 * The NCHW problem is transposed to NHWC inside tfjs and run through
 * `tf.conv2d` (groups = 1) or `tf.depthwiseConv2d` (groups = inChannels,
 * channel multiplier outChannels / groups) with explicit pads
 * `[[0, 0], [top, bottom], [left, right], [0, 0]]`; 1-D problems run as 2-D
 * with a height of 1; 3-D problems (groups = 1) run through `tf.conv3d` on an
 * input zero-padded with `tf.pad`, because conv3d takes only 'valid'/'same'.
 * True convolution flips the weights first. `dataFormat: 'NCHW'` is never used:
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
import {
  type ConvGeometry,
  type ConvKernel,
  type ConvProblem,
  checkConvOperands,
  convGeometry,
} from '../../reference/index.ts';
import { asFloat32, flipKernels, geometryOrReason, messageOf, type PeerLoad } from './peer.ts';

/** The tfjs-core module namespace. */
export type TfjsModule = typeof Tfjs;
type Tf = TfjsModule;

/** The two tfjs backends wrapped here. */
export type TfjsBackendName = 'cpu' | 'wasm';

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

/** Why tfjs cannot compute `p` on `backend`, or true. */
function tfjsSupports(backend: TfjsBackendName, p: ConvProblem): true | string {
  const g = geometryOrReason(p);
  if (typeof g === 'string') return g;
  const depthwise = g.groups > 1 && g.groups === g.inChannels;
  if (g.groups > 1 && !depthwise) {
    return `tfjs has no grouped convolution with 1 < groups < inChannels (groups = ${g.groups}, inChannels = ${g.inChannels})`;
  }
  if (g.rank === 3 && g.groups > 1) {
    return `tfjs has no grouped or depthwise 3-D convolution (groups = ${g.groups})`;
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
 * 1-D and 2-D: NHWC conv2d or depthwiseConv2d; returns NCHW [N, Cout, OH, OW].
 * With `materializePadding` the input is zero-padded first and the conv runs
 * 'valid', otherwise tfjs's explicit pads are used.
 */
function conv2dNhwc(
  tf: Tf,
  g: ConvGeometry,
  input: Float32Array,
  weight: Float32Array,
  materializePadding: boolean,
): Tfjs.Tensor {
  const s = planar(g);
  const [KH, KW] = s.kernelHW;
  const nchw = tf.tensor4d(input, [g.batch, g.inChannels, ...s.inputHW], 'float32');
  let x = tf.transpose(nchw, [0, 2, 3, 1]);
  // tfjs's explicit form: [[0, 0], [top, bottom], [left, right], [0, 0]] for NHWC.
  let pads: NhwcPadding | 'valid' = [[0, 0], s.pads[0], s.pads[1], [0, 0]];
  if (materializePadding) {
    x = zeroPad(tf, x, s.pads);
    pads = 'valid';
  }
  let y: Tfjs.Tensor4D;
  if (g.groups > 1) {
    // Depthwise: output channel oc = c · multiplier + m, as in our weight layout.
    const multiplier = g.outChannelsPerGroup;
    const w = tf.tensor4d(weight, [g.inChannels, multiplier, KH, KW], 'float32');
    y = tf.depthwiseConv2d(x, tf.transpose(w, [2, 3, 0, 1]), s.stride, pads, 'NHWC', s.dilation);
  } else {
    const w = tf.tensor4d(weight, [g.outChannels, g.inChannels, KH, KW], 'float32');
    y = tf.conv2d(x, tf.transpose(w, [2, 3, 1, 0]), s.stride, pads, 'NHWC', s.dilation);
  }
  return tf.transpose(y, [0, 3, 1, 2]);
}

/** 3-D, groups = 1: zero-pad NDHWC explicitly, then a 'valid' conv3d; returns NCDHW. */
function conv3dNdhwc(
  tf: Tf,
  g: ConvGeometry,
  input: Float32Array,
  weight: Float32Array,
): Tfjs.Tensor {
  const triple = (v: readonly number[]) => v as [number, number, number];
  const ncdhw = tf.tensor5d(input, [g.batch, g.inChannels, ...triple(g.inputSize)], 'float32');
  const pads = g.padBegin.map((begin, i): [number, number] => [begin, g.padEnd[i]!]);
  const x = zeroPad(tf, tf.transpose(ncdhw, [0, 2, 3, 4, 1]), pads);
  const w = tf.tensor5d(weight, [g.outChannels, g.inChannels, ...triple(g.kernelSize)], 'float32');
  const filter = tf.transpose(w, [2, 3, 4, 1, 0]);
  const y = tf.conv3d(x, filter, triple(g.stride), 'valid', 'NDHWC', triple(g.dilation));
  return tf.transpose(y, [0, 4, 1, 2, 3]);
}

/**
 * tfjs-cpu skips the taps that fall in explicit padding instead of multiplying
 * them by zero, so a non-finite weight there gives a finite result where the
 * oracle (and an explicitly zero-padded input) gives NaN (0·Inf). Only then is
 * the padding materialized; tfjs-wasm multiplies real zeros (XNNPACK), and
 * finite weights give the same sums either way.
 */
function mustMaterializePadding(backend: TfjsBackendName, g: ConvGeometry, w: Float32Array) {
  const padded = g.padBegin.some((p) => p > 0) || g.padEnd.some((p) => p > 0);
  return backend === 'cpu' && padded && !w.every(Number.isFinite);
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
  const output = tf.tidy(() => {
    let y =
      g.rank === 3
        ? conv3dNdhwc(tf, g, input, weight)
        : conv2dNhwc(tf, g, input, weight, mustMaterializePadding(backend, g, weight));
    if (bias !== undefined) {
      const perChannel = [g.outChannels, ...new Array<number>(y.rank - 2).fill(1)];
      y = tf.add(y, tf.tensor(bias, perChannel, 'float32'));
    }
    return y;
  });
  try {
    // 1-D ran as 2-D with a height of 1.
    const spatial = g.rank === 1 ? [1, ...g.outputSize] : g.outputSize;
    const expected = [g.batch, g.outChannels, ...spatial];
    if (output.shape.join() !== expected.join()) {
      throw new Error(
        `tfjs: output shape [${output.shape.join(', ')}], expected [${expected.join(', ')}]`,
      );
    }
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

function tfjsKernel(backend: TfjsBackendName): ConvKernel {
  return {
    name: `tfjs-${backend}`,
    dtype: 'float32',
    supports: (p) => tfjsSupports(backend, p),
    async conv(p, input, weight, bias) {
      const g = convGeometry(p);
      checkConvOperands(g, input, weight, bias);
      const supported = tfjsSupports(backend, p);
      if (supported !== true) throw new Error(`tfjs-${backend}: unsupported problem: ${supported}`);
      const w = g.flipKernel ? flipKernels(g, weight) : asFloat32(weight);
      const tf = await loadBackend(backend);
      return exclusive(async () => {
        await activate(tf, backend);
        // No await from here on, so nothing can switch the backend mid-computation.
        if (tf.getBackend() !== backend) {
          throw new Error(`tfjs-${backend}: the active tfjs backend is '${tf.getBackend()}'`);
        }
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
