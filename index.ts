/**
 * convcheck: a conformance harness for convolution kernels.
 *
 * The entry exports the oracle and formulas (reference/) and the check API.
 * `checkKernel` lives in scripts/check/ because it is the CLI's own code path
 * (scripts → properties → impl → reference); the package entry sits above all
 * layers, so re-exporting it here keeps the import direction.
 *
 * @example
 * ```ts
 * import type { ConvProblem, PoolProblem, ConvKernel } from 'convcheck';
 * import { checkKernel, referenceConv, convGeometry } from 'convcheck';
 * const report = await checkKernel(myKernel, { suite: 'quick' });
 * ```
 */

export * from './reference/index.ts';
export {
  type CheckKernelOptions,
  checkKernel,
  type KernelUnderTest,
  TOLERANCE_NAMES,
  type ToleranceName,
} from './scripts/check/check-kernel.ts';
export {
  GROUP_NAMES,
  type GroupName,
  MODE_NAMES,
  type ModeName,
} from './scripts/check/families.ts';
export type { CaseFailure, CheckReport, PhaseResult, Verdict } from './scripts/check/results.ts';
export { DECLINE_BUDGET } from './scripts/check/runner.ts';
