/**
 * The FFT bound model: a convolution computed through radix-2 FFTs passes it
 * on every generated problem (1-D, batch, channels, groups, bias, stride,
 * dilation, padding), and the same FFT with twiddles rounded to float16, or
 * with its output read one place off, fails it. The correct FFT fails the
 * dot-product model: the new model is needed, not a loosened old one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundToHalf } from '../../reference/float16.ts';
import { convGeometry } from '../../reference/geometry.ts';
import type { ConvKernel, ConvProblem } from '../../reference/problem.ts';
import { convProblem } from '../../reference/testing.ts';
import { convProblemArbitrary } from '../arbitraries/convProblem.ts';
import { currentPropertyConfig } from '../config.ts';
import { fft } from '../crosscheck/fft.ts';
import { materializeConvCase } from '../data.ts';
import { runAndJudge } from '../judge/run.ts';
import { fftCoefficient, fftLevelError } from './fft.ts';

/**
 * A 1-D convolution through FFTs of the zero-padded plane: full linear
 * product per channel pair, summed in the spectrum, one inverse FFT, then the
 * strided, dilated outputs read off. `shift` reads every output that many places off.
 */
function fftKernel(name: string, twiddle: (v: number) => number, shift = 0): ConvKernel {
  return {
    name,
    dtype: 'float64',
    finiteOnly: true,
    supports: (p) =>
      p.inputSize.length === 1 && (p.paddingMode ?? 'zeros') === 'zeros'
        ? true
        : '1-D, zero padding',
    conv(p: ConvProblem, x, w, b) {
      const g = convGeometry(p);
      const [I] = p.inputSize as [number];
      const [K] = p.kernelSize as [number];
      const [D] = p.dilation as [number];
      const [S] = p.stride as [number];
      const padded = I + p.padBegin[0]! + p.padEnd[0]!;
      let n = 1;
      while (n < padded + (K - 1) * D) n *= 2;
      const y = new Float64Array(g.outputLength);
      const [O] = g.outputSize as [number];
      for (let batch = 0; batch < p.batch; batch++) {
        for (let oc = 0; oc < p.outChannels; oc++) {
          const re = new Float64Array(n);
          const im = new Float64Array(n);
          const group = Math.floor(oc / g.outChannelsPerGroup);
          for (let ci = 0; ci < g.inChannelsPerGroup; ci++) {
            const ar = new Float64Array(n);
            const ai = new Float64Array(n);
            const plane = (batch * p.inChannels + group * g.inChannelsPerGroup + ci) * I;
            for (let i = 0; i < I; i++) ar[p.padBegin[0]! + i] = x[plane + i]!;
            // Correlation = convolution with the reversed (dilated) kernel.
            const br = new Float64Array(n);
            const bi = new Float64Array(n);
            for (let k = 0; k < K; k++) {
              const tap = p.mode === 'convolution' ? k : K - 1 - k;
              br[tap * D] = w[(oc * g.inChannelsPerGroup + ci) * K + k]!;
            }
            fft(ar, ai, false, twiddle);
            fft(br, bi, false, twiddle);
            for (let f = 0; f < n; f++) {
              re[f]! += ar[f]! * br[f]! - ai[f]! * bi[f]!;
              im[f]! += ar[f]! * bi[f]! + ai[f]! * br[f]!;
            }
          }
          fft(re, im, true, twiddle);
          for (let o = 0; o < O; o++) {
            const m = Math.min(n - 1, o * S + (K - 1) * D + shift);
            y[(batch * p.outChannels + oc) * O + o] = re[m]! / n + (b ? b[oc]! : 0);
          }
        }
      }
      return y;
    },
  };
}

const correct = fftKernel('fft-correct', (v) => v);
const halfTwiddles = fftKernel('fft-float16-twiddles', (v) => roundToHalf(v, 'float16'));
const offByOne = fftKernel('fft-off-by-one', (v) => v, 1);

// The FFT kernels here pad with zeros only.
const problems = convProblemArbitrary({ dims: [1], maxMacs: 4000, paddingModes: ['zeros'] });
const seed = currentPropertyConfig().seed;

async function verdict(
  kernel: ConvKernel,
  p: ConvProblem,
  model: 'fft' | 'dot-product',
  dataSeed: number,
) {
  const operands = materializeConvCase({ problem: p, data: 'real', dataSeed }, 'float64');
  return runAndJudge(kernel, {
    problem: p,
    operands,
    model: { kind: model },
    data: 'real',
    source: 'stored',
  });
}

describe('the FFT bound model', () => {
  it('passes a correct FFT convolution on generated 1-D problems', async () => {
    await fc.assert(
      fc.asyncProperty(problems, fc.nat(1000), async (p, dataSeed) => {
        expect((await verdict(correct, p, 'fft', dataSeed)).verdict).toBe('pass');
      }),
      { seed, numRuns: 30 },
    );
  });

  it('fails the same FFT with float16 twiddles, and one whose outputs are read one place off', async () => {
    const p = convProblem({
      inputSize: [40],
      kernelSize: [5],
      inChannels: 2,
      outChannels: 3,
      padBegin: [2],
      padEnd: [2],
      bias: true,
    });
    expect((await verdict(correct, p, 'fft', 7)).verdict).toBe('pass');
    const half = await verdict(halfTwiddles, p, 'fft', 7);
    expect(half.verdict).toBe('fail');
    expect(half.message).toMatch(/exceed the fft bound/);
    expect((await verdict(offByOne, p, 'fft', 7)).verdict).toBe('fail');
  });

  it('a correct FFT does not meet the dot-product bound: it is judged by its own model', async () => {
    const p = convProblem({ inputSize: [200], kernelSize: [31], mode: 'convolution' });
    // Small outputs amid large ones: the FFT's norm-wise error exceeds the per-element Σ|x·w| bound.
    const operands = materializeConvCase({ problem: p, data: 'real', dataSeed: 3 }, 'float64');
    for (let i = 0; i < 200; i += 2) operands.input[i] = operands.input[i]! * 1e6;
    const judge = (model: 'fft' | 'dot-product') =>
      runAndJudge(correct, {
        problem: p,
        operands,
        model: { kind: model },
        data: 'real',
        source: 'stored',
      });
    expect((await judge('fft')).verdict).toBe('pass');
    expect((await judge('dot-product')).verdict).toBe('fail');
  });

  it('its constants: ε grows with log2 N, and c with the channels summed', () => {
    const u = 2 ** -53;
    expect(fftLevelError(20, u)).toBeCloseTo(2 * fftLevelError(10, u), 20);
    const one = convProblem({ inputSize: [16], kernelSize: [3] });
    expect(fftCoefficient({ ...one, inChannels: 64 }, 'float32')).toBeGreaterThan(
      fftCoefficient(one, 'float32'),
    );
  });
});
