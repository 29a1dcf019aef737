import { describe, expect, it } from 'vitest';
import { formatDescriptor, parseDescriptor } from './descriptor.ts';
import { ProblemError } from './errors.ts';
import { convProblem, errorOf, poolProblem } from './testing.ts';

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

/**
 * Mutation-testing additions (formerly descriptor.mutation.test.ts):
 * Mutation-testing additions for descriptor.ts: the flag words, the exact parse
 * errors, whitespace, and the kind of the parsed problem.
 */
describe('mutation-testing additions', () => {
  describe('formatDescriptor', () => {
    it('spells the off flags: floor, excpad, nobias', () => {
      const pool = poolProblem({ op: 'avgpool', inputSize: [4, 6], kernelSize: [2, 3] });
      expect(formatDescriptor(pool)).toBe(
        'avgpool:mb1c1_ih4iw6_kh2kw3_sh2sw3_dh1dw1_pbh0pbw0_peh0pew0_floor_excpad',
      );
      const conv = convProblem({ inputSize: [2, 3, 4], kernelSize: [1, 2, 3] });
      expect(formatDescriptor(conv)).toBe(
        'xcorr:mb1g1ic1oc1_id2ih3iw4_kd1kh2kw3_sd1sh1sw1_dd1dh1dw1_pbd0pbh0pbw0_ped0peh0pew0_nobias',
      );
    });
  });

  describe('parseDescriptor', () => {
    it('tells a conv from a pool', () => {
      expect(parseDescriptor('trueconv:ic1oc1_iw5_kw3').kind).toBe('conv');
      expect(parseDescriptor('maxpool:c2_iw5_kw3').kind).toBe('pool');
    });

    it('ignores surrounding whitespace and empty groups', () => {
      const parsed = parseDescriptor('  maxpool:c2__iw5_kw3_  \n');
      expect(parsed.problem).toEqual(
        poolProblem({ op: 'maxpool', channels: 2, inputSize: [5], kernelSize: [3], stride: [1] }),
      );
    });

    it('names the missing kind separator, the descriptor field and the text', () => {
      const e = errorOf(() => parseDescriptor('ic3oc8_iw5_kw3'));
      expect(e.field).toBe('descriptor');
      expect(e.value).toBe('ic3oc8_iw5_kw3');
      expect(e.expected).toBe("'<kind>:<body>' with kind xcorr, trueconv, maxpool or avgpool");
      expect(errorOf(() => parseDescriptor(':ic3oc8_iw5_kw3')).expected).toBe(
        "a kind of xcorr, trueconv, maxpool or avgpool (got '')",
      );
    });

    it('refuses both words of a pooling flag', () => {
      expect(errorOf(() => parseDescriptor('maxpool:c1_iw5_kw3_ceil_floor')).expected).toBe(
        "either 'ceil' or 'floor', not both",
      );
      expect(errorOf(() => parseDescriptor('avgpool:c1_iw5_kw3_incpad_excpad')).expected).toBe(
        "either 'incpad' or 'excpad', not both",
      );
    });

    it('lists every unknown key', () => {
      expect(errorOf(() => parseDescriptor('xcorr:ic1oc1_iw5_kw3_kh3_sh1')).expected).toBe(
        'only keys of a 1-D xcorr (unknown: kh, sh)',
      );
    });
  });
});
