import { describe, expect, it } from 'vitest';
import { referenceConv } from './conv.ts';
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
