/**
 * onnxruntime-node's ConvInteger and QLinearConv (CPU provider, one thread) as a
 * QuantizedKernel: each case runs as a one-node ONNX model (opset 17) built here,
 * every operand a graph input, explicit pads.
 *
 * What it declines, and why (measured with onnxruntime-node 1.30; docs/quantized.md):
 * - true convolution: ONNX's operators are cross-correlation;
 * - padding modes other than zeros: the operators pad with x's zero point;
 * - ConvInteger with a per-output-channel weight zero point on more than one output
 *   channel: onnxruntime refuses it ("Non per-tensor quantization is not supported now");
 * - QLinearConv with y of another type than x, or int8 x with uint8 w: the CPU
 *   provider has no such kernel ("Could not find an implementation for QLinearConv(10)").
 * Any other type combination it lacked would come back as the kernel's error.
 *
 * Importing this module never loads onnxruntime; {@link loadOrtInt8Kernel} does.
 */
import { type ConvGeometry, convGeometry } from '../../reference/geometry.ts';
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import type { PerChannel, QuantizedArray, QuantizedDType } from '../../reference/quantized.ts';
import type { QuantizedKernel } from '../../reference/quantized-kernel.ts';
import { ProtoWriter } from './protobuf.ts';

type Ort = typeof import('onnxruntime-node');
type Tensor = InstanceType<Ort['Tensor']>;

/** ONNX TensorProto.DataType codes of the tensors these models use. */
const ELEMENT = { float32: 1, uint8: 2, int8: 3, int32: 6 } as const;
type Element = keyof typeof ELEMENT;

/** One graph input (or the output): name, element type, shape, and its data. */
interface GraphTensor {
  name: string;
  type: Element;
  shape: readonly number[];
  data: ArrayLike<number>;
}

function valueInfoOf({ name, type, shape }: Omit<GraphTensor, 'data'>): ProtoWriter {
  const dims = new ProtoWriter();
  for (const size of shape) dims.message(1, new ProtoWriter().varint(1, size));
  const tensor = new ProtoWriter().varint(1, ELEMENT[type]).message(2, dims);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor));
}

/**
 * The bytes of a one-node model of `op` over `inputs` (all graph inputs), output 'Y'.
 *
 * @example
 * ```ts
 * const bytes = oneNodeQuantizedModel('ConvInteger', inputs, 'int32', convGeometry(p));
 * ```
 */
export function oneNodeQuantizedModel(
  op: 'ConvInteger' | 'QLinearConv',
  inputs: readonly Omit<GraphTensor, 'data'>[],
  outputType: Element,
  g: ConvGeometry,
): Uint8Array {
  const ints = (name: string, values: readonly number[]) =>
    new ProtoWriter().string(1, name).packedVarints(8, values).varint(20, 7);
  const node = new ProtoWriter();
  for (const input of inputs) node.string(1, input.name);
  node
    .string(2, 'Y')
    .string(4, op)
    .message(5, ints('kernel_shape', g.kernelSize))
    .message(5, ints('strides', g.stride))
    .message(5, ints('dilations', g.dilation))
    .message(5, ints('pads', [...g.padBegin, ...g.padEnd]))
    .message(5, new ProtoWriter().string(1, 'group').varint(3, g.groups).varint(20, 2));
  const graph = new ProtoWriter().message(1, node).string(2, 'convcheck_quantized');
  for (const input of inputs) graph.message(11, valueInfoOf(input));
  graph.message(12, valueInfoOf({ name: 'Y', type: outputType, shape: g.outputShape }));
  const opset = new ProtoWriter().string(1, '').varint(2, 17);
  return new ProtoWriter().varint(1, 8).message(7, graph).message(8, opset).finish();
}

const typeOf = (a: QuantizedArray): QuantizedDType => (a instanceof Int8Array ? 'int8' : 'uint8');

const TYPED = {
  uint8: (d: ArrayLike<number>) => Uint8Array.from(d),
  int8: (d: ArrayLike<number>) => Int8Array.from(d),
  int32: (d: ArrayLike<number>) => Int32Array.from(d),
  float32: (d: ArrayLike<number>) => Float32Array.from(d),
} as const;

