// A module kernel of the quantized ops only (no conv): the built-in im2col-int8.
import { im2colInt8Kernel } from '../../../../impl/quantized/index.ts';

export default im2colInt8Kernel;
