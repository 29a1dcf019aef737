/** The reference oracle and formulas: the public surface of reference/. */
export { checkConvOperands, referenceConv, referenceConvAt } from './conv.ts';
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
export { effectiveKernel, outputSize, type SameSide, samePadding, volume } from './formulas.ts';
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
  analyzeNetwork,
  type LayerReport,
  type LayerSpec,
  type NetworkReport,
  type NetworkSpec,
  parseNetwork,
  type SpatialAttribute,
} from './network.ts';
export {
  type ExplicitPads,
  onnxPads,
  type PaddingConvention,
  padsFor,
  pairedPads,
  type SamePaddingInput,
  torchPads,
} from './padding.ts';
export { referencePool } from './pool.ts';
export type {
  ConvKernel,
  ConvMode,
  ConvProblem,
  DType,
  FloatArray,
  PaddingRule,
  PoolOp,
  PoolProblem,
} from './problem.ts';
export {
  type ExactMultiplier,
  type PerChannel,
  type QLinearBounds,
  type QLinearConvParameters,
  QUANTIZED_RANGE,
  type QuantizedArray,
  type QuantizedDType,
  qlinearConvBounds,
  RESCALE_RELATIVE_ERROR,
  referenceConvInteger,
  referenceQLinearConv,
} from './quantized.ts';
export { checkTensorLength } from './tensors.ts';
