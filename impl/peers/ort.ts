/**
 * onnxruntime-node (CPU execution provider) as a ConvKernel.
 *
 * Each problem becomes a one-node ONNX model built in memory (see
 * onnx-model.ts) with X, W and B as graph inputs, so one session serves any
 * data of that shape. Sessions are slow to create and are kept in a bounded LRU
 * cache keyed by the geometry. True convolution is computed by flipping the
 * weights and running ONNX Conv, which is a cross-correlation.
 *
 * Only float32: onnxruntime 1.30's CPU provider has no double Conv kernel
 * (session creation fails with "Could not find an implementation for Conv(11)
 * node"), which ort.test.ts checks.
 *
 * Importing this module never loads onnxruntime; {@link loadOrtKernel} does.
 */

import type { InferenceSession, Tensor } from 'onnxruntime-node';
// Direct imports, not reference/index.ts: the browser adapter bundles this file for
// the page, and the index also loads the Node-only exact oracle (mathjs).
import { checkConvOperands } from '../../reference/conv.ts';
import { formatDescriptor } from '../../reference/descriptor.ts';
import { type ConvGeometry, convGeometry } from '../../reference/geometry.ts';
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import type { ConvKernel, ConvProblem, FloatArray } from '../../reference/problem.ts';
import { encodeOnnxConvModel, ONNX_CONV_NAMES } from './onnx-model.ts';
import { asFloat32, flipKernels, geometryOrReason, messageOf, type PeerLoad } from './peer.ts';
import { SessionCache } from './session-cache.ts';

type OrtModule = typeof import('onnxruntime-node');

/** Sessions kept alive; each holds a small graph, so a few dozen are cheap. */
const SESSION_CAPACITY = 32;

/**
 * Single-threaded CPU: the harness compares kernels on one core, and the
 * machine is shared.
 */
const SESSION_OPTIONS: InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionProviders: ['cpu'],
};

let ortModule: Promise<OrtModule> | undefined;

/** Loads onnxruntime-node once; the native binding is resolved on first use only. */
function importOrt(): Promise<OrtModule> {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
}

const sessions = new SessionCache<InferenceSession>({
  capacity: SESSION_CAPACITY,
  release: (session) => session.release(),
});

/**
 * Cache key: the problem with the mode normalised, since both modes run the
 * same cross-correlation model (the flip happens on the weights).
 *
 * @example
 * ```ts
 * ortSessionKey(p) === ortSessionKey({ ...p, mode: 'convolution' }); // true
 * ```
 */
function ortSessionKey(p: ConvProblem): string {
  return formatDescriptor({ ...p, mode: 'cross-correlation' });
}

/** The Tensor constructor both onnxruntime-node and onnxruntime-web export. */
type OrtTensorClass = OrtModule['Tensor'];

/**
 * The session's feeds for one case: NCHW input, OIHW weights (already flipped for
 * true convolution) and the bias, as float32 tensors of `ort` (node or web).
 *
 * @example
 * ```ts
 * const feeds = ortConvFeeds(ort.Tensor, g, x, flipKernels(g, w), b);
 * ```
 */
function ortConvFeeds(
  TensorClass: OrtTensorClass,
  g: ConvGeometry,
  input: Float32Array,
  weight: Float32Array,
  bias: Float32Array | undefined,
): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {
    [ONNX_CONV_NAMES.input]: new TensorClass('float32', input, [...g.inputShape]),
    [ONNX_CONV_NAMES.weight]: new TensorClass('float32', weight, [...g.weightShape]),
  };
  if (bias !== undefined) {
    feeds[ONNX_CONV_NAMES.bias] = new TensorClass('float32', bias, [g.outChannels]);
  }
  return feeds;
}

/**
 * The Conv output of a session run, checked: float32, the geometry's length.
 * `who` names the runtime in the error messages.
 *
 * @example
 * ```ts
 * return ortConvOutput(await session.run(feeds), g, 'onnxruntime-web');
 * ```
 */
function ortConvOutput(
  results: Record<string, { data: unknown; dims: readonly number[] }>,
  g: ConvGeometry,
  who: string,
): Float32Array {
  const output = results[ONNX_CONV_NAMES.output];
  if (output === undefined || !(output.data instanceof Float32Array)) {
    throw new Error(`${who}: Conv returned no float32 output '${ONNX_CONV_NAMES.output}'`);
  }
  if (output.data.length !== g.outputLength) {
    throw new Error(
      `${who}: output has ${output.data.length} elements, expected ${g.outputLength} ` +
        `(shape [${output.dims.join(', ')}] vs [${g.outputShape.join(', ')}])`,
    );
  }
  return output.data;
}

/**
 * One Conv case on an onnxruntime, node or web: the one-node model, the weights
 * flipped for true convolution, the session from `cache` (created with `options`
 * on a miss), the output checked. `who` names the runtime in error messages.
 *
 * @example
 * ```ts
 * const y = await runOrtConv(ort, sessions, { executionProviders: ['webgpu'] }, 'ort-web', p, x, w);
 * ```
 */
export async function runOrtConv(
  ort: Pick<OrtModule, 'Tensor' | 'InferenceSession'>,
  cache: SessionCache<InferenceSession>,
  options: InferenceSession.SessionOptions,
  who: string,
  p: ConvProblem,
  input: FloatArray,
  weight: FloatArray,
  bias?: FloatArray,
): Promise<Float32Array> {
  const g = convGeometry(p);
  checkConvOperands(g, input, weight, bias);
  const w = g.flipKernel ? flipKernels(g, weight) : asFloat32(weight);
  const feeds = ortConvFeeds(ort.Tensor, g, asFloat32(input), w, bias && asFloat32(bias));
  const create = () =>
    ort.InferenceSession.create(encodeOnnxConvModel(g, { dtype: 'float32' }), options);
  const results = await cache.use(ortSessionKey(p), create, (session) => session.run(feeds));
  return ortConvOutput(results, g, who);
}

async function ortConv(
  p: ConvProblem,
  input: FloatArray,
  weight: FloatArray,
  bias?: FloatArray,
): Promise<Float32Array> {
  const ort = await importOrt();
  return runOrtConv(ort, sessions, SESSION_OPTIONS, 'onnxruntime-node', p, input, weight, bias);
}

/**
 * Everything ONNX Conv on the CPU provider accepts in float32: 1-D to 3-D, any
 * groups, strides, dilations and asymmetric pads.
 */
export function ortSupports(p: ConvProblem): true | string {
  const g = geometryOrReason(p);
  if (typeof g === 'string') return g;
  // The Conv node pads with zeros; other modes would need a Pad node first.
  const zeros = zeroPaddingOnly(p);
  return zeros === true ? true : `ort adapter: ${zeros}`;
}

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
export const ortKernel: ConvKernel = {
  name: 'onnxruntime-node',
  dtype: 'float32',
  supports: ortSupports,
  conv: ortConv,
};

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
export async function loadOrtKernel(): Promise<PeerLoad> {
  try {
    const ort = await importOrt();
    if (typeof ort.InferenceSession?.create !== 'function') {
      return { unavailable: 'onnxruntime-node: InferenceSession.create is missing' };
    }
    return ortKernel;
  } catch (error) {
    return { unavailable: `onnxruntime-node failed to load: ${messageOf(error)}` };
  }
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
  sessions.clear();
}
