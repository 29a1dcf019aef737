/**
 * The zoo's smoke test in `npm test`: one buggy kernel must make `convcheck
 * check` exit 1 and one correct kernel exit 0, each through the real CLI in a
 * child process, as zoo.full.test.ts (`npm run test:full`) does for every kernel.
 */
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, zooCatalog } from './catalog.ts';
import { runCheck } from './cli-runner.ts';
import { zooResult } from './outcome.ts';
import { TEST_SUITE, zooSeed } from './settings.ts';

const seed = zooSeed();
/** One kernel of each kind: a bug the quick suite's first phase catches, and the plainest correct one. */
const SMOKE = ['fixtures/zoo/bias-dropped.mjs', 'fixtures/zoo/correct/float64.mjs'];

describe(`the zoo smoke test through convcheck check (seed ${seed}, --suite ${TEST_SUITE})`, () => {
  const kernels = zooCatalog().filter((k) => SMOKE.includes(k.path));

  it.each(kernels)('$slug exits as expected ($expect)', async (k) => {
    const run = await runCheck(k.path, {
      seed,
      suite: TEST_SUITE,
      cwd: REPO_ROOT,
      timeoutMs: 240_000,
    });
    const r = zooResult(k, run);
    expect(r.status, `${k.path} → exit ${r.status}, ${r.verdict} ${r.message ?? ''}`).toBe(
      k.expect === 'fail' ? 1 : 0,
    );
    if (k.expect === 'fail') expect(r.caughtBy).toBeDefined();
  });

  it('found both smoke kernels in the catalog', () => {
    expect(kernels.map((k) => k.path).sort()).toEqual([...SMOKE].sort());
  });
});
