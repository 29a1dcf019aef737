import { describe, expect, it } from 'vitest';
import { poolGeometry } from './geometry.ts';
import { referencePool } from './pool.ts';
import type { PoolProblem } from './problem.ts';
import { poolProblem } from './testing.ts';

const x6 = [1, 2, 3, 4, 5, 6];

describe('referencePool', () => {
  it('takes the max and mean of each window', () => {
    const max = poolProblem({ op: 'maxpool', inputSize: [2, 2], kernelSize: [2, 2] });
    expect([...referencePool(max, [1, 4, 3, 2])]).toEqual([4]);
    expect([...referencePool({ ...max, op: 'avgpool' }, [1, 4, 3, 2])]).toEqual([2.5]);
  });

  it('keeps the ceil-mode window that starts inside the input and averages its real part', () => {
    const p = poolProblem({
      op: 'maxpool',
      inputSize: [6],
      kernelSize: [3],
      stride: [2],
      ceilMode: true,
    });
    expect([...referencePool(p, x6)]).toEqual([3, 5, 6]);
    expect([...referencePool({ ...p, op: 'avgpool' }, x6)]).toEqual([2, 4, 5.5]);
    expect([...referencePool({ ...p, ceilMode: false }, x6)]).toEqual([3, 5]);
  });

  it('drops the ceil-mode window that would start in the end padding', () => {
    const p = poolProblem({
      op: 'maxpool',
      inputSize: [3],
      kernelSize: [2],
      stride: [2],
      padBegin: [1],
      padEnd: [1],
      ceilMode: true,
    });
    expect([...referencePool(p, [1, 2, 3])]).toEqual([1, 3]);
  });

  it('divides by the padded count only with countIncludePad', () => {
    const p = poolProblem({
      op: 'avgpool',
      inputSize: [4],
      kernelSize: [3],
      stride: [2],
      padBegin: [1],
      padEnd: [1],
    });
    expect([...referencePool(p, [1, 2, 3, 4])]).toEqual([1.5, 3]);
    expect([...referencePool({ ...p, countIncludePad: true }, [1, 2, 3, 4])]).toEqual([1, 3]);
  });

  it('never counts the ceil-mode overhang beyond the end padding', () => {
    // Last window covers 5 (input), 6 (end pad) and 7 (overhang): 6 / 2 with the pad counted.
    const p = poolProblem({
      op: 'avgpool',
      inputSize: [6],
      kernelSize: [3],
      stride: [2],
      padBegin: [1],
      padEnd: [1],
      ceilMode: true,
      countIncludePad: true,
    });
    expect([...referencePool(p, x6)]).toEqual([1, 3, 5, 3]);
    expect([...referencePool({ ...p, countIncludePad: false }, x6)]).toEqual([1.5, 3, 5, 6]);
  });

  it('lets padding never win a max, even over negative inputs', () => {
    const p = poolProblem({
      op: 'maxpool',
      inputSize: [2],
      kernelSize: [2],
      stride: [1],
      padBegin: [1],
      padEnd: [1],
    });
    expect([...referencePool(p, [-3, -5])]).toEqual([-3, -3, -5]);
  });

  it('applies dilation', () => {
    const p = poolProblem({
      op: 'maxpool',
      inputSize: [6],
      kernelSize: [2],
      stride: [1],
      dilation: [3],
    });
    expect([...referencePool(p, [1, 9, 2, 3, 4, 8])]).toEqual([3, 9, 8]);
  });

  it('propagates NaN from the window that holds it', () => {
    const p = poolProblem({ op: 'maxpool', inputSize: [4], kernelSize: [2] });
    const y = referencePool(p, [Number.NaN, 1, 2, 3]);
    expect(Number.isNaN(y[0])).toBe(true);
    expect(y[1]).toBe(3);
  });
});

/**
 * Mutation-testing additions (formerly pool.mutation.test.ts):
 * Mutation-testing additions for pool.ts: 2-D and 3-D, batched, multi-channel,
 * strided, dilated, padded and ceil-mode pooling, checked against an independent
 * computation over an explicitly padded input, and the operand error.
 */