/** A scalar or per-channel parameter as a graph input: shape [] or [outChannels]. */
function parameter(name: string, type: Element, v: PerChannel): GraphTensor {
  return typeof v === 'number'
    ? { name, type, shape: [], data: [v] }
    : { name, type, shape: [v.length], data: v };
}

async function run(
  o: Ort,
  op: 'ConvInteger' | 'QLinearConv',
  inputs: GraphTensor[],
  outputType: Element,
  g: ConvGeometry,
): Promise<unknown> {
  const model = oneNodeQuantizedModel(op, inputs, outputType, g);
  const session = await o.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionProviders: ['cpu'],
  });
  try {
    const feeds: Record<string, Tensor> = {};
    for (const t of inputs) {
      feeds[t.name] = new o.Tensor(t.type, TYPED[t.type](t.data), [...t.shape]);
    }
    const result = await session.run(feeds);
    return result.Y!.data;
  } finally {
    await session.release();
  }
}

/**
 * The kernel over a loaded onnxruntime-node (see the module comment).
 *
 * @example
 * ```ts
 * const kernel = ortInt8Kernel(await import('onnxruntime-node'));
 * ```
 */
export function ortInt8Kernel(o: Ort): QuantizedKernel {
  return {
    name: 'ort-int8',
    supportsQuantized: (s) => {
      if (s.problem.mode === 'convolution') {
        return 'ONNX ConvInteger and QLinearConv are cross-correlation (no true convolution)';
      }
      const zeros = zeroPaddingOnly(s.problem);
      if (zeros !== true) return zeros;
      if (s.op === 'conv-integer' && s.perChannel && s.problem.outChannels > 1) {
        return "onnxruntime's ConvInteger takes a per-tensor weight zero point only ('Non per-tensor quantization is not supported now')";
      }
      if (s.op === 'qlinear-conv' && s.yType !== undefined && s.yType !== s.xType) {
        return (
          "onnxruntime's QLinearConv has kernels only for y of x's type (no x " +
          s.xType +
          ', y ' +
          s.yType +
          ')'
        );
      }
      if (s.op === 'qlinear-conv' && s.xType === 'int8' && s.wType === 'uint8') {
        return "onnxruntime's QLinearConv has no kernel for int8 x with uint8 w";
      }
      return true;
    },
    convInteger: async (p, x, w, xZeroPoint, wZeroPoint) => {
      const g = convGeometry(p);
      const [xt, wt] = [typeOf(x), typeOf(w)];
      const inputs: GraphTensor[] = [
        { name: 'X', type: xt, shape: g.inputShape, data: x },
        { name: 'W', type: wt, shape: g.weightShape, data: w },
        parameter('XZ', xt, xZeroPoint),
        parameter('WZ', wt, wZeroPoint),
      ];
      return (await run(o, 'ConvInteger', inputs, 'int32', g)) as Int32Array;
    },
    qlinearConv: async (p, x, w, params, bias) => {
      const g = convGeometry(p);
      const [xt, wt] = [typeOf(x), typeOf(w)];
      const yt = params.yType ?? xt;
      const inputs: GraphTensor[] = [
        { name: 'X', type: xt, shape: g.inputShape, data: x },
        parameter('XS', 'float32', params.xScale),
        parameter('XZ', xt, params.xZeroPoint),
        { name: 'W', type: wt, shape: g.weightShape, data: w },
        parameter('WS', 'float32', params.wScale),
        parameter('WZ', wt, params.wZeroPoint),
        parameter('YS', 'float32', params.yScale),
        parameter('YZ', yt, params.yZeroPoint),
      ];
      if (bias) inputs.push({ name: 'B', type: 'int32', shape: [g.outChannels], data: bias });
      return (await run(o, 'QLinearConv', inputs, yt, g)) as QuantizedArray;
    },
  };
}

/**
 * Loads onnxruntime-node and returns {@link ortInt8Kernel}, or the reason it cannot.
 *
 * @example
 * ```ts
 * const k = await loadOrtInt8Kernel();
 * if ('unavailable' in k) console.log(`skipped: ${k.unavailable}`);
 * ```
 */
export async function loadOrtInt8Kernel(): Promise<QuantizedKernel | { unavailable: string }> {
  try {
    return ortInt8Kernel(await import('onnxruntime-node'));
  } catch (error) {
    return { unavailable: `onnxruntime-node: ${(error as Error).message}` };
  }
}
