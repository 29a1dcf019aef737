// Calls process.exit(3) when batch is 2, after a last word on stderr; otherwise correct.
import { referenceConv } from '../../../../reference/conv.ts';

export default {
  name: 'exits',
  conv(p, x, w, b) {
    if (p.batch === 2) {
      process.stderr.write('exits.js: giving up on batch 2\n');
      process.exit(3);
    }
    return new Float32Array(referenceConv(p, x, w, b));
  },
};
