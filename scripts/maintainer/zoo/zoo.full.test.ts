/**
 * The zoo, end to end: every buggy kernel in fixtures/zoo must make
 * `convcheck check` exit 1, every kernel in fixtures/zoo/correct must make it
 * exit 0. Each run is the real CLI in a child process, with the pinned seed,
 * `--suite quick` and two kernels at a time (see scripts/maintainer/zoo/settings.ts).
 * docs/zoo.md (scripts/maintainer/zoo/run-zoo.ts) records the same on the default suite.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, zooCatalog } from './catalog.ts';
import { mapPool, runCheck } from './cli-runner.ts';
import { type ZooResult, zooResult } from './outcome.ts';
import { TEST_POOL, TEST_SUITE, zooSeed } from './settings.ts';

const kernels = zooCatalog();
const seed = zooSeed();
const results = new Map<string, ZooResult>();

function explain(r: ZooResult): string {
  const where = r.caughtBy ? `${r.caughtBy} on ${r.descriptor}: ${r.message}` : (r.message ?? '');
  return `${r.kernel.path} (${r.kernel.expect === 'fail' ? r.kernel.summary : 'correct'}) → exit ${r.status}, ${r.verdict} ${where}`;
}

describe(`the zoo through convcheck check (seed ${seed}, --suite ${TEST_SUITE})`, () => {
  beforeAll(async () => {
    const runs = await mapPool(kernels, TEST_POOL, (k) =>
      runCheck(k.path, { seed, suite: TEST_SUITE, cwd: REPO_ROOT, timeoutMs: 240_000 }),
    );
    kernels.forEach((k, i) => {
      results.set(k.slug, zooResult(k, runs[i]!));
    });
  }, 900_000);

  it('has at least 22 buggy kernels and 5 correct ones', () => {
    expect(kernels.filter((k) => k.expect === 'fail').length).toBeGreaterThanOrEqual(22);
    expect(kernels.filter((k) => k.expect === 'pass').length).toBeGreaterThanOrEqual(5);
  });

  it.each(kernels.filter((k) => k.expect === 'fail'))('catches $slug ($bugClass)', (k) => {
    const r = results.get(k.slug)!;
    expect(r.status, explain(r)).toBe(1);
    expect(r.caughtBy, explain(r)).toBeDefined();
  });

  it.each(kernels.filter((k) => k.expect === 'pass'))('passes the correct $slug', (k) => {
    const r = results.get(k.slug)!;
    expect(r.status, explain(r)).toBe(0);
  });
});
