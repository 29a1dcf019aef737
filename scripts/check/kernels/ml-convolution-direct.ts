// The ml-convolution-direct peer adapter as a module, so `check --builtin ml-convolution-direct` runs it isolated in a child process.
import { mlConvolutionDirectKernel } from '../../../impl/peers/ml-convolution.ts';

export default mlConvolutionDirectKernel;
