/** Kernels on the WebAssembly SIMD GEMM (gemm.wat, built by `npm run build`). */
export { im2colSimdConv, im2colSimdRefusal, simdLayout } from './im2col-simd.ts';
export { createIm2colSimdKernel, im2colSimdKernel } from './kernel.ts';
export { gemmFromBytes, loadWasmGemm, loadWasmGemmFrom, WasmGemm } from './module.ts';
