// A well-behaved float16-storage kernel: decodes its Uint16Array patterns, runs
// the oracle and rounds the result to float16 (ties to even) as patterns.
import { referenceConv } from '../../../../reference/conv.ts';
import { decodeHalf, encodeHalf } from '../../../../reference/float16.ts';

export default {
  name: 'half-oracle',
  dtype: 'float16',
  conv(p, input, weight, bias) {
    if (!(input instanceof Uint16Array)) throw new TypeError('input is not a Uint16Array');
    const decode = (bits) => decodeHalf(bits, 'float16');
    return encodeHalf(
      referenceConv(p, decode(input), decode(weight), bias && decode(bias)),
      'float16',
    );
  },
};
