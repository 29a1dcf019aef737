/**
 * The exact-arithmetic oracle (mathjs Fractions) certifies the float64 one:
 * on integer data they agree bit for bit (no sum rounds), on real data the
 * float64 oracle is within the float64 dot-product bound of the exact value.
 */
import fc from 'fast-check';
import { exactConv, fractionToNumber } from '../../reference/exact.ts';
import { convGeometry } from '../../reference/geometry.ts';
import type { ConvKernel } from '../../reference/problem.ts';
import { uniformTensor } from '../data.ts';
import { runKernel } from '../kernels.ts';
import { boundParameters, elementBound, magnitudeConv } from '../tolerance.ts';
import {
  assertSameTensor,
  integerOperands,
  type LawOptions,
  type LawProperty,
  LawViolation,
  lawCaseArbitrary,
  lawConstraints,
  oracleKernel,
  safeRange,
} from './support.ts';

/** exactConv is slow (BigInt rationals): problems stay below this many MACs. */
const EXACT_MAX_MACS = 600;

/**
 * kernel(x) = exactConv(x) rounded, bit for bit on integer data (params[0] = 0),
 * and within the kernel dtype's dot-product bound on uniform real data
 * (params[0] = 1). With the default kernel (the float64 oracle) this certifies
 * the oracle.
 *
 * @example
 * ```ts
 * await fc.assert(exactOracleLaw());
 * ```
 */
export function exactOracleLaw(
  kernel: ConvKernel = oracleKernel,
  options?: LawOptions,
): LawProperty {
  const constraints = lawConstraints(options, {
    maxMacs: EXACT_MAX_MACS,
    largePlanes: false,
    networkLayers: false,
  });
  return fc.asyncProperty(lawCaseArbitrary(constraints, 1, 0, 1), async (c) => {
    // A problem the kernel declines (a padding mode it does not implement) says nothing.
    fc.pre((kernel.supports?.(c.problem) ?? true) === true);
    const g = convGeometry(c.problem);
    const integer = c.params[0] === 0;
    const operands = integer
      ? integerOperands(c.problem, c.dataSeed, safeRange(g.reductionLength + 1))
      : {
          input: uniformTensor(g.inputLength, c.dataSeed),
          weight: uniformTensor(g.weightLength, c.dataSeed + 1),
          ...(c.problem.bias ? { bias: uniformTensor(g.outChannels, c.dataSeed + 2) } : {}),
        };
    const dtype = kernel.dtype ?? 'float32';
    // The kernel sees its dtype's values: give the exact oracle the same ones.
    const round = (v: Float64Array) =>
      dtype === 'float32' ? Float64Array.from(Float32Array.from(v)) : v;
    const input = round(operands.input);
    const weight = round(operands.weight);
    const bias = operands.bias && round(operands.bias);
    const got = await runKernel(kernel, c.problem, input, weight, bias);
    const exact = exactConv(c.problem, input, weight, bias).map((f) => fractionToNumber(f));
    if (integer) {
      assertSameTensor('exact oracle = float64 oracle on integers', c.problem, got, exact);
      return;
    }
    const params = boundParameters(c.problem, dtype, { kind: 'dot-product' });
    const magnitude = magnitudeConv(c.problem, input, weight, bias);
    for (let i = 0; i < got.length; i++) {
      const bound = elementBound(params, magnitude[i]!);
      if (!(Math.abs(got[i]! - exact[i]!) <= bound)) {
        throw new LawViolation(
          `exact oracle vs ${kernel.name}: output ${i} is ${got[i]}, exactly ${exact[i]}, beyond the bound ${bound}`,
        );
      }
    }
  });
}
