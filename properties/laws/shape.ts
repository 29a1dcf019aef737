/**
 * Shapes and counts: the output shape of the geometry record equals a
 * brute-force count of window positions and the kernel's output length, and
 * the parameter count equals the closed formula.
 */
import fc from 'fast-check';
import { type ConvGeometry, convGeometry } from '../../reference/geometry.ts';
import { parameterCount } from '../../reference/layer.ts';
import type { ConvKernel } from '../../reference/problem.ts';
import { runKernel } from '../kernels.ts';
import {
  integerOperands,
  type LawOptions,
  type LawProperty,
  LawViolation,
  lawCaseArbitrary,
  lawConstraints,
  oracleKernel,
} from './support.ts';

/** Window positions o ≥ 0 whose last tap o·S − Pb + (K−1)·D still lies in the padded input. */
function countWindows(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
): number {
  let count = 0;
  for (let o = 0; o * stride - padBegin + (kernel - 1) * dilation <= input - 1 + padEnd; o++)
    count++;
  return count;
}

/**
 * convGeometry's outputSize equals the brute-force count of window positions
 * on every axis, and the kernel returns exactly outputLength values.
 *
 * @example
 * ```ts
 * await fc.assert(outputShapeLaw(im2colKernel));
 * ```
 */
export function outputShapeLaw(
  kernel: ConvKernel = oracleKernel,
  options?: LawOptions,
): LawProperty {
  return fc.asyncProperty(lawCaseArbitrary(lawConstraints(options)), async (c) => {
    const g = convGeometry(c.problem);
    const p = c.problem;
    p.inputSize.forEach((size, d) => {
      const counted = countWindows(
        size,
        p.kernelSize[d]!,
        p.stride[d]!,
        p.dilation[d]!,
        p.padBegin[d]!,
        p.padEnd[d]!,
      );
      if (counted !== g.outputSize[d]) {
        throw new LawViolation(
          `output size: axis ${d} has ${counted} windows, convGeometry says ${g.outputSize[d]}`,
        );
      }
    });
    const { input, weight, bias } = integerOperands(p, c.dataSeed, 2);
    let length: number;
    try {
      length = (await runKernel(kernel, p, input, weight, bias)).length;
    } catch (error) {
      throw new LawViolation(
        `output shape: ${kernel.name} failed: ${error instanceof Error ? error.message : error}`,
      );
    }
    if (length !== g.outputLength) {
      throw new LawViolation(
        `output shape: ${kernel.name} returned ${length} values, expected ${g.outputLength} ([${g.outputShape.join(', ')}])`,
      );
    }
  });
}

/**
 * The parameter count (the formula under test, default `parameterCount`)
 * equals ΠK · (Cin/groups) · Cout weights plus Cout biases, and the weight
 * tensor has exactly that many weights.
 *
 * @example
 * ```ts
 * await fc.assert(parameterCountLaw());
 * ```
 */
export function parameterCountLaw(
  formula: (g: ConvGeometry) => number = parameterCount,
  options?: LawOptions,
): LawProperty {
  return fc.asyncProperty(lawCaseArbitrary(lawConstraints(options)), async (c) => {
    const g = convGeometry(c.problem);
    const p = c.problem;
    const kernelVolume = p.kernelSize.reduce((a, b) => a * b, 1);
    const weights = kernelVolume * (p.inChannels / p.groups) * p.outChannels;
    const expected = weights + (p.bias ? p.outChannels : 0);
    if (formula(g) !== expected || g.weightLength !== weights) {
      throw new LawViolation(
        `parameter count: formula gives ${formula(g)}, weightLength ${g.weightLength}; ΠK·Cin/g·Cout + bias = ${expected}`,
      );
    }
  });
}
