/** ConvTranspose by GEMM + col2im (not yet a ConvKernel: the contract gains convTranspose later). */
export { col2imConvTranspose } from './col2im.ts';
