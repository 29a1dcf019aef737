// The thing-pixel-convolve peer adapter as a module, so `check --builtin thing-pixel-convolve` runs it isolated in a child process.
import { thingPixelConvolveKernel } from '../../../impl/peers/thing-pixel-convolve.ts';

export default thingPixelConvolveKernel;
