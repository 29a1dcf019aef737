/**
 * Serializes a one-node ONNX model (a single Conv) in memory, for onnxruntime.
 *
 * Field numbers are those of onnx/onnx.proto (ModelProto, GraphProto, NodeProto,
 * AttributeProto, ValueInfoProto, TypeProto, TensorShapeProto, TensorProto).
 * Only what a Conv node needs is written.
 */
import type { ConvGeometry } from '../../reference/geometry.ts';
import type { DType } from '../../reference/problem.ts';
import { ProtoWriter } from './protobuf.ts';

/** ONNX TensorProto.DataType codes. */
const ONNX_ELEMENT_TYPE: Record<DType, number> = { float32: 1, float64: 11 };
/** AttributeProto.AttributeType codes. */
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;
/** Opset 17 belongs to IR version 8 (onnx/docs/Versioning.md). */
const OPSET_VERSION = 17;
const IR_VERSION = 8;

/** Names of the graph's tensors, as the session's feeds and fetches use them. */
export const ONNX_CONV_NAMES = { input: 'X', weight: 'W', bias: 'B', output: 'Y' } as const;

/** What to put in the model besides the geometry. */
export interface OnnxConvModelOptions {
  /** Element type of every tensor. */
  dtype: DType;
  /**
   * Weights to bake in as an initializer (already in cross-correlation order).
   * Without them W is a graph input, so one session serves any weights.
   */
  constantWeight?: Float32Array | Float64Array;
}

/** Shared with onnx-transpose-model.ts. */
export function intAttribute(name: string, value: number): ProtoWriter {
  return new ProtoWriter().string(1, name).varint(3, value).varint(20, ATTRIBUTE_INT);
}

/** Shared with onnx-transpose-model.ts. */
export function intsAttribute(name: string, values: readonly number[]): ProtoWriter {
  return new ProtoWriter().string(1, name).packedVarints(8, values).varint(20, ATTRIBUTE_INTS);
}

/** Shared with onnx-transpose-model.ts. */
export function valueInfo(name: string, dtype: DType, shape: readonly number[]): ProtoWriter {
  const dims = new ProtoWriter();
  for (const size of shape) dims.message(1, new ProtoWriter().varint(1, size));
  const tensorType = new ProtoWriter().varint(1, ONNX_ELEMENT_TYPE[dtype]).message(2, dims);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

/** A TensorProto with little-endian raw_data (ONNX stores raw data little-endian). */
function initializer(
  name: string,
  dtype: DType,
  shape: readonly number[],
  data: Float32Array | Float64Array,
): ProtoWriter {
  const typed = dtype === 'float32' ? Float32Array.from(data) : Float64Array.from(data);
  const bytes = new Uint8Array(typed.byteLength);
  const view = new DataView(bytes.buffer);
  const width = typed.BYTES_PER_ELEMENT;
  for (let i = 0; i < typed.length; i++) {
    if (width === 4) view.setFloat32(i * 4, typed[i]!, true);
    else view.setFloat64(i * 8, typed[i]!, true);
  }
  return new ProtoWriter()
    .packedVarints(1, shape)
    .varint(2, ONNX_ELEMENT_TYPE[dtype])
    .string(8, name)
    .bytes(9, bytes);
}

/** The Conv NodeProto: explicit pads as [begins…, ends…], as ONNX orders them. */
function convNode(g: ConvGeometry): ProtoWriter {
  const node = new ProtoWriter().string(1, ONNX_CONV_NAMES.input).string(1, ONNX_CONV_NAMES.weight);
  if (g.problem.bias) node.string(1, ONNX_CONV_NAMES.bias);
  return node
    .string(2, ONNX_CONV_NAMES.output)
    .string(3, 'conv')
    .string(4, 'Conv')
    .message(5, intsAttribute('kernel_shape', g.kernelSize))
    .message(5, intsAttribute('strides', g.stride))
    .message(5, intsAttribute('dilations', g.dilation))
    .message(5, intsAttribute('pads', [...g.padBegin, ...g.padEnd]))
    .message(5, intAttribute('group', g.groups));
}

/**
 * Serializes a ModelProto holding one Conv node for the geometry `g`
 * (cross-correlation, as ONNX defines Conv; flip the weights for true
 * convolution before feeding them).
 *
 * @example
 * ```ts
 * const bytes = encodeOnnxConvModel(convGeometry(p), { dtype: 'float32' });
 * const session = await ort.InferenceSession.create(bytes);
 * ```
 */
export function encodeOnnxConvModel(g: ConvGeometry, options: OnnxConvModelOptions): Uint8Array {
  const { dtype, constantWeight } = options;
  const graph = new ProtoWriter().message(1, convNode(g)).string(2, 'convcheck_conv');
  if (constantWeight !== undefined) {
    graph.message(5, initializer(ONNX_CONV_NAMES.weight, dtype, g.weightShape, constantWeight));
  }
  graph.message(11, valueInfo(ONNX_CONV_NAMES.input, dtype, g.inputShape));
  if (constantWeight === undefined) {
    graph.message(11, valueInfo(ONNX_CONV_NAMES.weight, dtype, g.weightShape));
  }
  if (g.problem.bias) graph.message(11, valueInfo(ONNX_CONV_NAMES.bias, dtype, [g.outChannels]));
  graph.message(12, valueInfo(ONNX_CONV_NAMES.output, dtype, g.outputShape));
  return encodeModel(graph);
}

/** A ModelProto around `graph`, at this file's IR version and default-domain opset. */
export function encodeModel(graph: ProtoWriter): Uint8Array {
  const opset = new ProtoWriter().string(1, '').varint(2, OPSET_VERSION);
  return new ProtoWriter()
    .varint(1, IR_VERSION)
    .string(2, 'convcheck')
    .message(7, graph)
    .message(8, opset)
    .finish();
}
