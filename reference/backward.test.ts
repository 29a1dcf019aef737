import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceConvBackwardData, referenceConvBackwardWeights } from './backward.ts';
import { referenceConv } from './conv.ts';
import { convGeometry } from './geometry.ts';
import { convProblem, smallConvProblemArbitrary } from './testing.ts';

/** x = [1, 2, 3, 4], w = [1, 10]: y = [21, 32, 43]; with dy = [1, 0, 2]. */
const P = convProblem({ inputSize: [4], kernelSize: [2] });
const X = [1, 2, 3, 4];
const W = [1, 10];
const DY = [1, 0, 2];

function ints(length: number, seed: number): number[] {
  return Array.from({ length }, (_, i) => ((i * 7 + seed * 13) % 9) - 4);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe('referenceConvBackwardData', () => {
  it('spreads each output gradient over the inputs its window read, weighted by w', () => {
    // dx = 1·[1, 10, 0, 0] + 2·[0, 0, 1, 10]
    expect([...referenceConvBackwardData(P, DY, W)]).toEqual([1, 10, 2, 20]);
  });

  it('flips the kernel for true convolution', () => {
    const p = { ...P, mode: 'convolution' as const };
    expect([...referenceConvBackwardData(p, DY, [10, 1])]).toEqual([1, 10, 2, 20]);
  });

  it('gives padding taps nothing and stride gaps zero', () => {
    const p = convProblem({ inputSize: [5], kernelSize: [2], stride: [3], padBegin: [1] });
    // Windows read input rows (−1, 0) and (2, 3); row 4 is never read.
    expect([...referenceConvBackwardData(p, [1, 2], W)]).toEqual([10, 0, 2, 20, 0]);
  });

  it('refuses an output gradient of the wrong length, naming it', () => {
    expect(() => referenceConvBackwardData(P, [1, 2], W)).toThrow(/outputGradient: length 2/);
  });
});

describe('referenceConvBackwardWeights', () => {
  it('correlates the input with the output gradient', () => {
    // dw[k] = Σ_o dy[o]·x[o + k] = [1·1 + 2·3, 1·2 + 2·4]
    expect([...referenceConvBackwardWeights(P, X, DY)]).toEqual([7, 10]);
  });

  it('flips the result for true convolution', () => {
    const p = { ...P, mode: 'convolution' as const };
    expect([...referenceConvBackwardWeights(p, X, DY)]).toEqual([10, 7]);
  });

  it('sums over the batch and keeps groups apart', () => {
    const p = convProblem({
      inputSize: [2],
      kernelSize: [1],
      batch: 2,
      inChannels: 2,
      outChannels: 2,
      groups: 2,
    });
    // x[n, c, i], dy[n, oc, o]: dw[oc] = Σ_n Σ_o dy[n, oc, o]·x[n, oc, o]
    const x = [1, 2, 3, 4, 5, 6, 7, 8];
    const dy = [1, 1, 0, 1, 2, 0, 0, 3];
    expect([...referenceConvBackwardWeights(p, x, dy)]).toEqual([1 + 2 + 10, 4 + 24]);
  });

  it('refuses an input of the wrong length, naming it', () => {
    expect(() => referenceConvBackwardWeights(P, [1], DY)).toThrow(/input: length 1/);
  });
});

describe('both passes', () => {
  it('are the adjoints of the forward conv: ⟨conv(x,w), dy⟩ = ⟨x, dx⟩ = ⟨w, dw⟩', () => {
    fc.assert(
      fc.property(smallConvProblemArbitrary(), fc.nat(50), (p, seed) => {
        const g = convGeometry(p);
        const x = ints(g.inputLength, seed);
        const w = ints(g.weightLength, seed + 1);
        const dy = ints(g.outputLength, seed + 2);
        const forward = dot(referenceConv(p, x, w), dy);
        expect(dot(x, referenceConvBackwardData(p, dy, w))).toBe(forward);
        expect(dot(w, referenceConvBackwardWeights(p, x, dy))).toBe(forward);
      }),
    );
  });
});
