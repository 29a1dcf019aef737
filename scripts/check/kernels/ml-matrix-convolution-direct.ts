// The ml-matrix-convolution-direct peer adapter as a module, so `check --builtin ml-matrix-convolution-direct` runs it isolated in a child process.
import { matrixConvolutionDirectKernel } from '../../../impl/peers/ml-matrix-convolution.ts';

export default matrixConvolutionDirectKernel;
