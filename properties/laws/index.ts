/**
 * Every law of convolution as a property, parameterized by the kernel under
 * test (default: the float64 oracle). The registry lets a runner (the test
 * suite, the CLI) run them all against any ConvKernel.
 */
import type { ConvKernel } from '../../reference/problem.ts';
import { associativityLaw, commutativityLaw, flipLaw } from './algebra.ts';
import { channelSumLaw, groupConcatLaw, pointwiseMatmulLaw } from './channels.ts';
import { dilationLaw, paddingLaw, strideLaw } from './decomposition.ts';
import { exactOracleLaw } from './exactOracle.ts';
import { linearityInInputLaw, linearityInWeightLaw } from './linearity.ts';
import { receptiveFieldLaw } from './receptiveField.ts';
import { outputShapeLaw } from './shape.ts';
import type { LawOptions, LawProperty } from './support.ts';
import { translationLaw } from './translation.ts';

export { associativityLaw, commutativityLaw, flipLaw, fullConvolution } from './algebra.ts';
export { channelSumLaw, groupConcatLaw, pointwiseMatmulLaw } from './channels.ts';
export { dilationLaw, paddingLaw, strideLaw } from './decomposition.ts';
export { exactOracleLaw } from './exactOracle.ts';
export { linearityInInputLaw, linearityInWeightLaw } from './linearity.ts';
export {
  explicitlyPadded,
  type FilledPaddingMode,
  paddingModeLaw,
  problemUnderMode,
} from './paddingModes.ts';
export {
  avgPoolDepthwiseLaw,
  depthwiseForPool,
  maxAtLeastAvgLaw,
  type PoolLawCase,
  type PoolLawOptions,
  type PoolLawProperty,
} from './pooling.ts';
export { receptiveFieldLaw } from './receptiveField.ts';
export { outputShapeLaw, parameterCountLaw } from './shape.ts';
export { type LawCase, type LawOptions, type LawProperty, LawViolation } from './support.ts';
export { translationLaw } from './translation.ts';

/** A law of convolution that any ConvKernel can be checked against. */
export interface ConvLaw {
  name: string;
  law: (kernel: ConvKernel, options?: LawOptions) => LawProperty;
}

/**
 * The laws a conv kernel can be checked against, by name.
 *
 * @example
 * ```ts
 * for (const { name, law } of convLaws) await fc.assert(law(im2colKernel));
 * ```
 */
export const convLaws: readonly ConvLaw[] = [
  { name: 'linearity-input', law: linearityInInputLaw },
  { name: 'linearity-weight', law: linearityInWeightLaw },
  { name: 'translation', law: translationLaw },
  { name: 'commutativity', law: commutativityLaw },
  { name: 'associativity', law: associativityLaw },
  { name: 'flip', law: flipLaw },
  { name: 'pointwise-matmul', law: pointwiseMatmulLaw },
  { name: 'channel-sum', law: channelSumLaw },
  { name: 'group-concat', law: groupConcatLaw },
  { name: 'dilation', law: dilationLaw },
  { name: 'stride', law: strideLaw },
  { name: 'padding', law: paddingLaw },
  { name: 'receptive-field', law: receptiveFieldLaw },
  { name: 'exact-oracle', law: exactOracleLaw },
  { name: 'output-shape', law: outputShapeLaw },
];
