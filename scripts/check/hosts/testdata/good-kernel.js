// A well-behaved float32 kernel: the oracle, rounded to float32. Declines 3-D.
import { referenceConv } from '../../../../reference/conv.ts';

export default {
  name: 'good-kernel',
  dtype: 'float32',
  supports: (p) => (p.inputSize.length < 3 ? true : 'no 3-D in this fixture'),
  conv: (p, x, w, b) => new Float32Array(referenceConv(p, x, w, b)),
};
