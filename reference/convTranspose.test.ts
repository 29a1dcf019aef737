import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceConvBackwardData } from './backward.ts';
import {
  backwardDataAsConvTranspose,
  type ConvTransposeProblem,
  convTransposeGeometry,
  exactConvTranspose,
  referenceConvTranspose,
} from './convTranspose.ts';
import { ProblemError } from './errors.ts';
import { fractionToNumber } from './exact.ts';
import { convProblem, smallConvProblemArbitrary } from './testing.ts';

function transposeProblem(
  over: Partial<ConvTransposeProblem> & Pick<ConvTransposeProblem, 'inputSize' | 'kernelSize'>,
): ConvTransposeProblem {
  const zeros = over.inputSize.map(() => 0);
  return { ...convProblem(over), outputPadding: zeros, ...over };
}

/** x = [1, 2], w = [1, 10, 100], stride 2: the full scatter is [1, 10, 100 + 2, 20, 200]. */
const SCATTER = transposeProblem({ inputSize: [2], kernelSize: [3], stride: [2] });

describe('referenceConvTranspose', () => {
  it('is the scatter: each input adds x·w into its window', () => {
    expect([...referenceConvTranspose(SCATTER, [1, 2], [1, 10, 100])]).toEqual([
      1, 10, 102, 20, 200,
    ]);
  });

  it('removes padBegin rows at the start and padEnd rows at the end', () => {
    const p = { ...SCATTER, padBegin: [1], padEnd: [2] };
    expect([...referenceConvTranspose(p, [1, 2], [1, 10, 100])]).toEqual([10, 102]);
  });

  it('adds outputPadding rows at the end, after the pads are removed', () => {
    const p = { ...SCATTER, padBegin: [1], padEnd: [2], outputPadding: [1] };
    expect([...referenceConvTranspose(p, [1, 2], [1, 10, 100])]).toEqual([10, 102, 20]);
  });

  it("flips the kernel in 'convolution' mode", () => {
    const p: ConvTransposeProblem = { ...SCATTER, mode: 'convolution' };
    expect([...referenceConvTranspose(p, [1, 2], [100, 10, 1])]).toEqual([1, 10, 102, 20, 200]);
  });

  it('adds the bias to every output, also those no input reaches', () => {
    const p = { ...SCATTER, stride: [4], bias: true };
    expect([...referenceConvTranspose(p, [1, 2], [1, 10, 100], [5])]).toEqual([
      6, 15, 105, 5, 7, 25, 205,
    ]);
  });

  it('reads the weight as [inChannels, outChannels/groups, ...K] per group', () => {
    // 2 groups, 2 input channels, 4 output channels: input channel 1 feeds outputs 2 and 3.
    const p = transposeProblem({
      inputSize: [1],
      kernelSize: [1],
      inChannels: 2,
      outChannels: 4,
      groups: 2,
    });
    expect([...referenceConvTranspose(p, [1, 10], [2, 3, 5, 7])]).toEqual([2, 3, 50, 70]);
  });

  it('agrees with the exact oracle on integer data', () => {
    const p = transposeProblem({
      inputSize: [3, 2],
      kernelSize: [2, 3],
      stride: [3, 2],
      dilation: [1, 2],
      padBegin: [1, 0],
      padEnd: [0, 2],
      outputPadding: [2, 1],
      inChannels: 2,
      outChannels: 4,
      groups: 2,
      bias: true,
    });
    const g = convTransposeGeometry(p);
    const x = Array.from({ length: g.inputLength }, (_, i) => (i % 7) - 3);
    const w = Array.from({ length: g.weightLength }, (_, i) => (i % 5) - 2);
    const b = [1, -2, 3, -4];
    const exact = exactConvTranspose(p, x, w, b).map((f) => fractionToNumber(f));
    expect([...referenceConvTranspose(p, x, w, b)]).toEqual(exact);
  });
});

