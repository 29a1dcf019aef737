import { describe, expect, it } from 'vitest';
import { formatDescriptor, parseDescriptor } from './descriptor.ts';
import { ProblemError } from './errors.ts';
import { convProblem, poolProblem } from './testing.ts';

describe('descriptor', () => {
  const problems = [
    convProblem({ inputSize: [9], kernelSize: [3], padEnd: [2] }),
    convProblem({
      mode: 'convolution',
      batch: 2,
      inChannels: 16,
      outChannels: 32,
      groups: 4,
      inputSize: [7, 9],
      kernelSize: [3, 1],
      stride: [2, 1],
      dilation: [1, 3],
      padBegin: [1, 0],
      padEnd: [0, 2],
      bias: true,
    }),
    convProblem({ inputSize: [4, 5, 6], kernelSize: [1, 2, 3] }),
    poolProblem({
      op: 'maxpool',
      channels: 64,
      inputSize: [55, 55],
      kernelSize: [3, 3],
      stride: [2, 2],
      ceilMode: true,
    }),
    poolProblem({
      op: 'avgpool',
      inputSize: [6],
      kernelSize: [3],
      padBegin: [1],
      padEnd: [1],
      countIncludePad: true,
    }),
  ];

  it('formats with explicit begin/end pads and the mode', () => {
    expect(formatDescriptor(problems[1]!)).toBe(
      'trueconv:mb2g4ic16oc32_ih7iw9_kh3kw1_sh2sw1_dh1dw3_pbh1pbw0_peh0pew2_bias',
    );
  });

  for (const p of problems) {
    it(`round-trips ${formatDescriptor(p)}`, () => {
      const text = formatDescriptor(p);
      expect(parseDescriptor(text).problem).toEqual(p);
      expect(formatDescriptor(parseDescriptor(text).problem)).toBe(text);
    });
  }

  it('fills defaults for a short descriptor', () => {
    expect(parseDescriptor('xcorr:ic3oc8_ih32iw32_kh5kw5').problem).toEqual(
      convProblem({ inChannels: 3, outChannels: 8, inputSize: [32, 32], kernelSize: [5, 5] }),
    );
  });

  const bad: [string, RegExp][] = [
    ['ic3oc8_ih32iw32_kh5kw5', /kind/],
    ['conv2d:ic3oc8_ih32_kh5', /kind of xcorr/],
    ['xcorr:ic3oc8_kh5kw5', /input size/],
    ['xcorr:ic3_ih5iw5_kh3kw3', /'oc'/],
    ['xcorr:ic3oc3_iw5_kh3kw3', /unknown: kh/],
    ['xcorr:ic3oc3ic4_iw5_kw3', /repeated 'ic'/],
    ['xcorr:ic3oc3_iw5_kw3_bias_nobias', /not both/],
    ['xcorr:ic3oc3_iw5_kw3_s-1', /cannot read/],
  ];
  for (const [text, message] of bad) {
    it(`rejects '${text}'`, () => {
      expect(() => parseDescriptor(text)).toThrow(ProblemError);
      expect(() => parseDescriptor(text)).toThrow(message);
    });
  }
});
