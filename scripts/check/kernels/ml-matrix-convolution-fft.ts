// The ml-matrix-convolution-fft peer adapter as a module, so `check --builtin ml-matrix-convolution-fft` runs it isolated in a child process.
import { matrixConvolutionFftKernel } from '../../../impl/peers/ml-matrix-convolution.ts';

export default matrixConvolutionFftKernel;
