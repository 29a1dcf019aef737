/** Packed, cache-blocked GEMM for the im2col and Winograd kernels. */
export {
  type GemmBlocking,
  gemmBlocking,
  gemmPackedElements,
  gemmWorkspaceBytes,
} from './blocking.ts';
export { dgemm, sgemm } from './gemm.ts';
export { GemmWorkspace } from './workspace.ts';
