/**
 * How channels combine: a 1×1 convolution is a matrix product over channels,
 * a multi-channel convolution is the sum of single-channel ones (the seed's
 * "one kernel with C channels, results summed"), and a grouped convolution is
 * the concatenation of independent convolutions.
 */
import fc from 'fast-check';
import { convGeometry, lift3 } from '../../reference/geometry.ts';
import type { ConvKernel, ConvProblem } from '../../reference/problem.ts';
import { runKernel } from '../kernels.ts';
import { placeAxis, sliceAxis } from '../tensor.ts';
import {
  assertSameTensor,
  caseOperands,
  type LawOptions,
  type LawProperty,
  lawCaseArbitrary,
  lawConstraints,
  oracleKernel,
} from './support.ts';

/**
 * A 1×1 convolution is, at every output position, the matrix product of the
 * [Cout, Cin] weight with the input's channel vector at o·S − Pb (zero in the
 * padding), plus the bias. The right side is computed here by plain loops.
 *
 * @example
 * ```ts
 * await fc.assert(pointwiseMatmulLaw(im2colKernel));
 * ```
 */
export function pointwiseMatmulLaw(
  kernel: ConvKernel = oracleKernel,
  options?: LawOptions,
): LawProperty {
  const constraints = lawConstraints(options, {
    kernelSizes: [1],
    allowGroups: false,
    maxDilation: 1,
    // The right side reads zeros in the padding.
    paddingModes: ['zeros'],
  });
  return fc.asyncProperty(lawCaseArbitrary(constraints), async (c) => {
    const { g, input, weight, bias } = caseOperands(c);
    const lhs = await runKernel(kernel, c.problem, input, weight, bias);
    const size = lift3(g.inputSize, 1);
    const out = lift3(g.outputSize, 1);
    const stride = lift3(g.stride, 1);
    const pad = lift3(g.padBegin, 0);
    const rhs = new Float64Array(g.outputLength);
    let index = 0;
    for (let n = 0; n < g.batch; n++) {
      for (let oc = 0; oc < g.outChannels; oc++) {
        for (let od = 0; od < out[0]; od++) {
          for (let oh = 0; oh < out[1]; oh++) {
            for (let ow = 0; ow < out[2]; ow++, index++) {
              const at = [
                od * stride[0] - pad[0],
                oh * stride[1] - pad[1],
                ow * stride[2] - pad[2],
              ];
              let sum = bias ? bias[oc]! : 0;
              if (at.every((v, a) => v >= 0 && v < size[a]!)) {
                for (let ci = 0; ci < g.inChannels; ci++) {
                  const x =
                    input[
                      (((n * g.inChannels + ci) * size[0] + at[0]!) * size[1] + at[1]!) * size[2] +
                        at[2]!
                    ]!;
                  sum += weight[oc * g.inChannels + ci]! * x;
                }
              }
              rhs[index] = sum;
            }
          }
        }
      }
    }
    assertSameTensor('1×1 convolution = matrix product over channels', c.problem, lhs, rhs);
  });
}

/**
 * A convolution over C input channels (groups 1) equals the sum over channels
 * of the single-channel convolutions conv(x[:, c], w[:, c]), plus the bias.
 *
 * @example
 * ```ts
 * await fc.assert(channelSumLaw(im2colKernel));
 * ```
 */
export function channelSumLaw(
  kernel: ConvKernel = oracleKernel,
  options?: LawOptions,
): LawProperty {
  return fc.asyncProperty(
    lawCaseArbitrary(lawConstraints(options, { allowGroups: false })),
    async (c) => {
      const { g, input, weight, bias } = caseOperands(c);
      const lhs = await runKernel(kernel, c.problem, input, weight, bias);
      const single: ConvProblem = { ...c.problem, inChannels: 1, bias: false };
      const rhs = new Float64Array(g.outputLength);
      for (let ci = 0; ci < g.inChannels; ci++) {
        const x = sliceAxis(input, g.inputShape, 1, ci, 1);
        const w = sliceAxis(weight, g.weightShape, 1, ci, 1);
        const part = await runKernel(kernel, single, x, w);
        for (let i = 0; i < rhs.length; i++) rhs[i]! += part[i]!;
      }
      if (bias) {
        for (let i = 0; i < rhs.length; i++)
          rhs[i]! += bias[Math.floor(i / g.outputVolume) % g.outChannels]!;
      }
      assertSameTensor(
        'multi-channel convolution = sum of single-channel ones',
        c.problem,
        lhs,
        rhs,
      );
    },
  );
}

/**
 * A grouped convolution equals the concatenation, along output channels, of G
 * independent convolutions of each group's input channels with its filters.
 * Problems drawn with groups = 1 are doubled into two groups.
 *
 * @example
 * ```ts
 * await fc.assert(groupConcatLaw(im2colKernel));
 * ```
 */
export function groupConcatLaw(
  kernel: ConvKernel = oracleKernel,
  options?: LawOptions,
): LawProperty {
  const arbitrary = lawCaseArbitrary(lawConstraints(options)).map((c) =>
    c.problem.groups > 1
      ? c
      : {
          ...c,
          problem: {
            ...c.problem,
            groups: 2,
            inChannels: 2 * c.problem.inChannels,
            outChannels: 2 * c.problem.outChannels,
          },
        },
  );
  return fc.asyncProperty(arbitrary, async (c) => {
    const { g, input, weight, bias } = caseOperands(c);
    const lhs = await runKernel(kernel, c.problem, input, weight, bias);
    const cig = g.inChannelsPerGroup;
    const cog = g.outChannelsPerGroup;
    const group: ConvProblem = { ...c.problem, groups: 1, inChannels: cig, outChannels: cog };
    const gg = convGeometry(group);
    let rhs = new Float64Array(g.outputLength);
    for (let k = 0; k < g.groups; k++) {
      const x = sliceAxis(input, g.inputShape, 1, k * cig, cig);
      const w = sliceAxis(weight, g.weightShape, 0, k * cog, cog);
      const b = bias?.subarray(k * cog, (k + 1) * cog);
      const part = await runKernel(kernel, group, x, w, b);
      const placed = placeAxis(part, gg.outputShape, g.outputShape, 1, k * cog);
      rhs = rhs.map((v, i) => v + placed[i]!);
    }
    assertSameTensor(
      'grouped convolution = concatenation of independent ones',
      c.problem,
      lhs,
      rhs,
    );
  });
}
