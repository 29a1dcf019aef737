import { describe, expect, it } from 'vitest';
import { checkConvOperands, referenceConv } from './conv.ts';
import { exactConv, fractionToNumber } from './exact.ts';
import { convGeometry } from './geometry.ts';
import type { ConvProblem } from './problem.ts';
import { convProblem } from './testing.ts';

const seq = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

describe('referenceConv, checked by hand', () => {
  it('cross-correlates without flipping: x=[1,2,3,4], w=[1,10]', () => {
    const p = convProblem({ inputSize: [4], kernelSize: [2] });
    expect([...referenceConv(p, [1, 2, 3, 4], [1, 10])]).toEqual([21, 32, 43]);
  });

  it('truly convolves with the kernel flipped: x=[1,2,3,4], w=[1,10]', () => {
    const p = convProblem({ mode: 'convolution', inputSize: [4], kernelSize: [2] });
    expect([...referenceConv(p, [1, 2, 3, 4], [1, 10])]).toEqual([12, 23, 34]);
  });

  it('gives polynomial multiplication for true convolution in full mode (pads K−1)', () => {
    // (1 + 2z + 3z² + 4z³)(1 + 10z) = 1 + 12z + 23z² + 34z³ + 40z⁴
    const p = convProblem({
      mode: 'convolution',
      inputSize: [4],
      kernelSize: [2],
      padBegin: [1],
      padEnd: [1],
    });
    expect([...referenceConv(p, [1, 2, 3, 4], [1, 10])]).toEqual([1, 12, 23, 34, 40]);
  });

  it('differs between the modes for an asymmetric 2-D kernel', () => {
    const x = seq(9);
    const w = [1, 2, 3, 4];
    const xcorr = convProblem({ inputSize: [3, 3], kernelSize: [2, 2] });
    const conv = { ...xcorr, mode: 'convolution' as const };
    expect([...referenceConv(xcorr, x, w)]).toEqual([37, 47, 67, 77]);
    expect([...referenceConv(conv, x, w)]).toEqual([23, 33, 53, 63]);
  });

  it('applies stride, dilation, asymmetric padding and bias', () => {
    // padded x = [0,1,2,3,4,5]; taps at 2o and 2o+2: y0 = 0·1+2·10, y1 = 2·1+4·10.
    const p = convProblem({
      inputSize: [5],
      kernelSize: [2],
      stride: [2],
      dilation: [2],
      padBegin: [1],
      padEnd: [0],
      bias: true,
    });
    expect([...referenceConv(p, [1, 2, 3, 4, 5], [1, 10], [0.5])]).toEqual([20.5, 42.5]);
  });

  it('sums the channels of one multi-channel kernel (the seed RGB example)', () => {
    const p = convProblem({ inChannels: 3, inputSize: [2, 2], kernelSize: [2, 2] });
    const x = [...[1, 1, 1, 1], ...[2, 2, 2, 2], ...[3, 3, 3, 3]];
    const w = [...[1, 0, 0, 0], ...[0, 1, 0, 0], ...[0, 0, 0, 1]];
    expect([...referenceConv(p, x, w)]).toEqual([1 + 2 + 3]);
  });

  it('keeps groups independent', () => {
    // Two groups of one channel each: out 0 sees channel 0 only, out 1 channel 1 only.
    const p = convProblem({
      inChannels: 2,
      outChannels: 2,
      groups: 2,
      inputSize: [2],
      kernelSize: [1],
    });
    expect([...referenceConv(p, [1, 2, 30, 40], [2, 3])]).toEqual([2, 4, 90, 120]);
  });

  it('maps a depthwise multiplier: output channel oc reads input channel ⌊oc / 2⌋', () => {
    const p = convProblem({
      inChannels: 2,
      outChannels: 4,
      groups: 2,
      inputSize: [1],
      kernelSize: [1],
    });
    expect([...referenceConv(p, [5, 7], [1, 2, 3, 4])]).toEqual([5, 10, 21, 28]);
  });

  it('handles batch and 3-D', () => {
    const p = convProblem({ batch: 2, inputSize: [2, 2, 2], kernelSize: [2, 2, 2] });
    const x = [...seq(8), ...seq(8, 11)];
    const y = referenceConv(p, x, new Array(8).fill(1));
    expect([...y]).toEqual([36, 116]);
  });

  it('gives only the bias where the window lies wholly in padding', () => {
    const p = convProblem({
      inputSize: [1],
      kernelSize: [1],
      padBegin: [2],
      padEnd: [0],
      bias: true,
    });
    expect([...referenceConv(p, [9], [1], [0.25])]).toEqual([0.25, 0.25, 9.25]);
  });

  it('propagates NaN and Inf only to the windows that contain them', () => {
    const p = convProblem({ inputSize: [4], kernelSize: [2] });
    const y = referenceConv(p, [1, Number.NaN, 3, Number.POSITIVE_INFINITY], [1, 1]);
    expect(Number.isNaN(y[0])).toBe(true);
    expect(Number.isNaN(y[1])).toBe(true);
    expect(y[2]).toBe(Number.POSITIVE_INFINITY);
  });

  it('multiplies the padding zeros, so an infinite weight on a padding tap gives NaN', () => {
    const p = convProblem({ inputSize: [2], kernelSize: [2], padBegin: [1] });
    const y = referenceConv(p, [1, 1], [Number.POSITIVE_INFINITY, 1]);
    expect(Number.isNaN(y[0])).toBe(true);
    expect(y[1]).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects operands of the wrong length, naming them', () => {
    const p = convProblem({ inputSize: [4], kernelSize: [2] });
    expect(() => referenceConv(p, [1, 2, 3], [1, 1])).toThrow(/input: length 3/);
    expect(() => referenceConv(p, [1, 2, 3, 4], [1])).toThrow(/weight: length 1/);
    expect(() => referenceConv(p, [1, 2, 3, 4], [1, 1], [0])).toThrow(/bias: given/);
    expect(() => referenceConv({ ...p, bias: true }, [1, 2, 3, 4], [1, 1])).toThrow(
      /bias: required/,
    );
  });
});

