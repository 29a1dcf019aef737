/** The GEMM + col2im ConvTranspose (impl/convTranspose) against the scatter oracle. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { col2imConvTranspose } from '../impl/convTranspose/index.ts';
import {
  type ConvTransposeProblem,
  convTransposeGeometry,
  formatOpDescriptor,
  referenceConvTranspose,
} from '../reference/index.ts';
import { convTransposeProblemArbitrary } from './arbitraries/convTransposeProblem.ts';
import { outputPaddingMovedFirst } from './broken/transpose.ts';
import { integerTensor, uniformTensor } from './data.ts';

function operands(p: ConvTransposeProblem, seed: number, integer: boolean) {
  const g = convTransposeGeometry(p);
  const make = (length: number, s: number) =>
    integer ? integerTensor(length, s, 4) : uniformTensor(length, s);
  return {
    x: make(g.inputLength, seed),
    w: make(g.weightLength, seed + 1),
    b: p.bias ? make(g.outChannels, seed + 2) : undefined,
  };
}

type ConvTransposeFn = typeof col2imConvTranspose;

/** col2im = the scatter oracle, bit for bit on integer data, in float32 and float64. */
function exactOnIntegers(kernel: ConvTransposeFn) {
  return fc.property(convTransposeProblemArbitrary(), fc.nat(), (p, seed) => {
    const { x, w, b } = operands(p, seed, true);
    const want = referenceConvTranspose(p, x, w, b);
    for (const dtype of ['float32', 'float64'] as const) {
      const Float = dtype === 'float32' ? Float32Array : Float64Array;
      const got = kernel(p, Float.from(x), Float.from(w), b && Float.from(b), dtype);
      expect(
        [...got],
        `${dtype} ${formatOpDescriptor({ op: 'convtranspose', problem: p })}`,
      ).toEqual([...want]);
    }
  });
}

describe('col2imConvTranspose', () => {
  it('equals the scatter oracle exactly on integer data, in float32 and float64', () => {
    fc.assert(exactOnIntegers(col2imConvTranspose));
  });

  it('the exact check catches a col2im that puts the output padding at the beginning', () => {
    const outputPaddingFirst: ConvTransposeFn = (p, x, w, b, dtype) =>
      col2imConvTranspose(outputPaddingMovedFirst(p), x, w, b, dtype);
    expect(fc.check(exactOnIntegers(outputPaddingFirst), { endOnFailure: true }).failed).toBe(true);
  });

  it('is within float64 rounding of the oracle on uniform data', () => {
    fc.assert(
      fc.property(convTransposeProblemArbitrary(), fc.nat(), (p, seed) => {
        const { x, w, b } = operands(p, seed, false);
        const want = referenceConvTranspose(p, x, w, b);
        const magnitude = referenceConvTranspose(
          p,
          x.map(Math.abs),
          w.map(Math.abs),
          b?.map(Math.abs),
        );
        const got = col2imConvTranspose(p, x, w, b, 'float64');
        // Each output sums at most Cin/G·ΠK + 1 terms, in two orders: within 2·γ_n·Σ|terms|.
        const terms = (p.inChannels / p.groups) * p.kernelSize.reduce((v, k) => v * k, 1) + 1;
        const gamma = (terms * 2 ** -53) / (1 - terms * 2 ** -53);
        got.forEach((v, i) => {
          expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(2 * gamma * magnitude[i]!);
        });
      }),
    );
  });
});
