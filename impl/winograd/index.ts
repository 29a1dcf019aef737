/**
 * Winograd minimal filtering with exactly derived Toom-Cook transforms.
 *
 * @example
 * ```ts
 * import { winogradF4Kernel, winogradTransforms } from './impl/winograd/index.ts';
 * ```
 */

export {
  type WinogradBoundOptions,
  type WinogradErrorBound,
  winogradErrorBound,
} from './error-bound.ts';
export {
  unitRoundoff,
  type WinogradDimension,
  type WinogradErrorConstants,
  type WinogradRoundingOptions,
  winogradErrorConstants,
  winogradRoundingFactor,
} from './error-constants.ts';
export {
  createWinogradKernel,
  type WinogradKernelOptions,
  type WinogradMagnitudeOptions,
  winogradF2Kernel,
  winogradF4Kernel,
  winogradMagnitudes,
} from './kernel.ts';
export {
  type WinogradAxis,
  type WinogradPlan,
  type WinogradPlanOptions,
  type WinogradPointChooser,
  winogradPlan,
  winogradWorkspaceBytes,
} from './plan.ts';
export {
  defaultWinogradPoints,
  exactlyRepresentable,
  rational,
  type WinogradPoint,
  type WinogradTransforms,
  winogradTransforms,
} from './transforms.ts';
