// A planted quantized bug (properties/broken/quantized.ts) as a module kernel, for `convcheck check --impl`.
import { xZeroPointIgnoredKernel } from '../../../../properties/broken/quantized.ts';
import { referenceConv } from '../../../../reference/conv.ts';

export default {
  ...xZeroPointIgnoredKernel,
  dtype: 'float64',
  conv: referenceConv,
};
