// The ml-convolution-fft peer adapter as a module, so `check --builtin ml-convolution-fft` runs it isolated in a child process.
import { mlConvolutionFftKernel } from '../../../impl/peers/ml-convolution.ts';

export default mlConvolutionFftKernel;
