import { describe, expect, it } from 'vitest';
import { answerJudge, decodeFloats, encodeFloats, LineSplitter } from './command-wire.ts';

describe('encodeFloats / decodeFloats', () => {
  it('round-trip every bit, specials included, in both dtypes', () => {
    const specials = [0, -0, 1.5, -(2 ** -149), Number.NaN, Number.POSITIVE_INFINITY, 3.4e38];
    for (const values of [new Float32Array(specials), new Float64Array([...specials, 1e-310])]) {
      const dtype = values instanceof Float32Array ? 'float32' : 'float64';
      const back = decodeFloats(encodeFloats(values), dtype, values.length);
      expect(back).toBeInstanceOf(values.constructor);
      expect(Buffer.from((back as typeof values).buffer)).toEqual(Buffer.from(values.buffer));
    }
  });

  it('encodes raw little-endian bytes (1.0f is 00 00 80 3f)', () => {
    expect(encodeFloats(new Float32Array([1]))).toBe(
      Buffer.from([0, 0, 0x80, 0x3f]).toString('base64'),
    );
  });

  it('encodes a view, not its whole buffer', () => {
    const view = new Float64Array([1, 2, 3, 4]).subarray(1, 3);
    expect(decodeFloats(encodeFloats(view), 'float64', 2)).toEqual(new Float64Array([2, 3]));
  });

  it('says why a payload does not decode', () => {
    expect(decodeFloats('AACAPw==', 'float64', 1)).toBe(
      'output: 4 bytes, expected 8 (1 float64 values)',
    );
    expect(decodeFloats('AAC*Pw==', 'float32', 1)).toBe('output is not base64: AAC*Pw==');
  });
});

describe('answerJudge', () => {
  const judge = answerJudge(5);
  it('accepts exactly one answer field for the expected id', () => {
    expect(judge('{"id":5,"output":"AAAA"}')).toEqual({ value: { output: 'AAAA' } });
    expect(judge('{"id":5,"error":"oops"}')).toEqual({ value: { error: 'oops' } });
  });

  it('ignores a late answer to an earlier request', () => {
    expect(judge('{"id":4,"output":"AAAA"}')).toBeUndefined();
  });

  it('calls everything else garbage, quoting at most 200 characters', () => {
    expect(judge('[1]')).toEqual({ failure: 'garbage on stdout (not a JSON object): [1]' });
    expect(judge('{"id":5,"output":"A","error":"B"}')).toMatchObject({
      failure: expect.stringContaining('expected exactly one of'),
    });
    expect(judge('{"id":"5","output":"A"}')).toMatchObject({
      failure: expect.stringContaining('no integer "id"'),
    });
    const long = judge('x'.repeat(1000));
    expect(long).toEqual({ failure: `garbage on stdout (not JSON): ${'x'.repeat(200)}…` });
  });
});

describe('LineSplitter', () => {
  it('reassembles lines across chunks, drops CR before LF, keeps multi-byte characters', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter(
      1000,
      (l) => lines.push(l),
      () => lines.push('OVERFLOW'),
    );
    const bytes = Buffer.from('first\r\nsecond é line\nthird\n');
    for (let i = 0; i < bytes.length; i += 3) splitter.push(bytes.subarray(i, i + 3));
    expect(lines).toEqual(['first', 'second é line', 'third']);
  });

  it('reports a line that grows past the limit', () => {
    const events: string[] = [];
    const splitter = new LineSplitter(
      8,
      (l) => events.push(l),
      () => events.push('OVERFLOW'),
    );
    splitter.push(Buffer.from('12345'));
    splitter.push(Buffer.from('67890'));
    expect(events).toEqual(['OVERFLOW']);
  });
});
