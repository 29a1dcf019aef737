/**
 * One ONNX Conv kernel over any onnxruntime package (onnxruntime-node's CPU
 * provider, onnxruntime-web's WASM backend, and its WebGPU provider in the page): each problem becomes a one-node
 * ONNX model built in memory (onnx-model.ts) with X, W and B as graph inputs,
 * so one session serves any data of that shape. Sessions are slow to create
 * and are kept in a bounded LRU cache keyed by the geometry. True convolution
 * is computed by flipping the weights and running ONNX Conv, which is a
 * cross-correlation. float32 only (see ort.ts).
 *
 * Importing this module loads no runtime; the runtime is imported on first use.
 */
// Direct imports, not reference/index.ts: the WebGPU adapter bundles this file for the
// page (impl/peers/browser/ort-webgpu.mjs), and the index also loads the Node-only exact
// oracle (mathjs).
import { checkConvOperands } from '../../reference/conv.ts';
import { type ConvTransposeProblem, convTransposeGeometry } from '../../reference/convTranspose.ts';
import { formatDescriptor } from '../../reference/descriptor.ts';
import { convGeometry } from '../../reference/geometry.ts';
import { formatOpDescriptor } from '../../reference/opDescriptor.ts';
import type { OpName } from '../../reference/ops.ts';
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import type { ConvKernel, ConvProblem, FloatArray } from '../../reference/problem.ts';
import { encodeOnnxConvModel, ONNX_CONV_NAMES } from './onnx-model.ts';
import { encodeOnnxConvTransposeModel } from './onnx-transpose-model.ts';
import { asFloat32, flipKernels, geometryOrReason, messageOf, type PeerLoad } from './peer.ts';
import { SessionCache } from './session-cache.ts';

/** What is used of an onnxruntime package (node and web share this API). */
export interface OnnxRuntime {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
  InferenceSession: {
    create(model: Uint8Array, options: object): Promise<OnnxSession>;
  };
}

/** One output of a session run, as far as it is used here. */
interface OnnxOutput {
  data: unknown;
  dims: readonly number[];
}

/** A session, as far as it is used here. */
export interface OnnxSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, OnnxOutput>>;
  release(): Promise<void>;
}

/** How one onnxruntime package is reached. */
export interface OnnxRuntimeSpec {
  /** The kernel's name, e.g. 'onnxruntime-node'. */
  name: string;
  /** Imports the package (called once). */
  load: () => Promise<OnnxRuntime>;
  /** Session options (execution provider, one thread). */
  sessionOptions: object;
}

/** Sessions kept alive; each holds a small graph, so a few dozen are cheap. */
const SESSION_CAPACITY = 32;

/** An ONNX Conv kernel and its session cache. */
export interface OnnxKernel {
  kernel: ConvKernel;
  /** Loads the runtime and returns the kernel, or why it cannot be used. */
  load(): Promise<PeerLoad>;
  /** Releases every cached session (those in use when their run ends). */
  release(): void;
}

/**
 * Cache key: the problem with the mode normalised, since both modes run the
 * same cross-correlation model (the flip happens on the weights).
 */
function sessionKey(p: ConvProblem): string {
  return formatDescriptor({ ...p, mode: 'cross-correlation' });
}

/**
 * The ONNX Conv kernel of one runtime.
 *
 * @example
 * ```ts
 * const ortWeb = onnxKernel({ name: 'onnxruntime-web', load: …, sessionOptions: { executionProviders: ['wasm'] } });
 * await ortWeb.kernel.conv(p, x, w);
 * ```
 */
