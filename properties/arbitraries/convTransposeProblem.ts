/**
 * The ConvTranspose-problem arbitrary, biased toward the convention bugs of
 * transposed convolution: outputPadding > 0 (half the problems whose stride or
 * dilation allows it), stride larger than the kernel (inputs that scatter into
 * disjoint windows with gaps), pads that differ at the two ends and between
 * dimensions, groups with different input and output channels per group (so a
 * swapped [inChannels, outChannels/groups] weight layout reads wrong values),
 * and dilation together with outputPadding.
 *
 * Every problem is valid by construction: outputPadding is kept below
 * max(stride, dilation) and the pads are cut so that the output is never
 * empty. Built from independent integers with one `.map`, so shrinking goes
 * toward 1 channel, size 1, kernel 1, no padding, field by field.
 */
import fc from 'fast-check';
import type { ConvTransposeProblem } from '../../reference/convTranspose.ts';
import type { ConvMode } from '../../reference/problem.ts';

/** Limits and switches for {@link convTransposeProblemArbitrary}. Every field is optional. */
export interface ConvTransposeProblemConstraints {
  /** Spatial ranks to draw from; shrinking goes toward the first. Default [1, 2, 3]. */
  dims?: readonly (1 | 2 | 3)[];
  /** Modes to draw from; shrinking goes toward the first. Default both, cross-correlation first. */
  modes?: readonly ConvMode[];
  /** Largest batch. Default 2. */
  maxBatch?: number;
  /** Largest group count. Default 3. */
  maxGroups?: number;
  /** Largest input and output channel count per group. Default 3. */
  maxChannelsPerGroup?: number;
  /** Largest input extent per dimension. Default 4. */
  maxInput?: number;
  /** Largest kernel extent per dimension. Default 3 (below the largest stride on purpose). */
  maxKernel?: number;
  /** Largest stride. Default 4. */
  maxStride?: number;
  /** Largest dilation. Default 3. */
  maxDilation?: number;
  /** Largest pad at either end. Default 3. */
  maxPad?: number;
  /** 'any' (default) or force the bias on or off. */
  bias?: 'any' | boolean;
  /** Cap on oracle cost, inputLength · (outChannels/groups) · ΠK. Default 4 000. */
  maxMacs?: number;
}

interface RawTransposeAxis {
  input: number;
  kernel: number;
  stride: number;
  dilation: number;
  padBegin: number;
  padEnd: number;
  outputPadding: number;
}

function axisArbitrary(
  c: Required<ConvTransposeProblemConstraints>,
): fc.Arbitrary<RawTransposeAxis> {
  return fc.record({
    input: fc.integer({ min: 1, max: c.maxInput }),
    kernel: fc.integer({ min: 1, max: c.maxKernel }),
    stride: fc.integer({ min: 1, max: c.maxStride }),
    dilation: fc.integer({ min: 1, max: c.maxDilation }),
    padBegin: fc.integer({ min: 0, max: c.maxPad }),
    padEnd: fc.integer({ min: 0, max: c.maxPad }),
    // Drawn wide, then cut below max(stride, dilation): nonzero whenever allowed, often.
    outputPadding: fc.integer({ min: 0, max: Math.max(c.maxStride, c.maxDilation) - 1 }),
  });
}

/** The valid axis nearest the raw one: outputPadding < max(S, D), output size ≥ 1. */
function validAxis(a: RawTransposeAxis): RawTransposeAxis {
  const outputPadding = Math.min(a.outputPadding, Math.max(a.stride, a.dilation) - 1);
  // Pads may remove all but one row of the scatter: (I−1)·S + D·(K−1) + outputPadding.
  const room = (a.input - 1) * a.stride + a.dilation * (a.kernel - 1) + outputPadding;
  const padBegin = Math.min(a.padBegin, room);
  const padEnd = Math.min(a.padEnd, room - padBegin);
  return { ...a, outputPadding, padBegin, padEnd };
}

/**
 * Valid ConvTranspose problems, 1-D to 3-D, biased toward the convention bugs.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(convTransposeProblemArbitrary({ dims: [1, 2] }), (p) => {
 *   convTransposeGeometry(p); // never throws
 * }));
 * ```
 */
export function convTransposeProblemArbitrary(
  constraints: ConvTransposeProblemConstraints = {},
): fc.Arbitrary<ConvTransposeProblem> {
  const c: Required<ConvTransposeProblemConstraints> = {
    dims: [1, 2, 3],
    modes: ['cross-correlation', 'convolution'],
    maxBatch: 2,
    maxGroups: 3,
    maxChannelsPerGroup: 3,
    maxInput: 4,
    maxKernel: 3,
    maxStride: 4,
    maxDilation: 3,
    maxPad: 3,
    bias: 'any',
    maxMacs: 4000,
    ...constraints,
  };
  return fc
    .record({
      rank: fc.constantFrom(...c.dims),
      mode: fc.constantFrom(...c.modes),
      batch: fc.integer({ min: 1, max: c.maxBatch }),
      groups: fc.integer({ min: 1, max: c.maxGroups }),
      cig: fc.integer({ min: 1, max: c.maxChannelsPerGroup }),
      cog: fc.integer({ min: 1, max: c.maxChannelsPerGroup }),
      axes: fc.tuple(axisArbitrary(c), axisArbitrary(c), axisArbitrary(c)),
      bias: c.bias === 'any' ? fc.boolean() : fc.constant(c.bias),
    })
    .map((r) => {
      const axes = r.axes.slice(0, r.rank).map(validAxis);
      let { batch, cig, cog } = r;
      // Within budget: drop batch, then channels; the spatial shape (where the bugs live) stays.
      const macs = () =>
        batch * r.groups * cig * cog * axes.reduce((v, a) => v * a.input * a.kernel, 1);
      while (macs() > c.maxMacs && batch > 1) batch--;
      while (macs() > c.maxMacs && (cig > 1 || cog > 1)) {
        if (cig >= cog) cig--;
        else cog--;
      }
      const field = (key: keyof RawTransposeAxis) => axes.map((a) => a[key]);
      return {
        mode: r.mode,
        batch,
        inChannels: r.groups * cig,
        outChannels: r.groups * cog,
        groups: r.groups,
        inputSize: field('input'),
        kernelSize: field('kernel'),
        stride: field('stride'),
        dilation: field('dilation'),
        padBegin: field('padBegin'),
        padEnd: field('padEnd'),
        outputPadding: field('outputPadding'),
        bias: r.bias,
      };
    });
}
