// The tfjs-wasm peer adapter as a module, so `check --builtin tfjs-wasm` runs it isolated in a child process.
import { tfjsWasmKernel } from '../../../impl/peers/tfjs.ts';

export default tfjsWasmKernel;