describe('exactConvTranspose', () => {
  it('equals the float64 oracle on integer data, over modes, groups, dilation and output padding', () => {
    fc.assert(
      fc.property(smallConvProblemArbitrary(), fc.nat(20), (conv, seed) => {
        const p = { ...backwardDataAsConvTranspose(conv), bias: seed % 2 === 0 };
        const g = convTransposeGeometry(p);
        const ints = (n: number, s: number) =>
          Array.from({ length: n }, (_, i) => ((i * 5 + s) % 7) - 3);
        const x = ints(g.inputLength, seed);
        const w = ints(g.weightLength, seed + 1);
        const b = p.bias ? ints(g.outChannels, seed + 2) : undefined;
        const exact = exactConvTranspose(p, x, w, b).map((f) => fractionToNumber(f));
        expect([...referenceConvTranspose(p, x, w, b)]).toEqual(exact);
      }),
    );
  });

  it('computes 3-D problems', () => {
    const p = transposeProblem({ inputSize: [2, 1, 2], kernelSize: [2, 1, 1], stride: [2, 1, 3] });
    // Depth scatters rows 0,1 and 2,3; width puts the two inputs 3 apart.
    expect([
      ...exactConvTranspose(p, [1, 2, 3, 4], [1, 10]).map((f) => fractionToNumber(f)),
    ]).toEqual([1, 0, 0, 2, 10, 0, 0, 20, 3, 0, 0, 4, 30, 0, 0, 40]);
  });
});

describe('unreached outputs', () => {
  it('hold exactly the bias even when the input has an Inf (no padding zeros are multiplied)', () => {
    const p = { ...SCATTER, stride: [4], bias: true };
    const y = referenceConvTranspose(p, [Number.POSITIVE_INFINITY, 2], [1, 10, 100], [5]);
    expect(y[3]).toBe(5);
    expect(y[0]).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('convTransposeGeometry', () => {
  it('output size is (I−1)·S − Pb − Pe + D·(K−1) + outputPadding + 1 per dimension', () => {
    const p = transposeProblem({
      inputSize: [4, 5],
      kernelSize: [3, 2],
      stride: [2, 3],
      dilation: [2, 1],
      padBegin: [1, 0],
      padEnd: [2, 1],
      outputPadding: [1, 2],
    });
    const g = convTransposeGeometry(p);
    expect(g.outputSize).toEqual([3 * 2 - 1 - 2 + 2 * 2 + 1 + 1, 4 * 3 - 0 - 1 + 1 + 2 + 1]);
    expect(g.weightShape).toEqual([1, 1, 3, 2]);
  });

  it('refuses outputPadding ≥ both stride and dilation, naming the field', () => {
    const p = transposeProblem({ inputSize: [3], kernelSize: [2], outputPadding: [1] });
    expect(() => convTransposeGeometry(p)).toThrow(ProblemError);
    expect(() => convTransposeGeometry(p)).toThrow(
      /outputPadding\[0\] must be smaller than stride\[0\] = 1 or dilation\[0\] = 1, got 1/,
    );
    // PyTorch accepts outputPadding < dilation even with stride 1.
    expect(convTransposeGeometry({ ...p, dilation: [2] }).outputSize).toEqual([6]);
  });

  it('refuses pads that leave no output, naming both pads', () => {
    const p = transposeProblem({ inputSize: [1], kernelSize: [2], padBegin: [1], padEnd: [1] });
    expect(() => convTransposeGeometry(p)).toThrow(/padBegin\[0\]\/padEnd\[0\]/);
  });

  it('refuses groups that do not divide outChannels', () => {
    const p = transposeProblem({
      inputSize: [3],
      kernelSize: [2],
      inChannels: 2,
      outChannels: 3,
      groups: 2,
    });
    expect(() => convTransposeGeometry(p)).toThrow(/ConvTransposeProblem.groups/);
  });

  it('refuses a missing outputPadding', () => {
    const { outputPadding: _, ...rest } = transposeProblem({ inputSize: [3], kernelSize: [2] });
    expect(() => convTransposeGeometry(rest as ConvTransposeProblem)).toThrow(/outputPadding/);
  });
});

describe('backwardDataAsConvTranspose', () => {
  it('restores the rows the conv floor dropped through outputPadding', () => {
    // I = 6, K = 2, S = 3: the conv reads rows 0,1 and 3,4; row 5 is never read.
    const p = convProblem({ inputSize: [6], kernelSize: [2], stride: [3] });
    const t = backwardDataAsConvTranspose(p);
    expect(t.inputSize).toEqual([2]);
    expect(t.outputPadding).toEqual([1]);
    const dy = [1, 2];
    const w = [3, 5];
    expect([...referenceConvTranspose(t, dy, w)]).toEqual([...referenceConvBackwardData(p, dy, w)]);
    expect([...referenceConvBackwardData(p, dy, w)]).toEqual([3, 5, 0, 6, 10, 0]);
  });
});
