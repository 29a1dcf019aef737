// The tfjs-cpu peer adapter as a module, so `check --builtin tfjs-cpu` runs it isolated in a child process.
import { tfjsCpuKernel } from '../../../impl/peers/tfjs.ts';

export default tfjsCpuKernel;
