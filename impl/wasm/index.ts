/** Kernels on the WebAssembly SIMD GEMM (gemm.wat, built by `npm run build`). */
export {
  type Im2colSimdOptions,
  im2colSimdConv,
  im2colSimdConvOn,
  im2colSimdRefusal,
  simdLayout,
  twoThreadMinimum,
} from './im2col-simd.ts';
export { createIm2colSimdKernel, im2colSimd2tKernel, im2colSimdKernel } from './kernel.ts';
export {
  gemmFromBytes,
  headerBytes,
  loadWasmGemm,
  loadWasmGemmFrom,
  maxMemoryBytes,
  ownWasmGemm,
  WasmGemm,
} from './module.ts';
export {
  chunkColumns,
  GemmHelper,
  helperOf,
  type SplitProduct,
  workerSource,
} from './threads.ts';
export {
  createWinogradSimdKernel,
  type WinogradSimdOptions,
  winogradF2SimdKernel,
  winogradF4SimdKernel,
  winogradSimdLayout,
  winogradSimdPlan,
} from './winograd-simd.ts';
