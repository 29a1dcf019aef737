/**
 * The transposed zoo, end to end (`npm run test:full`): every kernel the quick
 * tier's smoke test leaves out, through the real CLI at default settings but
 * `--suite quick`, with the zoo seed (docs/zoo-transposed.md).
 */
import { describe, it } from 'vitest';
import { TEST_SUITE, zooSeed } from './settings.ts';
import { expectTransposedZoo, QUICK_TRANSPOSED, transposedZoo } from './transposed.ts';

const seed = zooSeed();
const rest = transposedZoo().filter((k) => !QUICK_TRANSPOSED.includes(k.slug));

describe(`the transposed zoo through convcheck check (seed ${seed}, --suite ${TEST_SUITE})`, () => {
  it(`catches every other buggy kernel in its op phase (${rest.length} kernels)`, async () => {
    await expectTransposedZoo(rest, seed);
  }, 900_000);
});
