import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { biasDroppedKernel, reluFusedKernel } from './broken/kernels.ts';
import { linearityInInputLaw } from './laws/index.ts';
import { failureReport, formatFailureReport, reproCommand } from './report.ts';

describe('reproCommand', () => {
  it('is one shell line with the seed, the path and the descriptor', () => {
    expect(
      reproCommand({
        implSpec: 'im2col',
        seed: -7,
        path: '3:0:1',
        descriptor: 'xcorr:mb1g1ic1oc1_iw2_kw2_nobias',
      }),
    ).toBe(
      `npx convcheck check --impl im2col --seed -7 --path "3:0:1" --problem 'xcorr:mb1g1ic1oc1_iw2_kw2_nobias'`,
    );
  });

  it('quotes an implementation path a shell would split', () => {
    expect(reproCommand({ implSpec: "./my kernels/it's.mjs", seed: 1, path: '0' })).toBe(
      `npx convcheck check --impl './my kernels/it'\\''s.mjs' --seed 1 --path "0"`,
    );
  });
});

describe('failureReport', () => {
  it('is undefined for a passing run', async () => {
    const run = await fc.check(
      fc.asyncProperty(fc.nat(), async () => {}),
      { numRuns: 3 },
    );
    expect(failureReport({ kernel: 'k', property: 'p', implSpec: 'k', run })).toBeUndefined();
  });

  it('reports a law violation with its message and the shrunk problem', async () => {
    const run = await fc.check(linearityInInputLaw(reluFusedKernel), { seed: 3 });
    const report = failureReport({
      kernel: reluFusedKernel.name,
      property: 'law/linearity-input',
      implSpec: 'relu.mjs',
      run,
    })!;
    expect(report.message).toMatch(/^linearity in the input: element \d+ is/);
    expect(report.descriptor).toMatch(/^(xcorr|trueconv):/);
    expect(formatFailureReport(report)).toMatch(/error: +linearity in the input/);
  });

  it('says so when the kernel supported (almost) nothing', async () => {
    const run = await fc.check(
      fc.asyncProperty(fc.nat(), async () => {
        fc.pre(false);
      }),
      { numRuns: 2, maxSkipsPerRun: 2 },
    );
    const report = failureReport({
      kernel: biasDroppedKernel.name,
      property: 'p',
      implSpec: 'x',
      run,
    })!;
    expect(report.message).toMatch(/too many skipped cases/);
  });
});
