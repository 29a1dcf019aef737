// tf.conv2dTranspose as a module, so `check --builtin tfjs-cpu-transpose` runs it isolated in a child process.
import { tfjsCpuTransposeKernel } from '../../../impl/peers/tfjs-transpose.ts';

export default tfjsCpuTransposeKernel;
