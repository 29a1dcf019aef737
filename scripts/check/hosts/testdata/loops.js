// Loops forever (synchronously) when batch is 2; otherwise correct.
import { referenceConv } from '../../../../reference/conv.ts';

export default {
  name: 'loops',
  conv(p, x, w, b) {
    while (p.batch === 2) {
      // spin
    }
    return new Float32Array(referenceConv(p, x, w, b));
  },
};
