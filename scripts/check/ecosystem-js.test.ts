/**
 * The JavaScript libraries' adapters (impl/peers/): each built-in runs a short
 * check in its domain, and each finding of docs/results/ecosystem-js.md is
 * shown to be detected, with its explanation checked on the library itself.
 *
 * Over 300 lines, on purpose: one block per finding of docs/results/ecosystem-js.md, each
 * shown on the library itself, sharing the quick-check and judging helpers.
 */
import { describe, expect, it } from 'vitest';
import { loadConvnetjsKernel } from '../../impl/peers/convnetjs.ts';
import {
  loadMlConvolutionKernel,
  mlConvolutionFftKernel,
} from '../../impl/peers/ml-convolution.ts';
import {
  loadMatrixConvolutionKernel,
  matrixConvolutionFftKernel,
} from '../../impl/peers/ml-matrix-convolution.ts';
import { loadOrtWebKernel } from '../../impl/peers/ort-web.ts';
import { isUnavailable, type PeerLoad } from '../../impl/peers/peer.ts';
import { loadThingKernel } from '../../impl/peers/thing-pixel-convolve.ts';
import { currentPropertyConfig } from '../../properties/config.ts';
import { materializeConvCase } from '../../properties/data.ts';
import { runAndJudge } from '../../properties/judge/run.ts';
import { type ConvKernel, type ConvProblem, referenceConv } from '../../reference/index.ts';
import { convProblem } from '../../reference/testing.ts';
import { BUILTIN_DOMAINS } from './builtin-domains.ts';
import { runCheck } from './check-kernel.ts';
import { openTargets } from './targets.ts';

const seed = currentPropertyConfig().seed;

/** The report of a short check of a built-in in its own domain. */
function quickCheck(builtin: string, runs = 6) {
  return runCheck(() => openTargets({ builtin }), { suite: 'quick', runs, seed });
}

function verdicts(report: Awaited<ReturnType<typeof quickCheck>>): Record<string, string> {
  return Object.fromEntries(report.phases.map((p) => [p.phase, p.verdict]));
}

const loads: Record<string, PeerLoad> = {
  'ort-web': await loadOrtWebKernel(),
  convnetjs: await loadConvnetjsKernel(),
  'ml-convolution-direct': await loadMlConvolutionKernel('direct'),
  'ml-convolution-fft': await loadMlConvolutionKernel('fft'),
  'ml-matrix-convolution-direct': await loadMatrixConvolutionKernel('direct'),
  'ml-matrix-convolution-fft': await loadMatrixConvolutionKernel('fft'),
  'thing-pixel-convolve': await loadThingKernel(),
};
const skipNote = (name: string) => {
  const load = loads[name]!;
  return isUnavailable(load) ? ` — SKIPPED: ${load.unavailable}` : '';
};
const kernelOf = (name: string) => loads[name] as ConvKernel;

async function judged(
  kernel: ConvKernel,
  problem: ConvProblem,
  data: 'exact' | 'real' | 'special',
  dataSeed = 3,
) {
  const operands = materializeConvCase({ problem, data, dataSeed }, kernel.dtype ?? 'float32');
  return runAndJudge(kernel, {
    problem,
    operands,
    model: { kind: 'dot-product' },
    data,
    source: 'stored',
  });
}

describe.each(['ort-web', 'convnetjs', 'ml-matrix-convolution-direct'])(
  'a conforming library passes a short check in its domain: %s',
  (name) => {
    it.skipIf(skipNote(name) !== '')(
      `every phase passes (seed ${seed})${skipNote(name)}`,
      async () => {
        const report = await quickCheck(name);
        const all = verdicts(report);
        // The conv phases, and any other op's phases the adapter implements (ort-web: ConvTranspose).
        expect(all).toMatchObject({
          'exact data': 'pass',
          'real data': 'pass',
          'special data': 'pass',
        });
        expect(Object.values(all).every((v) => v === 'pass')).toBe(true);
      },
      60_000,
    );
  },
);

describe('generated problems are fitted into each library’s border convention', () => {
  const kernels: Record<string, PeerLoad> = {
    ...loads,
    'ml-convolution-fft': mlConvolutionFftKernel,
    'ml-matrix-convolution-fft': matrixConvolutionFftKernel,
  };
  // The JS adapters (the Python clients' fits are tested in python-peers.test.ts).
  it.each(Object.entries(BUILTIN_DOMAINS).filter(([name, d]) => d.fitProblem && name in kernels))(
    '%s: a fitted problem is one the adapter accepts',
    (name, domain) => {
      const rank = domain.constraints.dims?.[0];
      const generated =
        rank === 1
          ? convProblem({ inputSize: [9], kernelSize: [3], padEnd: [1], mode: 'convolution' })
          : convProblem({
              inputSize: [7, 9],
              kernelSize: [3, 4],
              padBegin: [0, 2],
              padEnd: [1, 0],
            });
      const kernel = kernels[name] as ConvKernel;
      // ml-convolution takes any zero pads (written out for its valid mode); the 2-D libraries' borders do not.
      if (rank !== 1) expect(kernel.supports?.(generated)).not.toBe(true);
      expect(kernel.supports?.(domain.fitProblem!(generated))).toBe(true);
    },
  );
});

