/**
 * npm `ml-convolution` 2.0.0 (1-D, float64 JS numbers) as two ConvKernels:
 * `directConvolution` and `fftConvolution`.
 *
 * What the library promises — its name, README ("Convolution using the FFT or
 * direct algorithm") and function names — is convolution, so the adapters
 * declare true convolution (`mode: 'convolution'`) and pass the kernel as
 * given. The library in fact computes cross-correlation (output[i] =
 * Σ_j input[i − (K−1)/2 + j]·kernel[j]); the exact phase shows it
 * (docs/results/ecosystem-js.md). No flip is added here: that would hide it.
 *
 * Borders: 'CONSTANT' (zeros outside, output as long as the input, so pads of
 * (K − 1)/2 on both sides) when the problem has exactly those pads; otherwise
 * the input is padded with zeros here and 'CUT' (the valid part) is used, which
 * is the same zero padding written out. Odd kernels only (the library refuses
 * even ones), stride 1, dilation 1, one channel per plane (plane.ts).
 */
import type { ConvKernel, ConvProblem, FloatArray } from '../../reference/index.ts';
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import { loadPeer, type PeerLoad } from './peer.ts';
import { perPlane, planeDomain, zeroPad1d } from './plane.ts';

type MlConvolution = typeof import('ml-convolution');
type Algorithm = 'direct' | 'fft';

let loaded: Promise<MlConvolution> | undefined;
function importLibrary(): Promise<MlConvolution> {
  loaded ??= import('ml-convolution');
  return loaded;
}

/** The pads of the library's 'CONSTANT' border: (K − 1)/2 on both sides. */
function constantBorder(p: ConvProblem): boolean {
  const half = (p.kernelSize[0]! - 1) / 2;
  return p.padBegin[0] === half && p.padEnd[0] === half;
}

function mlSupports(p: ConvProblem): true | string {
  const g = planeDomain(p, 'ml-convolution', [1]);
  if (typeof g === 'string') return g;
  const reasons: string[] = [];
  if (p.mode !== 'convolution') {
    reasons.push('the library promises convolution only (no cross-correlation option)');
  }
  if (p.kernelSize[0]! % 2 !== 1) reasons.push(`odd kernels only (got ${p.kernelSize[0]})`);
  if (p.stride[0] !== 1 || p.dilation[0] !== 1) reasons.push('stride 1 and dilation 1 only');
  const zeros = zeroPaddingOnly(p);
  if (zeros !== true) reasons.push(zeros);
  return reasons.length === 0 ? true : `ml-convolution: ${reasons.join('; ')}`;
}

function mlConv(algorithm: Algorithm) {
  return async (p: ConvProblem, input: FloatArray, weight: FloatArray): Promise<Float64Array> => {
    const lib = await importLibrary();
    const run = algorithm === 'direct' ? lib.directConvolution : lib.fftConvolution;
    const output = await perPlane(p, input, weight, 'float64', ({ plane, kernel }) => {
      if (constantBorder(p)) return run(plane, kernel, lib.BorderType.CONSTANT);
      return run(zeroPad1d(plane, p.padBegin[0]!, p.padEnd[0]!), kernel, lib.BorderType.CUT);
    });
    return output as Float64Array;
  };
}

/**
 * A generated problem moved into the library's domain: half of the cases (those
 * whose pads sum to an even number) get the pads of the 'CONSTANT' border, so
 * the library's own border code is checked as well as its valid part.
 *
 * @example
 * ```ts
 * fitMlConvolution({ ...p, kernelSize: [3], padBegin: [0], padEnd: [2] }).padBegin; // [1]
 * ```
 */
export function fitMlConvolution(p: ConvProblem): ConvProblem {
  const k = p.kernelSize[0];
  if (p.inputSize.length !== 1 || k === undefined || k % 2 !== 1) return p;
  if ((p.padBegin[0]! + p.padEnd[0]!) % 2 !== 0) return p;
  const half = (k - 1) / 2;
  return { ...p, padBegin: [half], padEnd: [half] };
}

/** `directConvolution` of ml-convolution 2.0.0. */
export const mlConvolutionDirectKernel: ConvKernel = {
  name: 'ml-convolution-direct',
  dtype: 'float64',
  supports: mlSupports,
  conv: mlConv('direct'),
};

/** `fftConvolution` of ml-convolution 2.0.0 (an FFT: judged by the fft model, finite data only). */
export const mlConvolutionFftKernel: ConvKernel = {
  name: 'ml-convolution-fft',
  dtype: 'float64',
  // An FFT: one NaN or ±∞ spreads over the whole plane, so the special phase cannot apply.
  finiteOnly: true,
  supports: mlSupports,
  conv: mlConv('fft'),
};

/**
 * Loads ml-convolution and returns the kernel, or why it cannot be used.
 *
 * @example
 * ```ts
 * const k = await loadMlConvolutionKernel('direct');
 * if ('unavailable' in k) console.log(`skipped: ${k.unavailable}`);
 * ```
 */
export function loadMlConvolutionKernel(algorithm: Algorithm): Promise<PeerLoad> {
  const kernel = algorithm === 'direct' ? mlConvolutionDirectKernel : mlConvolutionFftKernel;
  return loadPeer('ml-convolution', importLibrary, kernel);
}
