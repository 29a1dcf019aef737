// The ort-web peer adapter as a module, so `check --builtin ort-web` runs it isolated in a child process.
import { ortWebKernel } from '../../../impl/peers/ort-web.ts';

export default ortWebKernel;
