// The convnetjs peer adapter as a module, so `check --builtin convnetjs` runs it isolated in a child process.
import { convnetjsKernel } from '../../../impl/peers/convnetjs.ts';

export default convnetjsKernel;
