/**
 * Convolution is bilinear: linear in the input for a fixed weight, and in the
 * weight for a fixed input (without bias, which makes it affine).
 */
import fc from 'fast-check';
import { convGeometry } from '../../reference/geometry.ts';
import type { ConvKernel } from '../../reference/problem.ts';
import { integerTensor } from '../data.ts';
import { runKernel } from '../kernels.ts';
import {
  assertSameTensor,
  type LawCase,
  type LawOptions,
  type LawProperty,
  lawCaseArbitrary,
  lawConstraints,
  oracleKernel,
  safeRange,
} from './support.ts';

function combine(
  alpha: number,
  a: ArrayLike<number>,
  beta: number,
  b: ArrayLike<number>,
): Float64Array {
  return Float64Array.from({ length: a.length }, (_, i) => alpha * a[i]! + beta * b[i]!);
}

/** Both linearity laws: `which` operand is the combined one. */
function linearityLaw(
  which: 'input' | 'weight',
  kernel: ConvKernel,
  options?: LawOptions,
): LawProperty {
  const name = `linearity in the ${which}`;
  const arbitrary = lawCaseArbitrary(lawConstraints(options, { bias: false }), 2, -3, 3);
  return fc.asyncProperty(arbitrary, async (c: LawCase) => {
    const [alpha, beta] = c.params as [number, number];
    const g = convGeometry(c.problem);
    // |α·a + β·b| ≤ 6R, so every partial sum stays below 2^24 with this R.
    const range = safeRange(g.reductionLength, 6);
    const length = which === 'input' ? g.inputLength : g.weightLength;
    const a = integerTensor(length, c.dataSeed, range);
    const b = integerTensor(length, c.dataSeed + 1, range);
    const fixed = integerTensor(
      which === 'input' ? g.weightLength : g.inputLength,
      c.dataSeed + 2,
      range,
    );
    const run = (operand: Float64Array) =>
      which === 'input'
        ? runKernel(kernel, c.problem, operand, fixed)
        : runKernel(kernel, c.problem, fixed, operand);
    const lhs = await run(combine(alpha, a, beta, b));
    const rhs = combine(alpha, await run(a), beta, await run(b));
    assertSameTensor(name, c.problem, lhs, rhs);
  });
}

/**
 * conv(αx + βy, w) = α·conv(x, w) + β·conv(y, w), bit for bit on integer data.
 *
 * @example
 * ```ts
 * await fc.assert(linearityInInputLaw(im2colKernel));
 * ```
 */
export function linearityInInputLaw(
  kernel: ConvKernel = oracleKernel,
  options?: LawOptions,
): LawProperty {
  return linearityLaw('input', kernel, options);
}

/**
 * conv(x, αw + βv) = α·conv(x, w) + β·conv(x, v), bit for bit on integer data.
 *
 * @example
 * ```ts
 * await fc.assert(linearityInWeightLaw(im2colKernel));
 * ```
 */
export function linearityInWeightLaw(
  kernel: ConvKernel = oracleKernel,
  options?: LawOptions,
): LawProperty {
  return linearityLaw('weight', kernel, options);
}
