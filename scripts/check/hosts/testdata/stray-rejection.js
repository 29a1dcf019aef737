// When batch is 2, leaves a promise rejection unhandled, then answers a little
// later; otherwise correct and clean.
import { referenceConv } from '../../../../reference/conv.ts';

export default {
  name: 'stray-rejection',
  conv(p, x, w, b) {
    const y = new Float32Array(referenceConv(p, x, w, b));
    if (p.batch !== 2) return y;
    Promise.reject(new Error('forgotten promise'));
    return new Promise((resolve) => setTimeout(() => resolve(y), 200));
  },
};
