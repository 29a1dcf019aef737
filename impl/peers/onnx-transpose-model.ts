/**
 * Serializes a one-node ONNX model holding a ConvTranspose with its attributes
 * as a model file would carry them (auto_pad, pads, output_padding,
 * output_shape), so that onnxruntime itself applies ONNX's padding rules. The
 * output shape is left to onnxruntime's shape inference.
 */
import type { DType } from '../../reference/index.ts';
import { encodeModel, intAttribute, intsAttribute, valueInfo } from './onnx-model.ts';
import { ProtoWriter } from './protobuf.ts';

/** AttributeProto.AttributeType STRING. */
const ATTRIBUTE_STRING = 3;

/** The ConvTranspose node's shapes and attributes; absent attributes are left out of the model. */
export interface OnnxConvTransposeModel {
  dtype: DType;
  /** [N, C, ...spatial] */
  inputShape: readonly number[];
  /** [C, M/group, ...kernel] */
  weightShape: readonly number[];
  group: number;
  strides: readonly number[];
  dilations: readonly number[];
  autoPad?: string;
  pads?: readonly number[];
  outputPadding?: readonly number[];
  outputShape?: readonly number[];
  /** A graph input B [M] added to the output (ConvTranspose's optional third input). */
  bias?: boolean;
}

function stringAttribute(name: string, value: string): ProtoWriter {
  return new ProtoWriter().string(1, name).string(4, value).varint(20, ATTRIBUTE_STRING);
}

/** An output ValueInfoProto with an element type and no shape (inferred by the runtime). */
function outputInfo(name: string, dtype: DType): ProtoWriter {
  const tensorType = new ProtoWriter().varint(1, dtype === 'float32' ? 1 : 11);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

/**
 * Model bytes with graph inputs X and W and output Y.
 *
 * @example
 * ```ts
 * const bytes = encodeOnnxConvTransposeModel({ dtype: 'float32', inputShape: [1, 1, 3],
 *   weightShape: [1, 1, 3], group: 1, strides: [2], dilations: [1], autoPad: 'SAME_UPPER' });
 * ```
 */
export function encodeOnnxConvTransposeModel(m: OnnxConvTransposeModel): Uint8Array {
  const node = new ProtoWriter().string(1, 'X').string(1, 'W');
  if (m.bias === true) node.string(1, 'B');
  node
    .string(2, 'Y')
    .string(3, 'convtranspose')
    .string(4, 'ConvTranspose')
    .message(5, intsAttribute('kernel_shape', m.weightShape.slice(2)))
    .message(5, intsAttribute('strides', m.strides))
    .message(5, intsAttribute('dilations', m.dilations))
    .message(5, intAttribute('group', m.group));
  if (m.autoPad !== undefined) node.message(5, stringAttribute('auto_pad', m.autoPad));
  if (m.pads !== undefined) node.message(5, intsAttribute('pads', m.pads));
  if (m.outputPadding !== undefined) {
    node.message(5, intsAttribute('output_padding', m.outputPadding));
  }
  if (m.outputShape !== undefined) node.message(5, intsAttribute('output_shape', m.outputShape));
  const graph = new ProtoWriter()
    .message(1, node)
    .string(2, 'convcheck_convtranspose')
    .message(11, valueInfo('X', m.dtype, m.inputShape))
    .message(11, valueInfo('W', m.dtype, m.weightShape));
  if (m.bias === true) {
    const outChannels = m.weightShape[1]! * m.group;
    graph.message(11, valueInfo('B', m.dtype, [outChannels]));
  }
  graph.message(12, outputInfo('Y', m.dtype));
  return encodeModel(graph);
}
