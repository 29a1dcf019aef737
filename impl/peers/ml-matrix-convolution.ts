/**
 * npm `ml-matrix-convolution` 2.0.0 (2-D, float64 JS numbers) as two
 * ConvKernels: `direct()` and `fft()`.
 *
 * What `direct` does, read from its source and declared as such: true
 * convolution (it reads kernel[K − 1 − j]), an output as large as the image,
 * the kernel's centre at ⌊K/2⌋, and borders that wrap around: PyTorch's
 * `padding_mode='circular'` with pads ⌊K/2⌋ before and K − 1 − ⌊K/2⌋ after,
 * stride 1, dilation 1. Its README says `fft()` gives the same result ("both
 * should be equal"), so the fft adapter declares exactly the same; where it
 * does not agree, that is the finding (docs/results/ecosystem-js.md).
 * `divisor` stays at its default 1 and `normalize` off. One channel per plane
 * (plane.ts); no bias.
 */
import type { ConvKernel, ConvProblem, FloatArray } from '../../reference/index.ts';
import { loadPeer, type PeerLoad } from './peer.ts';
import { perPlane, planeDomain, toRows } from './plane.ts';

type Algorithm = 'direct' | 'fft';
/** The library's two entry points, typed (its own .d.ts says `any`). */
interface MatrixConvolution {
  direct(input: number[][], kernel: number[][], options?: object): number[];
  fft(input: number[][], kernel: number[][], options?: object): number[];
}

let loaded: Promise<MatrixConvolution> | undefined;
function importLibrary(): Promise<MatrixConvolution> {
  loaded ??= import('ml-matrix-convolution') as Promise<MatrixConvolution>;
  return loaded;
}

/** The pads of the library's wrap-around border: ⌊K/2⌋ before, K − 1 − ⌊K/2⌋ after. */
export function wrapPads(kernelSize: readonly number[]): { padBegin: number[]; padEnd: number[] } {
  return {
    padBegin: kernelSize.map((k) => Math.floor(k / 2)),
    padEnd: kernelSize.map((k) => k - 1 - Math.floor(k / 2)),
  };
}

function matrixSupports(p: ConvProblem): true | string {
  const g = planeDomain(p, 'ml-matrix-convolution', [2]);
  if (typeof g === 'string') return g;
  const reasons: string[] = [];
  if (p.mode !== 'convolution')
    reasons.push('true convolution only (the library flips the kernel)');
  if (p.stride.some((s) => s !== 1) || p.dilation.some((d) => d !== 1)) {
    reasons.push('stride 1 and dilation 1 only');
  }
  const pads = wrapPads(p.kernelSize);
  const samePads =
    pads.padBegin.every((v, d) => p.padBegin[d] === v) &&
    pads.padEnd.every((v, d) => p.padEnd[d] === v);
  if (!samePads) {
    reasons.push(
      `output as large as the image: pads [${pads.padBegin.join(', ')}] before and [${pads.padEnd.join(', ')}] after`,
    );
  }
  const anyPad = [...p.padBegin, ...p.padEnd].some((v) => v > 0);
  if (anyPad && p.paddingMode !== 'circular') {
    reasons.push(
      `borders wrap around: paddingMode 'circular' only (got '${p.paddingMode ?? 'zeros'}')`,
    );
  }
  return reasons.length === 0 ? true : `ml-matrix-convolution: ${reasons.join('; ')}`;
}

function matrixConv(algorithm: Algorithm) {
  return async (p: ConvProblem, input: FloatArray, weight: FloatArray): Promise<Float64Array> => {
    const lib = await importLibrary();
    const [rows, cols] = p.inputSize as [number, number];
    const [kRows, kCols] = p.kernelSize as [number, number];
    const output = await perPlane(p, input, weight, 'float64', ({ plane, kernel }) =>
      lib[algorithm](toRows(plane, rows, cols), toRows(kernel, kRows, kCols)),
    );
    return output as Float64Array;
  };
}

/**
 * A generated 2-D problem moved into the library's domain: true convolution,
 * circular padding with the library's pads; unchanged when those pads would be
 * invalid (then `supports` declines it with the reason).
 *
 * @example
 * ```ts
 * fitMatrixConvolution(p).paddingMode; // 'circular'
 * ```
 */
export function fitMatrixConvolution(p: ConvProblem): ConvProblem {
  if (p.inputSize.length !== 2) return p;
  const pads = wrapPads(p.kernelSize);
  // PyTorch's circular rule: a pad may not wrap around more than once.
  const fits = p.inputSize.every((i, d) => pads.padBegin[d]! <= i && pads.padEnd[d]! <= i);
  if (!fits) return p;
  return { ...p, mode: 'convolution', paddingMode: 'circular', ...pads };
}

/** `direct()` of ml-matrix-convolution 2.0.0. */
export const matrixConvolutionDirectKernel: ConvKernel = {
  name: 'ml-matrix-convolution-direct',
  dtype: 'float64',
  supports: matrixSupports,
  conv: matrixConv('direct'),
};

/** `fft()` of ml-matrix-convolution 2.0.0 (an FFT: judged by the fft model, finite data only). */
export const matrixConvolutionFftKernel: ConvKernel = {
  name: 'ml-matrix-convolution-fft',
  dtype: 'float64',
  supports: matrixSupports,
  conv: matrixConv('fft'),
};

/**
 * Loads ml-matrix-convolution and returns the kernel, or why it cannot be used.
 *
 * @example
 * ```ts
 * const k = await loadMatrixConvolutionKernel('fft');
 * ```
 */
export function loadMatrixConvolutionKernel(algorithm: Algorithm): Promise<PeerLoad> {
  const kernel =
    algorithm === 'direct' ? matrixConvolutionDirectKernel : matrixConvolutionFftKernel;
  return loadPeer('ml-matrix-convolution', importLibrary, kernel);
}
