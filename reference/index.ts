/** The reference oracle and formulas: the public surface of reference/. */
export {
  exactConvBackwardData,
  exactConvBackwardWeights,
  referenceConvBackwardData,
  referenceConvBackwardWeights,
} from './backward.ts';
export { checkConvOperands, referenceConv, referenceConvAt } from './conv.ts';
export {
  backwardDataAsConvTranspose,
  type ConvTransposeGeometry,
  type ConvTransposeProblem,
  convTransposeGeometry,
  exactConvTranspose,
  referenceConvTranspose,
} from './convTranspose.ts';
export { formatDescriptor, type ParsedDescriptor, parseDescriptor } from './descriptor.ts';
export { ProblemError, show } from './errors.ts';
export { exactConv, exactFraction, fractionToNumber } from './exact.ts';
export {
  decodeHalf,
  encodeHalf,
  floatFormat,
  fromHalfBits,
  HALF_FORMATS,
  type HalfDType,
  type HalfFormat,
  roundToFormat,
  roundToHalf,
  toHalfBits,
} from './float16.ts';
export {
  effectiveKernel,
  outputSize,
  type SameSide,
  samePadding,
  transposedOutputSize,
  volume,
} from './formulas.ts';
export {
  type ConvGeometry,
  convGeometry,
  defaultLimits,
  type GeometryLimits,
  lift3,
  type PoolGeometry,
  poolGeometry,
  type SpatialGeometry,
  stridesOf,
} from './geometry.ts';
export {
  flops,
  macs,
  parameterCount,
  type ReceptiveField,
  type ReceptiveLayer,
  receptiveField,
} from './layer.ts';
export {
  ACTIVATION_LAYOUTS,
  type ActivationLayout,
  activationAxisNames,
  CANONICAL_LAYOUTS,
  coordsInLayout,
  isCanonical,
  type KernelLayouts,
  layoutsOf,
  operandsInLayout,
  outputFromLayout,
  outputInLayout,
  transpose,
  WEIGHT_LAYOUTS,
  type WeightLayout,
} from './layout.ts';
export {
  analyzeNetwork,
  type LayerReport,
  type LayerSpec,
  type NetworkReport,
  type NetworkSpec,
  parseNetwork,
  type SpatialAttribute,
} from './network.ts';
export {
  type ConvOp,
  formatOpDescriptor,
  type OpDescriptor,
  parseOpDescriptor,
} from './opDescriptor.ts';
export {
  FLOAT_OP_NAMES,
  implementedOps,
  isFloatOp,
  isOpName,
  OP_NAMES,
  OPS,
  type OpEntry,
  type OperandDType,
  type OperandRole,
  type OperandSpec,
  type OpGeometry,
  type OpMethod,
  type OpName,
  opEntry,
  opOfDescriptor,
  parseOpList,
} from './ops.ts';
export {
  type ExplicitPads,
  onnxPads,
  type PaddingConvention,
  padsFor,
  pairedPads,
  type SamePaddingInput,
  torchPads,
} from './padding.ts';
export { maxPadFor, PADDING_MODES, paddedIndex, zeroPaddingOnly } from './padding-mode.ts';
export { referencePool } from './pool.ts';
export type {
  AnyConvKernel,
  ConvKernel,
  ConvMode,
  ConvProblem,
  DType,
  FloatArray,
  HalfConvKernel,
  PaddingMode,
  PaddingRule,
  PoolOp,
  PoolProblem,
} from './problem.ts';
export {
  type ExactMultiplier,
  type PerChannel,
  type QLinearConvParameters,
  QUANTIZED_RANGE,
  type QuantizedArray,
  type QuantizedDType,
  referenceConvInteger,
  referenceQLinearConv,
} from './quantized.ts';
export {
  type QLinearBounds,
  qlinearConvBounds,
  RESCALE_RELATIVE_ERROR,
} from './quantized-bounds.ts';
export {
  QUANTIZED_OPS,
  type QuantizedKernel,
  type QuantizedOp,
  type QuantizedSignature,
} from './quantized-kernel.ts';
export {
  exactLimit,
  fromKernelArray,
  hostDType,
  isHalfDType,
  KERNEL_DTYPES,
  type KernelArray,
  type KernelDType,
  roundToStorage,
  storageOf,
  toKernelArray,
} from './storage.ts';
export { checkTensorLength } from './tensors.ts';
export {
  type ExplicitTransposePads,
  type OnnxConvTransposeAttributes,
  onnxConvTransposePads,
  type TfConvTransposeAttributes,
  tfConvTransposePads,
  torchConvTransposePads,
} from './transposePadding.ts';
