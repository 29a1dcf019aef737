/**
 * The benchmark layers of the kernels issue: batch 1, float32, cross-correlation.
 */
import type { ConvProblem } from '../../../reference/index.ts';

/** One benchmark layer. */
export interface BenchShape {
  /** Short id used by `--shapes` and in the JSON ('a'…'f'). */
  id: string;
  /** How the issue names the layer. */
  layer: string;
  problem: ConvProblem;
}

interface Layer {
  inChannels: number;
  outChannels: number;
  groups?: number;
  size: number;
  kernel: number;
  stride?: number;
  dilation?: number;
  pad?: number;
}

/** A square 2-D layer with symmetric padding. */
function square(l: Layer): ConvProblem {
  const two = (v: number) => [v, v];
  return {
    mode: 'cross-correlation',
    batch: 1,
    inChannels: l.inChannels,
    outChannels: l.outChannels,
    groups: l.groups ?? 1,
    inputSize: two(l.size),
    kernelSize: two(l.kernel),
    stride: two(l.stride ?? 1),
    dilation: two(l.dilation ?? 1),
    padBegin: two(l.pad ?? 0),
    padEnd: two(l.pad ?? 0),
    bias: false,
  };
}

/**
 * Shapes a–f.
 *
 * @example
 * ```ts
 * benchShapes.find((s) => s.id === 'a')?.problem.inChannels; // 64
 * ```
 */
export const benchShapes: readonly BenchShape[] = [
  {
    id: 'a',
    layer: '64→64, 56×56, 3×3, s1 p1',
    problem: square({ inChannels: 64, outChannels: 64, size: 56, kernel: 3, pad: 1 }),
  },
  {
    id: 'b',
    layer: '256→256, 14×14, 3×3, s1 p1',
    problem: square({ inChannels: 256, outChannels: 256, size: 14, kernel: 3, pad: 1 }),
  },
  {
    id: 'c',
    layer: '3→64, 224×224, 7×7, s2 p3',
    problem: square({ inChannels: 3, outChannels: 64, size: 224, kernel: 7, stride: 2, pad: 3 }),
  },
  {
    id: 'd',
    layer: '256→64, 56×56, 1×1',
    problem: square({ inChannels: 256, outChannels: 64, size: 56, kernel: 1 }),
  },
  {
    id: 'e',
    layer: 'depthwise 128, 56×56, 3×3, p1',
    problem: square({
      inChannels: 128,
      outChannels: 128,
      groups: 128,
      size: 56,
      kernel: 3,
      pad: 1,
    }),
  },
  {
    id: 'f',
    layer: '32→32, 64×64, 3×3, dilation 2, p2',
    problem: square({ inChannels: 32, outChannels: 32, size: 64, kernel: 3, dilation: 2, pad: 2 }),
  },
];
