/**
 * The transposed-convolution zoo (fixtures/zoo/transposed, docs/zoo-transposed.md):
 * its catalog, and the check both of its tests make through the real CLI.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT, ZOO_DIR, type ZooKernel, zooCatalog } from './catalog.ts';
import { mapPool, runCheck } from './cli-runner.ts';
import { type ZooResult, zooResult } from './outcome.ts';
import { TEST_POOL, TEST_SUITE } from './settings.ts';

/** Every kernel of the transposed zoo (its own folder: the conv zoo's tests read fixtures/zoo only). */
export function transposedZoo(): ZooKernel[] {
  return zooCatalog(join(ZOO_DIR, 'transposed'));
}

/** The kernels `npm test` runs: one buggy kernel and the correct one; the full tier runs the rest. */
export const QUICK_TRANSPOSED = ['transpose-pads-swapped', 'direct'];

function explain(r: ZooResult): string {
  const where = r.caughtBy ? `${r.caughtBy} on ${r.descriptor}: ${r.message}` : (r.message ?? '');
  return `${r.kernel.path} → exit ${r.status}, ${r.verdict} ${where}`;
}

/**
 * Runs each kernel through `convcheck check --impl` at default settings but
 * `--suite quick` and the zoo seed, and asserts exit 1 with the first failure in
 * an op phase for a buggy kernel (its conv is correct), exit 0 for a correct one.
 */
export async function expectTransposedZoo(kernels: ZooKernel[], seed: number): Promise<void> {
  const runs = await mapPool(kernels, TEST_POOL, (k) =>
    runCheck(k.path, { seed, suite: TEST_SUITE, cwd: REPO_ROOT, timeoutMs: 240_000 }),
  );
  kernels.forEach((k, i) => {
    const r = zooResult(k, runs[i]!);
    expect(r.status, explain(r)).toBe(k.expect === 'fail' ? 1 : 0);
    if (k.expect === 'fail') expect(r.caughtBy, explain(r)).toMatch(/^conv(transpose|-backward-)/);
  });
}
