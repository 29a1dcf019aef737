/**
 * Small adapters between the oracle, kernels and the laws: the oracle wrapped
 * as a ConvKernel, and a way to run any kernel on float64 operands.
 */
import { referenceConv } from '../reference/conv.ts';
import { layoutsOf, operandsInLayout, outputFromLayout } from '../reference/layout.ts';
import type { ConvKernel, ConvProblem, DType, FloatArray } from '../reference/problem.ts';
import { hasDtype } from './tolerance.ts';

/**
 * The float64 oracle as a kernel. With dtype 'float32' the operands are float32
 * and the float64 result is rounded once to float32: a correct float32 kernel
 * (error ≤ u·|ref| ≤ u·mag), and bit-exact on 'exact' data.
 *
 * @example
 * ```ts
 * fc.assert(conformanceProperty(referenceKernel('float32'), { data: 'real' }));
 * ```
 */
export function referenceKernel(dtype: DType = 'float64'): ConvKernel {
  return {
    name: `reference-${dtype}`,
    dtype,
    conv(p, input, weight, bias) {
      const out = referenceConv(p, input, weight, bias);
      return dtype === 'float32' ? Float32Array.from(out) : out;
    },
  };
}

function toDtype(values: ArrayLike<number>, dtype: DType): FloatArray {
  return dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
}

/**
 * Runs a kernel on operands given in any precision: they are converted to the
 * kernel's dtype, and the output is returned as a fresh Float64Array. Throws a
 * TypeError naming the kernel when the output has the wrong type or length.
 *
 * @example
 * ```ts
 * const y = await runKernel(kernel, p, x, w); // Float64Array, convGeometry(p).outputLength long
 * ```
 */
export async function runKernel(
  kernel: ConvKernel,
  problem: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias?: ArrayLike<number>,
): Promise<Float64Array> {
  const dtype = kernel.dtype ?? 'float32';
  const layouts = layoutsOf(kernel);
  // Operands in the kernel's declared layouts; its output comes back to NCHW.
  const given = operandsInLayout(
    problem,
    {
      input: toDtype(input, dtype),
      weight: toDtype(weight, dtype),
      bias: bias === undefined ? undefined : toDtype(bias, dtype),
    },
    layouts,
  );
  const out = outputFromLayout(
    problem,
    await kernel.conv(problem, given.input, given.weight, given.bias),
    layouts.layout,
  );
  if (!hasDtype(out, dtype)) {
    throw new TypeError(
      `${kernel.name}: returned ${Object.prototype.toString.call(out)}, expected a ${dtype} array`,
    );
  }
  return Float64Array.from(out);
}
