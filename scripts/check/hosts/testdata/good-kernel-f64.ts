// A well-behaved float64 kernel written in TypeScript, async, to check .ts loading.

import { referenceConv } from '../../../../reference/conv.ts';
import type { ConvKernel } from '../../../../reference/index.ts';

const kernel: ConvKernel = {
  name: 'good-kernel-f64',
  dtype: 'float64',
  conv: async (p, x, w, b) => referenceConv(p, x, w, b),
};
export default kernel;
