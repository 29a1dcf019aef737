/**
 * The transposed-convolution zoo (fixtures/zoo/transposed): kernels whose
 * ConvTranspose or backward pass carries one convention bug must make
 * `convcheck check` exit 1 at default settings (every op the kernel implements),
 * the correct one exit 0, each through the real CLI in a child process with the
 * pinned zoo seed and `--suite quick`. The quick tier runs one buggy kernel and
 * the correct one; `npm run test:full` runs them all.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFullTier } from '../../../properties/test-tier.ts';
import { REPO_ROOT, ZOO_DIR, zooCatalog } from './catalog.ts';
import { mapPool, runCheck } from './cli-runner.ts';
import { type ZooResult, zooResult } from './outcome.ts';
import { TEST_POOL, TEST_SUITE, zooSeed } from './settings.ts';

/** The transposed zoo's catalog (its own folder: the conv zoo's tests read only fixtures/zoo). */
const TRANSPOSED_ZOO_DIR = join(ZOO_DIR, 'transposed');

const all = zooCatalog(TRANSPOSED_ZOO_DIR);
const QUICK = ['transpose-pads-swapped', 'direct'];
const kernels = isFullTier() ? all : all.filter((k) => QUICK.includes(k.slug));
const seed = zooSeed();

function explain(r: ZooResult): string {
  const where = r.caughtBy ? `${r.caughtBy} on ${r.descriptor}: ${r.message}` : (r.message ?? '');
  return `${r.kernel.path} → exit ${r.status}, ${r.verdict} ${where}`;
}

describe(`the transposed zoo through convcheck check (seed ${seed}, --suite ${TEST_SUITE})`, () => {
  it('has at least six buggy kernels and one correct one', () => {
    expect(all.filter((k) => k.expect === 'fail').length).toBeGreaterThanOrEqual(6);
    expect(all.filter((k) => k.expect === 'pass').length).toBeGreaterThanOrEqual(1);
  });

  it(`catches every buggy kernel in an op phase and passes the correct one (${kernels.length} kernels)`, async () => {
    const runs = await mapPool(kernels, TEST_POOL, (k) =>
      runCheck(k.path, { seed, suite: TEST_SUITE, cwd: REPO_ROOT, timeoutMs: 240_000 }),
    );
    kernels.forEach((k, i) => {
      const r = zooResult(k, runs[i]!);
      expect(r.status, explain(r)).toBe(k.expect === 'fail' ? 1 : 0);
      // The bug is in a ConvTranspose or backward pass: the conv phases pass, an op phase catches it.
      if (k.expect === 'fail')
        expect(r.caughtBy, explain(r)).toMatch(/^conv(transpose|-backward-)/);
    });
  }, 900_000);
});
