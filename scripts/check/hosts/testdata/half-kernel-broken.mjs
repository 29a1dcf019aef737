// half-kernel.mjs with one planted bug: the last weight is read as zero, so a
// test of the 16-bit path can see that a wrong result comes back wrong.
import { referenceConv } from '../../../../reference/conv.ts';
import { decodeHalf, encodeHalf } from '../../../../reference/float16.ts';

export default {
  name: 'half-oracle-broken',
  dtype: 'float16',
  conv(p, input, weight, bias) {
    const decode = (bits) => decodeHalf(bits, 'float16');
    const w = decode(weight);
    w[w.length - 1] = 0;
    return encodeHalf(referenceConv(p, decode(input), w, bias && decode(bias)), 'float16');
  },
};
