/**
 * Problems and data shared by the peer adapters' tests: a handful of layers
 * covering stride, dilation, asymmetric pads, groups, depthwise, bias, both
 * modes, batch 2, and 1-D and 3-D.
 */

import {
  type ConvGeometry,
  type ConvProblem,
  convGeometry,
  formatDescriptor,
} from '../../reference/index.ts';
import { randomInteger, seededRandom } from '../../reference/random.ts';

/** A problem with the data to run it on. */
export interface PeerCase {
  name: string;
  problem: ConvProblem;
}

/**
 * A 2-D problem (batch 2, 3→4 channels, 8×9, 3×3, pad 1, bias) with overrides.
 *
 * @example
 * ```ts
 * peerProblem({ stride: [2, 2], bias: false });
 * ```
 */
export function peerProblem(overrides: Partial<ConvProblem>): ConvProblem {
  return {
    mode: 'cross-correlation',
    batch: 2,
    inChannels: 3,
    outChannels: 4,
    groups: 1,
    inputSize: [8, 9],
    kernelSize: [3, 3],
    stride: [1, 1],
    dilation: [1, 1],
    padBegin: [1, 1],
    padEnd: [1, 1],
    bias: true,
    ...overrides,
  };
}

/**
 * The cases every adapter runs (when it supports them).
 *
 * @example
 * ```ts
 * for (const { name, problem } of peerCases) it(name, () => check(problem));
 * ```
 */
export const peerCases: readonly PeerCase[] = [
  { name: '3x3 pad 1, bias', problem: peerProblem({}) },
  {
    name: 'true convolution, stride 2, asymmetric pads, 3x2 kernel',
    problem: peerProblem({
      mode: 'convolution',
      kernelSize: [3, 2],
      stride: [2, 2],
      padBegin: [0, 2],
      padEnd: [2, 0],
      bias: false,
    }),
  },
  {
    name: 'dilation 2, true convolution, bias',
    problem: peerProblem({
      mode: 'convolution',
      dilation: [2, 2],
      padBegin: [2, 1],
      padEnd: [1, 2],
    }),
  },
  {
    name: 'depthwise, multiplier 2, asymmetric pads',
    problem: peerProblem({
      inChannels: 4,
      outChannels: 8,
      groups: 4,
      padBegin: [0, 1],
      padEnd: [2, 0],
    }),
  },
  {
    name: 'depthwise, stride 2, true convolution',
    problem: peerProblem({
      mode: 'convolution',
      inChannels: 5,
      outChannels: 5,
      groups: 5,
      stride: [2, 2],
    }),
  },
  {
    name: 'grouped, groups 2',
    problem: peerProblem({ inChannels: 4, outChannels: 6, groups: 2 }),
  },
  {
    name: 'stride (2, 1) with dilation (1, 2)',
    problem: peerProblem({ stride: [2, 1], dilation: [1, 2], padBegin: [1, 2], padEnd: [1, 2] }),
  },
  {
    name: 'depthwise, stride (2, 1) with dilation (1, 2)',
    problem: peerProblem({
      inChannels: 3,
      outChannels: 3,
      groups: 3,
      stride: [2, 1],
      dilation: [1, 2],
      padBegin: [1, 2],
      padEnd: [1, 2],
    }),
  },
  {
    name: '1x1, pads larger than the kernel',
    problem: peerProblem({ kernelSize: [1, 1], padBegin: [2, 0], padEnd: [0, 3], bias: false }),
  },
  {
    name: '1-D, stride 2, asymmetric pads',
    problem: peerProblem({
      inputSize: [11],
      kernelSize: [3],
      stride: [2],
      dilation: [1],
      padBegin: [1],
      padEnd: [2],
    }),
  },
  {
    name: '3-D, true convolution, stride 2',
    problem: peerProblem({
      mode: 'convolution',
      inChannels: 2,
      outChannels: 3,
      inputSize: [4, 5, 6],
      kernelSize: [2, 3, 2],
      stride: [1, 2, 1],
      dilation: [1, 1, 1],
      padBegin: [1, 0, 1],
      padEnd: [0, 1, 1],
    }),
  },
  {
    name: '3-D, dilation 2, asymmetric pads',
    problem: peerProblem({
      inChannels: 2,
      outChannels: 2,
      inputSize: [5, 4, 6],
      kernelSize: [2, 2, 3],
      stride: [1, 1, 1],
      dilation: [2, 1, 2],
      padBegin: [0, 1, 2],
      padEnd: [1, 0, 0],
      bias: false,
    }),
  },
  {
    name: '3-D, grouped',
    problem: peerProblem({
      inChannels: 4,
      outChannels: 2,
      groups: 2,
      inputSize: [3, 4, 4],
      kernelSize: [2, 2, 2],
      stride: [1, 1, 1],
      dilation: [1, 1, 1],
      padBegin: [0, 1, 0],
      padEnd: [1, 0, 0],
    }),
  },
];

/** Test data of one case, float32. */
export interface PeerData {
  input: Float32Array;
  weight: Float32Array;
  bias: Float32Array | undefined;
}

/**
 * Data for a problem, seeded (the project's mulberry32, so a failure replays
 * from the case name alone): 'uniform' draws float32 values in [−1, 1);
 * 'integer' draws integers in [−4, 4], whose products and partial sums stay far
 * below 2^24 for these cases, so any summation order is exact.
 *
 * @example
 * ```ts
 * const { input, weight, bias } = peerData(p, 'integer', 7);
 * ```
 */
export function peerData(p: ConvProblem, kind: 'uniform' | 'integer', seed: number): PeerData {
  const g: ConvGeometry = convGeometry(p);
  const random = seededRandom(seed);
  const value = kind === 'uniform' ? () => random() * 2 - 1 : () => randomInteger(random, -4, 4);
  const fill = (length: number) => Float32Array.from({ length }, value);
  return {
    input: fill(g.inputLength),
    weight: fill(g.weightLength),
    bias: p.bias ? fill(g.outChannels) : undefined,
  };
}

/**
 * A test title naming the case and its descriptor, so a failure can be replayed.
 *
 * @example
 * ```ts
 * caseTitle(peerCases[0]); // '3x3 pad 1, bias — xcorr:mb2g1ic3oc4_…'
 * ```
 */
export function caseTitle(c: PeerCase): string {
  return `${c.name} — ${formatDescriptor(c.problem)}`;
}
