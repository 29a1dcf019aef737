/** Packed, cache-blocked GEMM for the im2col and Winograd kernels. */
export {
  type GemmBlocking,
  gemmBlocking,
  gemmPackedElements,
  gemmWorkspaceBytes,
  prepackedElements,
} from './blocking.ts';
export { dgemm, gemmWithPackedB, reservePackedB, sgemm, writeTile } from './gemm.ts';
export { microKernel4x4 } from './micro-kernel.ts';
export { GemmWorkspace, type PackedBuffer, packedBuffer } from './workspace.ts';
