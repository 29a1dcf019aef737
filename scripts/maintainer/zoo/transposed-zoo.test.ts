/**
 * The transposed zoo's smoke test in `npm test`: one kernel whose ConvTranspose
 * has a convention bug must make `convcheck check` exit 1 at default settings
 * (every op the kernel implements), the correct one exit 0, through the real
 * CLI; transposed-zoo.full.test.ts (`npm run test:full`) runs the others.
 */
import { describe, expect, it } from 'vitest';
import { TEST_SUITE, zooSeed } from './settings.ts';
import { expectTransposedZoo, QUICK_TRANSPOSED, transposedZoo } from './transposed.ts';

const all = transposedZoo();
const seed = zooSeed();

describe(`the transposed zoo through convcheck check (seed ${seed}, --suite ${TEST_SUITE})`, () => {
  it('has at least six buggy kernels and one correct one', () => {
    expect(all.filter((k) => k.expect === 'fail').length).toBeGreaterThanOrEqual(6);
    expect(all.filter((k) => k.expect === 'pass').length).toBeGreaterThanOrEqual(1);
  });

  it(`catches ${QUICK_TRANSPOSED[0]} in its op phase and passes the correct kernel`, async () => {
    const kernels = all.filter((k) => QUICK_TRANSPOSED.includes(k.slug));
    expect(kernels).toHaveLength(QUICK_TRANSPOSED.length);
    await expectTransposedZoo(kernels, seed);
  }, 900_000);
});
