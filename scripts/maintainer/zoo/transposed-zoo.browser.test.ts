/**
 * The browser host runs every float op a module implements, not only conv: the
 * transposed zoo's correct kernel passes each op's phases in the page, and two
 * of its buggy kernels fail in the op phase their bug is in.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkKernel } from '../../check/check-kernel.ts';
import { browserSkipReason } from '../../check/hosts/browser-testing.ts';
import { REPO_ROOT } from './catalog.ts';

const skip = await browserSkipReason();
const zoo = (file: string) => ({ module: join(REPO_ROOT, 'fixtures/zoo/transposed', file) });
const quick = { browser: true, suite: 'quick', seed: 20261205 } as const;

describe.skipIf(skip !== undefined)('float ops through the browser host', () => {
  it('the correct ConvTranspose/backward kernel passes every op phase', async () => {
    const report = await checkKernel(zoo('correct/direct.mjs'), quick);
    const ops = [...new Set(report.phases.map((p) => p.op ?? 'conv'))];
    expect(ops).toEqual(['conv', 'convtranspose', 'conv-backward-data', 'conv-backward-weights']);
    const verdicts = report.phases.map((p) => `${p.op ?? 'conv'} ${p.phase}: ${p.verdict}`);
    expect(verdicts.filter((v) => !v.endsWith('pass'))).toEqual([]);
    expect(report.exitCode).toBe(0);
  });

  it.for([
    ['transpose-pads-swapped.mjs', 'convtranspose'],
    ['bwd-weights-first-image.mjs', 'conv-backward-weights'],
  ] as const)('%s fails in its %s phase', async ([file, op]) => {
    const report = await checkKernel(zoo(file), quick);
    expect(report.exitCode).toBe(1);
    const failed = report.phases.filter((p) => p.verdict === 'fail').map((p) => p.op ?? 'conv');
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed)).toEqual(new Set([op]));
  });
});

if (skip !== undefined) {
  describe('float ops through the browser host', () => {
    it.skip(`skipped: ${skip}`, () => {});
  });
}
