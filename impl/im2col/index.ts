/** im2col + packed GEMM convolution, 1-D to 3-D, every problem the oracle handles. */

export {
  type ColumnPlan,
  type ColumnTarget,
  columnPlan,
  fillColumns,
  type OutputRuns,
  outputRuns,
} from './columns.ts';
export {
  type Im2colOptions,
  im2colConv,
  im2colConv64,
  workspaceLimit,
  workspaceRefusal,
} from './conv.ts';
export { createHalfIm2colKernel, im2colBf16Kernel, im2colF16Kernel } from './half.ts';
export {
  createIm2colKernel,
  type Im2colKernelOptions,
  im2colKernel,
  im2colKernel64,
} from './kernel.ts';
export {
  builtColumnBlockWidth,
  columnBlockElements,
  columnBlockWidth,
  defaultMaxWorkspaceBytes,
  im2colWorkspaceBytes,
  releaseIm2colWorkspace,
} from './workspace.ts';