export function onnxKernel(spec: OnnxRuntimeSpec): OnnxKernel {
  let runtime: Promise<OnnxRuntime> | undefined;
  const importRuntime = () => {
    runtime ??= spec.load();
    return runtime;
  };
  const sessions = new SessionCache<OnnxSession>({
    capacity: SESSION_CAPACITY,
    release: (session) => session.release(),
  });

  async function conv(
    p: ConvProblem,
    input: FloatArray,
    weight: FloatArray,
    bias?: FloatArray,
  ): Promise<Float32Array> {
    const g = convGeometry(p);
    checkConvOperands(g, input, weight, bias);
    const ort = await importRuntime();
    const w = g.flipKernel ? flipKernels(g, weight) : asFloat32(weight);
    const feeds: Record<string, unknown> = {
      [ONNX_CONV_NAMES.input]: new ort.Tensor('float32', asFloat32(input), g.inputShape),
      [ONNX_CONV_NAMES.weight]: new ort.Tensor('float32', w, g.weightShape),
    };
    if (bias !== undefined) {
      feeds[ONNX_CONV_NAMES.bias] = new ort.Tensor('float32', asFloat32(bias), [g.outChannels]);
    }
    const create = () =>
      ort.InferenceSession.create(
        encodeOnnxConvModel(g, { dtype: 'float32' }),
        spec.sessionOptions,
      );
    const results = await sessions.use(sessionKey(p), create, (session) => session.run(feeds));
    return float32Output('Conv', results[ONNX_CONV_NAMES.output], ONNX_CONV_NAMES.output, g);
  }

  /** The node's output, checked to be float32 of the geometry's length. */
  function float32Output(
    node: string,
    output: OnnxOutput | undefined,
    name: string,
    g: { outputLength: number; outputShape: readonly number[] },
  ): Float32Array {
    if (output === undefined || !(output.data instanceof Float32Array)) {
      throw new Error(`${spec.name}: ${node} returned no float32 output '${name}'`);
    }
    if (output.data.length !== g.outputLength) {
      throw new Error(
        `${spec.name}: ${node} output has ${output.data.length} elements, expected ` +
          `${g.outputLength} (shape [${output.dims.join(', ')}] vs [${g.outputShape.join(', ')}])`,
      );
    }
    return output.data;
  }

  /**
   * ConvTranspose as one ONNX ConvTranspose node with explicit pads
   * [begin..., end...], output_padding and group; true convolution's adjoint
   * flips the kernel first, as conv does.
   */
  async function convTranspose(
    p: ConvTransposeProblem,
    input: FloatArray,
    weight: FloatArray,
    bias?: FloatArray,
  ): Promise<Float32Array> {
    const g = convTransposeGeometry(p);
    checkConvOperands(g, input, weight, bias);
    const ort = await importRuntime();
    const w = g.flipKernel ? reverseBlocks(weight, g.kernelVolume) : asFloat32(weight);
    const feeds: Record<string, unknown> = {
      X: new ort.Tensor('float32', asFloat32(input), g.inputShape),
      W: new ort.Tensor('float32', w, g.weightShape),
    };
    if (bias !== undefined) feeds.B = new ort.Tensor('float32', asFloat32(bias), [g.outChannels]);
    const create = () =>
      ort.InferenceSession.create(
        encodeOnnxConvTransposeModel({
          dtype: 'float32',
          inputShape: g.inputShape,
          weightShape: g.weightShape,
          group: g.groups,
          strides: g.stride,
          dilations: g.dilation,
          pads: [...g.padBegin, ...g.padEnd],
          outputPadding: g.outputPadding,
          bias: bias !== undefined,
        }),
        spec.sessionOptions,
      );
    const key = formatOpDescriptor({
      op: 'convtranspose',
      problem: { ...p, mode: 'cross-correlation' },
    });
    const results = await sessions.use(key, create, (session) => session.run(feeds));
    return float32Output('ConvTranspose', results.Y, 'Y', g);
  }

  /** Everything ONNX Conv accepts in float32: 1-D to 3-D, any groups, strides, dilations, pads. */
  function supports(p: ConvProblem, op: OpName = 'conv'): true | string {
    if (op === 'convtranspose') {
      let g: ReturnType<typeof convTransposeGeometry>;
      try {
        g = convTransposeGeometry(p as ConvTransposeProblem);
      } catch (error) {
        return messageOf(error);
      }
      // onnxruntime refuses output_padding ≥ stride even below the dilation, which PyTorch
      // and the problem model allow ("output_padding (1) may be too large for stride (1)").
      const axis = g.outputPadding.findIndex((op, d) => op >= g.stride[d]!);
      if (axis >= 0) {
        return `${spec.name}: ConvTranspose needs outputPadding < stride (outputPadding[${axis}] = ${g.outputPadding[axis]}, stride ${g.stride[axis]})`;
      }
      const zeros = zeroPaddingOnly(p);
      return zeros === true ? true : `${spec.name}: ${zeros}`;
    }
    if (op !== 'conv') return `${spec.name}: no ${op}`;
    const g = geometryOrReason(p);
    if (typeof g === 'string') return g;
    // The Conv node pads with zeros; other modes would need a Pad node first.
    const zeros = zeroPaddingOnly(p);
    return zeros === true ? true : `${spec.name}: ${zeros}`;
  }

  const kernel: ConvKernel = { name: spec.name, dtype: 'float32', supports, conv, convTranspose };
  return {
    kernel,
    async load() {
      try {
        const ort = await importRuntime();
        if (typeof ort.InferenceSession?.create !== 'function') {
          return { unavailable: `${spec.name}: InferenceSession.create is missing` };
        }
        return kernel;
      } catch (error) {
        return { unavailable: `${spec.name} failed to load: ${messageOf(error)}` };
      }
    },
    release: () => sessions.clear(),
  };
}

/**
 * Flips every spatial axis of each filter: reversing each block of `block`
 * (the kernel volume) row-major elements reverses every axis at once.
 */
function reverseBlocks(weight: FloatArray, block: number): Float32Array {
  const out = new Float32Array(weight.length);
  for (let start = 0; start < weight.length; start += block) {
    for (let i = 0; i < block; i++) out[start + i] = weight[start + block - 1 - i]!;
  }
  return out;
}