describe(`ml-convolution computes cross-correlation, not the convolution it promises${skipNote('ml-convolution-direct')}`, () => {
  const kernel = kernelOf('ml-convolution-direct');
  const p = convProblem({
    inputSize: [6],
    kernelSize: [3],
    padBegin: [1],
    padEnd: [1],
    mode: 'convolution',
  });

  it.skipIf(skipNote('ml-convolution-direct') !== '')(
    'the check fails the exact phase',
    async () => {
      const report = await quickCheck('ml-convolution-direct', 4);
      expect(verdicts(report)['exact data']).toBe('fail');
    },
    60_000,
  );

  it.skipIf(skipNote('ml-convolution-direct') !== '')(
    'explanation: its output is the oracle’s cross-correlation, bit for bit',
    async () => {
      const operands = materializeConvCase({ problem: p, data: 'exact', dataSeed: 5 }, 'float64');
      const got = await kernel.conv(p, operands.input, operands.weight);
      const xcorr = referenceConv(
        { ...p, mode: 'cross-correlation' },
        operands.input,
        operands.weight,
      );
      expect(Array.from(got)).toEqual(Array.from(xcorr));
      expect((await judged(kernel, p, 'exact', 5)).verdict).toBe('fail');
    },
  );
});

describe(`@thi.ng/pixel-convolve leaves out zero coefficients${skipNote('thing-pixel-convolve')}`, () => {
  const kernel = kernelOf('thing-pixel-convolve');
  const p: ConvProblem = {
    ...convProblem({ inputSize: [3, 3], kernelSize: [3, 3], padBegin: [1, 1], padEnd: [1, 1] }),
    paddingMode: 'replicate',
  };

  it.skipIf(skipNote('thing-pixel-convolve') !== '')(
    'an all-zero kernel gives NaN everywhere (its generated sum is empty), which the judge fails',
    async () => {
      const input = Float32Array.from({ length: 9 }, (_, i) => i + 1);
      const got = await kernel.conv(p, input, new Float32Array(9));
      expect(Array.from(got).every(Number.isNaN)).toBe(true);
      const outcome = await runAndJudge(kernel, {
        problem: p,
        operands: { input, weight: new Float32Array(9) },
        model: { kind: 'dot-product' },
        data: 'exact',
        source: 'stored',
      });
      expect(outcome.verdict).toBe('fail');
      expect(outcome.message).toMatch(/NaN where the oracle gives a number/);
    },
  );

  it.skipIf(skipNote('thing-pixel-convolve') !== '')(
    'a NaN read only by a zero coefficient does not reach the output (0·NaN is NaN in the oracle)',
    async () => {
      const input = Float32Array.from({ length: 9 }, (_, i) => i + 1);
      input[4] = Number.NaN; // the centre pixel
      const weight = Float32Array.from({ length: 9 }, (_, i) => (i === 4 ? 0 : 1));
      const got = await kernel.conv(p, input, weight);
      const expected = referenceConv(p, input, weight);
      expect(Number.isNaN(expected[4]!)).toBe(true);
      expect(Number.isFinite(got[4]!)).toBe(true);
      const outcome = await runAndJudge(kernel, {
        problem: p,
        operands: { input, weight },
        model: { kind: 'dot-product' },
        data: 'special',
        source: 'stored',
      });
      expect(outcome.verdict).toBe('fail');
    },
  );
});

describe(`ml-convolution's FFT path is the same cross-correlation, within the FFT bound${skipNote('ml-convolution-fft')}`, () => {
  it.skipIf(skipNote('ml-convolution-fft') !== '')(
    'judged as cross-correlation under --tolerance fft it passes; as the promised convolution it fails',
    async () => {
      const kernel = kernelOf('ml-convolution-fft');
      const p = convProblem({
        inputSize: [40],
        kernelSize: [7],
        padBegin: [3],
        padEnd: [3],
        mode: 'convolution',
      });
      const operands = materializeConvCase({ problem: p, data: 'real', dataSeed: 9 }, 'float64');
      const output = await kernel.conv(p, operands.input, operands.weight);
      const asXcorr = { ...p, mode: 'cross-correlation' as const };
      const judge = (problem: ConvProblem) =>
        runAndJudge(
          { ...kernel, conv: () => output, supports: () => true },
          {
            problem,
            operands,
            model: { kind: 'fft' },
            data: 'real',
            source: 'stored',
          },
        );
      expect((await judge(asXcorr)).verdict).toBe('pass');
      expect((await judge(p)).verdict).toBe('fail');
    },
  );
});

