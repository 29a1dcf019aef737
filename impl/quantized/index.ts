/** Built-in quantized kernels. */
export {
  im2colInt8Kernel,
  integerConv,
  outputTypeOf,
  type Requantization,
  requantize,
} from './im2col-int8.ts';