describe('mutation-testing additions', () => {
  const to3 = (a: readonly number[], fill: number) => [
    ...new Array<number>(3 - a.length).fill(fill),
    ...a,
  ];

  /**
   * Pooling over an explicitly padded copy of the input, where padding cells hold
   * `undefined`: a tap on a padding cell counts only for countIncludePad, and a tap
   * beyond the padded copy (ceil-mode overhang) counts for nothing.
   */
  function paddedDefinition(p: PoolProblem, x: number[], outputSize: readonly number[]): number[] {
    const [ID, IH, IW] = to3(p.inputSize, 1) as [number, number, number];
    const [KD, KH, KW] = to3(p.kernelSize, 1) as [number, number, number];
    const [SD, SH, SW] = to3(p.stride, 1) as [number, number, number];
    const [DD, DH, DW] = to3(p.dilation, 1) as [number, number, number];
    const [BD, BH, BW] = to3(p.padBegin, 0) as [number, number, number];
    const [ED, EH, EW] = to3(p.padEnd, 0) as [number, number, number];
    const [OD, OH, OW] = to3(outputSize, 1) as [number, number, number];
    const [PD, PH, PW] = [ID + BD + ED, IH + BH + EH, IW + BW + EW];
    const planes = p.batch * p.channels;
    const xp = new Array<number | undefined>(planes * PD * PH * PW).fill(undefined);
    for (let nc = 0; nc < planes; nc++)
      for (let d = 0; d < ID; d++)
        for (let h = 0; h < IH; h++)
          for (let w = 0; w < IW; w++)
            xp[((nc * PD + d + BD) * PH + h + BH) * PW + w + BW] =
              x[((nc * ID + d) * IH + h) * IW + w];
    const y: number[] = [];
    for (let nc = 0; nc < planes; nc++)
      for (let od = 0; od < OD; od++)
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OW; ow++) {
            const real: number[] = [];
            let padded = 0;
            for (let kd = 0; kd < KD; kd++)
              for (let kh = 0; kh < KH; kh++)
                for (let kw = 0; kw < KW; kw++) {
                  const [d, h, w] = [od * SD + kd * DD, oh * SH + kh * DH, ow * SW + kw * DW];
                  if (d >= PD || h >= PH || w >= PW) continue;
                  padded++;
                  const v = xp[((nc * PD + d) * PH + h) * PW + w];
                  if (v !== undefined) real.push(v);
                }
            const sum = real.reduce((s, v) => s + v, 0);
            y.push(
              p.op === 'maxpool'
                ? Math.max(...real)
                : sum / (p.countIncludePad ? padded : real.length),
            );
          }
    return y;
  }

  const data = (length: number) => Array.from({ length }, (_, i) => ((i * 5 + 3) % 13) - 6);

  const problems: [string, PoolProblem][] = [
    [
      '3-D maxpool, batch 2, 2 channels, stride, dilation and padding in depth',
      poolProblem({
        op: 'maxpool',
        batch: 2,
        channels: 2,
        inputSize: [4, 3, 3],
        kernelSize: [2, 2, 2],
        stride: [2, 1, 1],
        dilation: [2, 1, 1],
        padBegin: [1, 0, 1],
        padEnd: [1, 1, 0],
      }),
    ],
    [
      '2-D avgpool counting padding, ceil-mode overhang in height only',
      poolProblem({
        op: 'avgpool',
        batch: 1,
        channels: 3,
        inputSize: [5, 4],
        kernelSize: [3, 2],
        stride: [2, 2],
        dilation: [1, 1],
        padBegin: [1, 1],
        padEnd: [0, 1],
        ceilMode: true,
        countIncludePad: true,
      }),
    ],
    [
      '2-D avgpool of real taps only, dilation and padding in height',
      poolProblem({
        op: 'avgpool',
        batch: 2,
        channels: 1,
        inputSize: [5, 3],
        kernelSize: [2, 2],
        stride: [1, 1],
        dilation: [2, 1],
        padBegin: [2, 0],
        padEnd: [1, 1],
      }),
    ],
    [
      '3-D avgpool counting padding, padding in depth and width',
      poolProblem({
        op: 'avgpool',
        batch: 1,
        channels: 2,
        inputSize: [3, 2, 3],
        kernelSize: [2, 1, 2],
        stride: [1, 1, 2],
        padBegin: [1, 0, 1],
        padEnd: [1, 0, 0],
        countIncludePad: true,
      }),
    ],
  ];

  describe('referencePool against the explicitly padded definition', () => {
    for (const [what, p] of problems) {
      it(what, () => {
        const g = poolGeometry(p);
        const x = data(g.inputLength);
        const expected = paddedDefinition(p, x, g.outputSize);
        expect(expected.length).toBe(g.outputLength);
        const y = Array.from(referencePool(p, x));
        expect(y.length).toBe(expected.length);
        // Sums of small integers are exact; a mean is one correctly rounded division.
        for (let i = 0; i < y.length; i++) expect(y[i], `output ${i}`).toBe(expected[i]);
      });
    }
  });

  describe('referencePool operands', () => {
    it('names the input when its length does not match', () => {
      const p = poolProblem({ op: 'maxpool', inputSize: [4], kernelSize: [2] });
      expect(() => referencePool(p, [1, 2, 3])).toThrow(
        /^input: length 3 does not match shape \[1, 1, 4\]/,
      );
    });
  });
});
