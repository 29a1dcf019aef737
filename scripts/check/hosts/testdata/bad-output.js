// Returns the wrong thing, chosen by batch: 1 a plain Array, 2 a Float32Array one
// element short, 3 a Float64Array (the kernel is float32), 4 undefined.
import { referenceConv } from '../../../../reference/conv.ts';

export default {
  name: 'bad-output',
  conv(p, x, w, b) {
    const y = referenceConv(p, x, w, b);
    if (p.batch === 1) return Array.from(y);
    if (p.batch === 2) return new Float32Array(y.length - 1);
    if (p.batch === 3) return y;
    return undefined;
  },
};
