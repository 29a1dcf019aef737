/**
 * Translation equivariance at stride 1: shifting the input by s shifts the
 * output by s, wherever no data was shifted out of a window the output reads.
 */
import fc from 'fast-check';
import { convGeometry, lift3 } from '../../reference/geometry.ts';
import type { ConvKernel } from '../../reference/problem.ts';
import { runKernel } from '../kernels.ts';
import {
  assertSameTensor,
  integerOperands,
  type LawOptions,
  type LawProperty,
  lawCaseArbitrary,
  lawConstraints,
  oracleKernel,
  safeRange,
} from './support.ts';

/**
 * conv(shift_s x)[o] = conv(x)[o − s] for every output o whose taps see, in the
 * shifted input, everything they see in the original (the "interior"). The
 * shift is drawn per axis in [−3, 3]; strides are 1, dilation and pads any.
 *
 * @example
 * ```ts
 * await fc.assert(translationLaw(im2colKernel));
 * ```
 */
export function translationLaw(
  kernel: ConvKernel = oracleKernel,
  options?: LawOptions,
): LawProperty {
  const arbitrary = lawCaseArbitrary(
    lawConstraints(options, { maxStride: 1, paddingModes: ['zeros'] }),
    3,
    -3,
    3,
  );
  return fc.asyncProperty(arbitrary, async (c) => {
    const g = convGeometry(c.problem);
    const shift = lift3(c.params.slice(0, g.rank), 0);
    const size = lift3(g.inputSize, 1);
    const out = lift3(g.outputSize, 1);
    const kernelSize = lift3(g.kernelSize, 1);
    const dilation = lift3(g.dilation, 1);
    const padBegin = lift3(g.padBegin, 0);
    const { input, weight, bias } = integerOperands(
      c.problem,
      c.dataSeed,
      safeRange(g.reductionLength),
    );
    // x'[j] = x[j − s] where both are inside the input, else 0.
    const shifted = new Float64Array(input.length);
    for (let index = 0; index < input.length; index++) {
      const w = index % size[2];
      const h = Math.floor(index / size[2]) % size[1];
      const d = Math.floor(index / (size[2] * size[1])) % size[0];
      const source = [d - shift[0], h - shift[1], w - shift[2]];
      if (source.some((v, a) => v < 0 || v >= size[a]!)) continue;
      const plane = Math.floor(index / (size[0] * size[1] * size[2]));
      shifted[index] =
        input[((plane * size[0] + source[0]!) * size[1] + source[1]!) * size[2] + source[2]!]!;
    }
    // Per axis: is output o interior (o − s is an output and no tap loses data)?
    const interior = [0, 1, 2].map((a) =>
      Array.from({ length: out[a]! }, (_, o) => {
        if (o - shift[a]! < 0 || o - shift[a]! >= out[a]!) return false;
        for (let k = 0; k < kernelSize[a]!; k++) {
          const j = o - padBegin[a]! + k * dilation[a]!;
          const inside = j >= 0 && j < size[a]!;
          const sourceInside = j - shift[a]! >= 0 && j - shift[a]! < size[a]!;
          if (sourceInside && !inside) return false;
        }
        return true;
      }),
    );
    const lhs = await runKernel(kernel, c.problem, shifted, weight, bias);
    const original = await runKernel(kernel, c.problem, input, weight, bias);
    const rhs = new Float64Array(lhs.length);
    const mask = new Uint8Array(lhs.length);
    const spatial = out[0] * out[1] * out[2];
    for (let index = 0; index < lhs.length; index++) {
      const ow = index % out[2];
      const oh = Math.floor(index / out[2]) % out[1];
      const od = Math.floor(index / (out[2] * out[1])) % out[0];
      if (!(interior[0]![od] && interior[1]![oh] && interior[2]![ow])) continue;
      const plane = Math.floor(index / spatial);
      mask[index] = 1;
      rhs[index] =
        original[
          ((plane * out[0] + od - shift[0]) * out[1] + oh - shift[1]) * out[2] + ow - shift[2]
        ]!;
    }
    assertSameTensor('translation equivariance', c.problem, lhs, rhs, mask);
  });
}
