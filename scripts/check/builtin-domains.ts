/**
 * Where the built-in peers work, so that generated cases land inside their
 * domain: generator constraints, and for libraries whose borders are fixed by
 * the kernel size (a "same"-size output, clamped or wrapped borders) a `fit`
 * that moves each generated problem onto the pads and padding mode the
 * library computes. Fitting only chooses which problems are asked; the
 * library's answer is judged against the oracle like any other.
 */

import { fitConvnet } from '../../impl/peers/convnetjs.ts';
import { fitMlConvolution } from '../../impl/peers/ml-convolution.ts';
import { fitMatrixConvolution } from '../../impl/peers/ml-matrix-convolution.ts';
import { fitThing } from '../../impl/peers/thing-pixel-convolve.ts';
import type { ConvProblemConstraints } from '../../properties/arbitraries/convProblem.ts';
import type { ConvProblem } from '../../reference/index.ts';

/** A built-in peer's domain. */
export interface BuiltinDomain {
  constraints: Partial<ConvProblemConstraints>;
  /** Moves a generated problem into the library's border convention (pure; shrinks through it). */
  fitProblem?: (p: ConvProblem) => ConvProblem;
  /** The built-in's own bound model when not the default: 'fft' for the FFT adapters. */
  tolerance?: 'fft';
}

/** One image with one kernel per output plane, no bias (impl/peers/plane.ts). */
const PLANES: Partial<ConvProblemConstraints> = {
  maxChannelsPerGroup: 1,
  bias: false,
  networkLayers: false,
};

const ODD_KERNELS = [1, 3, 5, 7, 9, 11, 13, 15];

const mlConvolution: BuiltinDomain = {
  constraints: {
    ...PLANES,
    dims: [1],
    modes: ['convolution'],
    paddingModes: ['zeros'],
    kernelSizes: ODD_KERNELS,
    maxStride: 1,
    maxDilation: 1,
  },
  fitProblem: fitMlConvolution,
};

const matrixConvolution: BuiltinDomain = {
  constraints: { ...PLANES, dims: [2], modes: ['convolution'], maxStride: 1, maxDilation: 1 },
  fitProblem: fitMatrixConvolution,
};

/** The domains of the built-ins that have one, by built-in name. */
export const BUILTIN_DOMAINS: Readonly<Record<string, BuiltinDomain>> = {
  // scipy.signal.correlate2d / convolve2d: one 2-D plane, one kernel, stride 1.
  scipy: {
    constraints: {
      dims: [2],
      maxBatch: 1,
      allowGroups: false,
      maxChannelsPerGroup: 1,
      maxStride: 1,
      maxDilation: 1,
      networkLayers: false,
    },
  },
  'ml-convolution-direct': mlConvolution,
  'ml-convolution-fft': { ...mlConvolution, tolerance: 'fft' },
  'ml-matrix-convolution-direct': matrixConvolution,
  'ml-matrix-convolution-fft': { ...matrixConvolution, tolerance: 'fft' },
  'thing-pixel-convolve': {
    constraints: { ...PLANES, dims: [2], modes: ['cross-correlation'], maxDilation: 1 },
    fitProblem: fitThing,
  },
  convnetjs: {
    constraints: {
      dims: [2],
      modes: ['cross-correlation'],
      paddingModes: ['zeros'],
      allowGroups: false,
      maxDilation: 1,
      networkLayers: false,
    },
    fitProblem: fitConvnet,
  },
};
