/**
 * Mutation-testing additions for errors.ts, tensors.ts and padding.ts: the exact
 * text of the messages (they name the field, the value and what was expected) and
 * the validation boundaries.
 */
import { describe, expect, it } from 'vitest';
import { ProblemError, show } from './errors.ts';
import { onnxPads, padsFor, pairedPads, torchPads } from './padding.ts';
import { checkTensorLength } from './tensors.ts';
import { errorOf } from './testing.ts';

describe('ProblemError', () => {
  it('is named ProblemError and says field, expectation and value', () => {
    const e = new ProblemError('ConvProblem.stride[1]', 0, 'a positive integer');
    expect(e.name).toBe('ProblemError');
    expect(e.message).toBe('ConvProblem.stride[1] must be a positive integer, got 0');
    expect(e.problem).toBeUndefined();
  });

  it('appends the problem when one is given', () => {
    const e = new ProblemError('x', 'a', 'b', { batch: 1 });
    expect(e.message).toBe('x must be b, got "a" in {"batch":1}');
  });
});

describe('show', () => {
  it('prints numbers, bigints and booleans as themselves', () => {
    expect(show(1.5)).toBe('1.5');
    expect(show(Number.NaN)).toBe('NaN');
    expect(show(12n)).toBe('12');
    expect(show(false)).toBe('false');
  });

  it('prints undefined, strings and objects', () => {
    expect(show(undefined)).toBe('undefined');
    expect(show('a')).toBe('"a"');
    expect(show([1, null])).toBe('[1,null]');
  });

  it('falls back to String for what JSON cannot print', () => {
    const f = () => 1;
    expect(show(f)).toBe(String(f));
    expect(show(Symbol('s'))).toBe('Symbol(s)');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(show(cyclic)).toBe('[object Object]');
  });
});

describe('checkTensorLength', () => {
  it('names the tensor, its length, the shape and the problem', () => {
    expect(() => checkTensorLength('weight', [1, 2, 3], [2, 2], { k: 2 })).toThrow(
      new TypeError('weight: length 3 does not match shape [2, 2] (4 elements) for {"k":2}'),
    );
    expect(() => checkTensorLength('input', [1], [3])).toThrow(
      new TypeError('input: length 1 does not match shape [3] (3 elements)'),
    );
  });

  it('refuses what is not an array, naming it', () => {
    for (const data of [null, 5, 'abc', { length: '2' }]) {
      expect(() => checkTensorLength('bias', data as unknown as number[], [2])).toThrow(
        new TypeError(`bias: expected an array of 2 numbers, got ${show(data)}`),
      );
    }
    expect(() => checkTensorLength('bias', new Float32Array(2), [2])).not.toThrow();
  });
});

describe('padding conventions', () => {
  it('names the unknown convention and the known ones', () => {
    const e = errorOf(() =>
      padsFor('same' as 'valid', { inputSize: [4], kernelSize: [3], stride: [1], dilation: [1] }),
    );
    expect([e.field, e.value, e.expected]).toEqual([
      'padding',
      'same',
      "'valid', 'same-upper' or 'same-lower'",
    ]);
  });

  it("puts the odd unit first with 'same-lower'", () => {
    // Total pad 3 for K = 4: lower puts 2 at the beginning, 1 at the end.
    expect(
      padsFor('same-lower', { inputSize: [5], kernelSize: [4], stride: [1], dilation: [1] }),
    ).toEqual({ padBegin: [2], padEnd: [1] });
  });

  it('torchPads names the expected count', () => {
    const e = errorOf(() => torchPads([1], 2));
    expect([e.field, e.expected]).toEqual(['padding', 'a number or an array of 2 numbers']);
    expect(errorOf(() => torchPads([1, -1], 2)).field).toBe('padding[1]');
  });

  it('onnxPads and pairedPads refuse an empty list and odd lengths', () => {
    for (const pads of [[], [1, 2, 3]]) {
      const onnx = errorOf(() => onnxPads(pads));
      expect([onnx.field, onnx.expected]).toEqual([
        'pads',
        'an array of even length [begins..., ends...]',
      ]);
      const paired = errorOf(() => pairedPads(pads));
      expect([paired.field, paired.expected]).toEqual([
        'pad',
        'an array [begin, end, begin, end, ...] of even length',
      ]);
    }
  });

  it('checks every pad entry, naming it', () => {
    const e = errorOf(() => pairedPads([1, 2, 0, -3]));
    expect([e.field, e.value, e.expected]).toEqual(['pad[3]', -3, 'a non-negative integer']);
    expect(errorOf(() => pairedPads([1, 1.5])).field).toBe('pad[1]');
    expect(errorOf(() => onnxPads([0, '1' as unknown as number])).field).toBe('pads[1]');
  });
});
