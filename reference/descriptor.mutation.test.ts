/**
 * Mutation-testing additions for descriptor.ts: the flag words, the exact parse
 * errors, whitespace, and the kind of the parsed problem.
 */
import { describe, expect, it } from 'vitest';
import { formatDescriptor, parseDescriptor } from './descriptor.ts';
import { convProblem, errorOf, poolProblem } from './testing.ts';

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
