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
import {
  type QuantizedCaseConstraints,
  TORCH_QLINEAR_CONSTRAINTS,
} from '../../properties/quantized/case.ts';
import { type ConvProblem, convGeometry } from '../../reference/index.ts';

/** A built-in peer's domain. */
export interface BuiltinDomain {
  constraints: Partial<ConvProblemConstraints>;
  /** Moves a generated problem into the library's border convention (pure; shrinks through it). */
  fitProblem?: (p: ConvProblem) => ConvProblem;
  /** The built-in's own bound model when not the default: 'fft' for the FFT adapters. */
  tolerance?: 'fft';
  /** Where its quantized cases are generated (types, modes, ranks), for a quantized built-in. */
  quantized?: QuantizedCaseConstraints;
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

/** One 2-D plane, one kernel, stride 1, dilation 1: scipy.signal's and OpenCV's domain. */
const ONE_PLANE: Partial<ConvProblemConstraints> = {
  maxBatch: 1,
  allowGroups: false,
  maxChannelsPerGroup: 1,
  maxStride: 1,
  maxDilation: 1,
  networkLayers: false,
};

/**
 * A generated 2-D problem moved onto cv2.filter2D's output, the size of the
 * input: pads ⌊(K − 1)/2⌋ before (OpenCV's default anchor, the kernel centre)
 * and the rest after; its padding mode is kept (the border type). Unchanged
 * when those pads are not valid for the mode (then the client declines it).
 *
 * @example
 * ```ts
 * fitSameSize(p).padBegin; // [1, 1] for a 3×3 kernel
 * ```
 */
export function fitSameSize(p: ConvProblem): ConvProblem {
  if (p.inputSize.length !== 2) return p;
  const begin = p.kernelSize.map((k) => Math.floor((k - 1) / 2));
  const fitted = {
    ...p,
    padBegin: begin,
    padEnd: p.kernelSize.map((k, d) => k - 1 - begin[d]!),
  };
  try {
    convGeometry(fitted);
  } catch {
    return p;
  }
  return fitted;
}

/** The domains of the built-ins that have one, by built-in name. */
export const BUILTIN_DOMAINS: Readonly<Record<string, BuiltinDomain>> = {
  // scipy.signal.correlate2d / convolve2d: one 2-D plane, one kernel, stride 1.
  scipy: { constraints: { ...ONE_PLANE, dims: [2] } },
  'scipy-f32': { constraints: { ...ONE_PLANE, dims: [2] } },
  // scipy.signal.correlate / convolve(method='fft'): any rank, judged by the FFT bound.
  'scipy-fft': { constraints: ONE_PLANE, tolerance: 'fft' },
  // cv2.filter2D: cross-correlation, output the size of the input, border type = padding mode.
  cv2: {
    constraints: { ...ONE_PLANE, dims: [2], modes: ['cross-correlation'] },
    fitProblem: fitSameSize,
  },
  'ml-convolution-direct': mlConvolution,
  'ml-convolution-fft': { ...mlConvolution, tolerance: 'fft' },
  'ml-matrix-convolution-direct': matrixConvolution,
  'ml-matrix-convolution-fft': { ...matrixConvolution, tolerance: 'fft' },
  'thing-pixel-convolve': {
    constraints: { ...PLANES, dims: [2], modes: ['cross-correlation'], maxDilation: 1 },
    fitProblem: fitThing,
  },
  // onnxruntime's CPU kernels: cross-correlation, y of x's type, no int8 x with uint8 w.
  'ort-int8': {
    constraints: {},
    quantized: {
      modes: ['cross-correlation'],
      yType: 'x',
      types: [
        ['uint8', 'int8'],
        ['uint8', 'uint8'],
        ['int8', 'int8'],
      ],
    },
  },
  // PyTorch's quantized conv2d: quint8 x and y, qint8 w, 2-D cross-correlation, no bias.
  'torch-int8-qnnpack': { constraints: {}, quantized: TORCH_QLINEAR_CONSTRAINTS },
  'torch-int8-onednn': { constraints: {}, quantized: TORCH_QLINEAR_CONSTRAINTS },
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