describe(`ml-matrix-convolution's fft() disagrees with direct()${skipNote('ml-matrix-convolution-fft')}`, () => {
  const circular = (
    over: Partial<ConvProblem> & Pick<ConvProblem, 'inputSize' | 'kernelSize'>,
  ): ConvProblem => ({
    ...convProblem({ mode: 'convolution', ...over }),
    paddingMode: 'circular',
  });
  const fftJudged = async (p: ConvProblem, data: 'exact' | 'special', input?: Float64Array) => {
    const kernel = kernelOf('ml-matrix-convolution-fft');
    const operands = materializeConvCase({ problem: p, data, dataSeed: 1 }, 'float64');
    if (input) operands.input = input;
    return runAndJudge(kernel, {
      problem: p,
      operands,
      model: { kind: 'fft' },
      data,
      source: 'stored',
    });
  };

  it.skipIf(skipNote('ml-matrix-convolution-fft') !== '')(
    'a 1-wide image gives NaN everywhere',
    async () => {
      const outcome = await fftJudged(
        circular({ inputSize: [4, 1], kernelSize: [3, 1], padBegin: [1, 0], padEnd: [1, 0] }),
        'exact',
      );
      expect(outcome.message).toMatch(/4 of 4 outputs are NaN where the oracle gives a number/);
    },
  );

  it.skipIf(skipNote('ml-matrix-convolution-fft') !== '')(
    'a 2-wide image is wrong even for the one-tap identity kernel',
    async () => {
      const p = circular({ inputSize: [4, 2], kernelSize: [1, 1] });
      const got = await kernelOf('ml-matrix-convolution-fft').conv(
        p,
        Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8),
        Float64Array.of(1),
      );
      expect(Array.from(got)).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect((await fftJudged(p, 'exact')).verdict).toBe('fail');
    },
  );

  it.skipIf(skipNote('ml-matrix-convolution-fft') !== '')(
    'a kernel reaching past the margin toRadix2 tiles in (8×8 on 9×9) is wrong at the border; 7×7 is not',
    async () => {
      const wide = await fftJudged(
        circular({ inputSize: [9, 9], kernelSize: [8, 8], padBegin: [4, 4], padEnd: [3, 3] }),
        'exact',
      );
      expect(wide.verdict).toBe('fail');
      const fits = await fftJudged(
        circular({ inputSize: [9, 9], kernelSize: [7, 7], padBegin: [3, 3], padEnd: [3, 3] }),
        'exact',
      );
      expect(fits.verdict).toBe('pass');
    },
  );

  it.skipIf(skipNote('ml-matrix-convolution-fft') !== '')(
    'a NaN in the input comes back as finite numbers (so the adapter does not declare finiteOnly)',
    async () => {
      const p = circular({ inputSize: [4, 4], kernelSize: [1, 1] });
      const input = Float64Array.from({ length: 16 }, (_, i) => i + 1);
      input[0] = Number.NaN;
      const got = await kernelOf('ml-matrix-convolution-fft').conv(p, input, Float64Array.of(1));
      expect(Array.from(got).every(Number.isFinite)).toBe(true);
      expect((await fftJudged(p, 'special', input)).verdict).toBe('fail');
    },
  );
});

describe(`convnetjs is checked channels-last with no glue${skipNote('convnetjs')}`, () => {
  it.skipIf(skipNote('convnetjs') !== '')(
    'a wrong value in its output is reported at its own [n, h, w, c] coordinates',
    async () => {
      const kernel = kernelOf('convnetjs');
      // The adapter, with its output's last element (n, h, w, c) = (0, 2, 2, 1) knocked off.
      const broken: ConvKernel = {
        ...kernel,
        async conv(p, x, w, b) {
          const y = Float64Array.from(await kernel.conv(p, x, w, b));
          y[y.length - 1]! += 1000;
          return y;
        },
      };
      const p = convProblem({ inputSize: [3, 3], kernelSize: [1, 1], outChannels: 2 });
      const outcome = await judged(broken, p, 'exact');
      expect(outcome.verdict).toBe('fail');
      expect(outcome.details).toMatch(/\[n, h, w, c\]/);
      expect(outcome.details).toMatch(/\[0, 2, 2, 1\]/);
    },
  );
});