/**
 * Mutation-testing additions (formerly conv.mutation.test.ts):
 * Mutation-testing additions for conv.ts and exact.ts: 3-D, batched, grouped,
 * strided, dilated and end-padded problems in both modes, checked against an
 * independent computation on an explicitly zero-padded input (the definition the
 * oracle's comment gives), and the operand errors.
 */
describe('mutation-testing additions', () => {
  /** Spatial arrays lifted to [D, H, W] (written here, not taken from geometry.ts). */
  const to3 = (a: readonly number[], fill: number) => [
    ...new Array<number>(3 - a.length).fill(fill),
    ...a,
  ];

  /**
   * The definition on an explicitly zero-padded input: every window reads the
   * padded tensor, so no bounds checks are involved.
   */
  function paddedDefinition(p: ConvProblem, x: number[], w: number[], b?: number[]): number[] {
    const [ID, IH, IW] = to3(p.inputSize, 1) as [number, number, number];
    const [KD, KH, KW] = to3(p.kernelSize, 1) as [number, number, number];
    const [SD, SH, SW] = to3(p.stride, 1) as [number, number, number];
    const [DD, DH, DW] = to3(p.dilation, 1) as [number, number, number];
    const [BD, BH, BW] = to3(p.padBegin, 0) as [number, number, number];
    const [ED, EH, EW] = to3(p.padEnd, 0) as [number, number, number];
    const [PD, PH, PW] = [ID + BD + ED, IH + BH + EH, IW + BW + EW];
    const C = p.inChannels;
    const xp = new Array<number>(p.batch * C * PD * PH * PW).fill(0);
    for (let n = 0; n < p.batch; n++)
      for (let c = 0; c < C; c++)
        for (let d = 0; d < ID; d++)
          for (let h = 0; h < IH; h++)
            for (let v = 0; v < IW; v++)
              xp[(((n * C + c) * PD + d + BD) * PH + h + BH) * PW + v + BW] =
                x[(((n * C + c) * ID + d) * IH + h) * IW + v]!;
    const out = (size: number, k: number, s: number, dl: number) =>
      Math.floor((size - dl * (k - 1) - 1) / s) + 1;
    const [OD, OH, OW] = [out(PD, KD, SD, DD), out(PH, KH, SH, DH), out(PW, KW, SW, DW)];
    const cig = C / p.groups;
    const cog = p.outChannels / p.groups;
    const flip = p.mode === 'convolution';
    const y: number[] = [];
    for (let n = 0; n < p.batch; n++)
      for (let oc = 0; oc < p.outChannels; oc++)
        for (let od = 0; od < OD; od++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              let acc = b ? b[oc]! : 0;
              for (let ci = 0; ci < cig; ci++) {
                const c = Math.floor(oc / cog) * cig + ci;
                for (let kd = 0; kd < KD; kd++)
                  for (let kh = 0; kh < KH; kh++)
                    for (let kw = 0; kw < KW; kw++) {
                      const xv =
                        xp[
                          (((n * C + c) * PD + od * SD + kd * DD) * PH + oh * SH + kh * DH) * PW +
                            ow * SW +
                            kw * DW
                        ]!;
                      const [fd, fh, fw] = flip
                        ? [KD - 1 - kd, KH - 1 - kh, KW - 1 - kw]
                        : [kd, kh, kw];
                      acc += xv * w[(((oc * cig + ci) * KD + fd) * KH + fh) * KW + fw]!;
                    }
              }
              y.push(acc);
            }
    return y;
  }

  /** Small distinct integers, so a wrong index changes the sum. */
  const data = (length: number, seed: number) =>
    Array.from({ length }, (_, i) => ((i * 7 + seed * 13) % 11) - 5);

  const problems: [string, ConvProblem][] = [
    [
      '3-D, batch 2, 2 input channels, depth padding at both ends',
      convProblem({
        batch: 2,
        inChannels: 2,
        outChannels: 3,
        inputSize: [3, 3, 4],
        kernelSize: [2, 2, 3],
        padBegin: [1, 0, 1],
        padEnd: [1, 1, 0],
        bias: true,
      }),
    ],
    [
      '3-D true convolution with stride and dilation in depth and height',
      convProblem({
        mode: 'convolution',
        batch: 2,
        inChannels: 2,
        outChannels: 2,
        inputSize: [5, 5, 3],
        kernelSize: [2, 2, 2],
        stride: [2, 2, 1],
        dilation: [2, 2, 1],
        padBegin: [1, 1, 0],
        padEnd: [0, 2, 1],
      }),
    ],
    [
      '2-D grouped, end padding in height, stride 2',
      convProblem({
        batch: 2,
        inChannels: 4,
        outChannels: 4,
        groups: 2,
        inputSize: [4, 5],
        kernelSize: [3, 2],
        stride: [2, 1],
        padEnd: [2, 1],
        mode: 'convolution',
      }),
    ],
  ];

  describe('referenceConv and exactConv against the explicitly padded definition', () => {
    for (const [what, p] of problems) {
      const operands = () => {
        const g = convGeometry(p);
        const x = data(g.inputLength, 1);
        const w = data(g.weightLength, 2);
        const b = p.bias ? data(g.biasLength, 3) : undefined;
        return { g, x, w, b, expected: paddedDefinition(p, x, w, b) };
      };

      it(`referenceConv: ${what}`, () => {
        const { g, x, w, b, expected } = operands();
        expect(expected.length).toBe(g.outputLength);
        // Integer data: every partial sum is exact, so the match is bit for bit.
        expect(Array.from(referenceConv(p, x, w, b))).toEqual(expected);
      });

      it(`exactConv: ${what}`, () => {
        const { x, w, b, expected } = operands();
        expect(exactConv(p, x, w, b).map(fractionToNumber)).toEqual(expected);
      });
    }
  });

  describe('checkConvOperands', () => {
    const p = convProblem({ inputSize: [3], kernelSize: [2], outChannels: 2, bias: true });
    const g = convGeometry(p);

    it('names the bias when it has the wrong length', () => {
      expect(() => checkConvOperands(g, [1, 2, 3], [1, 2, 3, 4], [1])).toThrow(/^bias: length 1/);
    });

    it('requires a bias when the problem has one, and refuses one when it has none', () => {
      expect(() => checkConvOperands(g, [1, 2, 3], [1, 2, 3, 4], undefined)).toThrow(
        'bias: required because problem.bias is true',
      );
      const g0 = convGeometry({ ...p, bias: false });
      expect(() => checkConvOperands(g0, [1, 2, 3], [1, 2, 3, 4], [1, 2])).toThrow(
        'bias: given, but problem.bias is false',
      );
    });
  });
});
