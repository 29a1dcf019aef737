// The ort peer adapter as a module, so `check --builtin ort` runs it isolated in a child process.
import { ortKernel } from '../../../impl/peers/ort.ts';

export default ortKernel;
