/**
 * The attributes of a convolution reduce to the plain stride-1, undilated,
 * unpadded convolution: a dilated kernel is a kernel with zeros inserted, a
 * strided convolution is a subsampled stride-1 one, and padding is the
 * convolution of the explicitly zero-padded input.
 */
import fc from 'fast-check';
import { convGeometry } from '../../reference/geometry.ts';
import type { ConvKernel, ConvProblem } from '../../reference/problem.ts';
import { runKernel } from '../kernels.ts';
import { embed, extract } from '../tensor.ts';
import {
  assertSameTensor,
  caseOperands,
  type LawCase,
  type LawOptions,
  type LawProperty,
  lawCaseArbitrary,
  lawConstraints,
  oracleKernel,
} from './support.ts';

/** A law comparing the kernel on the problem with the kernel on a rewritten problem and operands. */
function rewriteLaw(
  name: string,
  kernel: ConvKernel,
  arbitrary: fc.Arbitrary<LawCase>,
  rewrite: (
    p: ConvProblem,
    operands: { input: Float64Array; weight: Float64Array; bias?: Float64Array },
  ) => Promise<Float64Array>,
): LawProperty {
  return fc.asyncProperty(arbitrary, async (c) => {
    const { g, ...operands } = caseOperands(c);
    const lhs = await runKernel(kernel, c.problem, operands.input, operands.weight, operands.bias);
    assertSameTensor(name, c.problem, lhs, await rewrite(c.problem, operands));
  });
}

/**
 * conv with dilation D = conv with dilation 1 and the kernel spread out with
 * D − 1 zeros between taps (size D·(K−1)+1).
 *
 * @example
 * ```ts
 * await fc.assert(dilationLaw(im2colKernel));
 * ```
 */
export function dilationLaw(kernel: ConvKernel = oracleKernel, options?: LawOptions): LawProperty {
  return rewriteLaw(
    'dilated convolution = convolution with a zero-inserted kernel',
    kernel,
    lawCaseArbitrary(lawConstraints(options)),
    (p, { input, weight, bias }) => {
      const g = convGeometry(p);
      const spread: ConvProblem = {
        ...p,
        dilation: p.dilation.map(() => 1),
        kernelSize: [...g.effectiveKernel],
      };
      const zeroInserted = embed(
        weight,
        g.weightShape,
        [g.outChannels, g.inChannelsPerGroup, ...g.effectiveKernel],
        g.weightShape.map(() => 0),
        [1, 1, ...g.dilation],
      );
      return runKernel(kernel, spread, input, zeroInserted, bias);
    },
  );
}

/**
 * conv with stride S = the stride-1 conv sampled at every S-th output.
 *
 * @example
 * ```ts
 * await fc.assert(strideLaw(im2colKernel));
 * ```
 */
export function strideLaw(kernel: ConvKernel = oracleKernel, options?: LawOptions): LawProperty {
  return rewriteLaw(
    'strided convolution = subsampled stride-1 convolution',
    kernel,
    lawCaseArbitrary(lawConstraints(options)),
    async (p, { input, weight, bias }) => {
      const g = convGeometry(p);
      const dense: ConvProblem = { ...p, stride: p.stride.map(() => 1) };
      const full = await runKernel(kernel, dense, input, weight, bias);
      return extract(
        full,
        convGeometry(dense).outputShape,
        g.outputShape,
        g.outputShape.map(() => 0),
        [1, 1, ...g.stride],
      );
    },
  );
}

/**
 * conv with pads (Pb, Pe) = the unpadded conv of the input surrounded by Pb
 * zeros before and Pe after on every axis.
 *
 * @example
 * ```ts
 * await fc.assert(paddingLaw(im2colKernel));
 * ```
 */
export function paddingLaw(kernel: ConvKernel = oracleKernel, options?: LawOptions): LawProperty {
  return rewriteLaw(
    'padded convolution = convolution of the zero-padded input',
    kernel,
    // The other modes have their own law (paddingModes.ts).
    lawCaseArbitrary(lawConstraints(options, { paddingModes: ['zeros'] })),
    (p, { input, weight, bias }) => {
      const g = convGeometry(p);
      const paddedSize = g.inputSize.map((s, d) => s + g.padBegin[d]! + g.padEnd[d]!);
      const unpadded: ConvProblem = {
        ...p,
        inputSize: paddedSize,
        padBegin: p.padBegin.map(() => 0),
        padEnd: p.padEnd.map(() => 0),
      };
      const padded = embed(
        input,
        g.inputShape,
        [g.batch, g.inChannels, ...paddedSize],
        [0, 0, ...g.padBegin],
        g.inputShape.map(() => 1),
      );
      return runKernel(kernel, unpadded, padded, weight, bias);
    },
  );
}
