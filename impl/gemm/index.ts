/** Packed, cache-blocked GEMM for the im2col and Winograd kernels. */
export {
  type GemmBlocking,
  gemmBlocking,
  gemmPackedElements,
  gemmWorkspaceBytes,
  prepackedElements,
} from './blocking.ts';
export { dgemm, gemmWithPackedB, reservePackedB, sgemm } from './gemm.ts';
export { GemmWorkspace, type PackedBuffer } from './workspace.ts';
