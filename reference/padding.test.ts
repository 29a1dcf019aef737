import { describe, expect, it } from 'vitest';
import { ProblemError } from './errors.ts';
import { onnxPads, padsFor, pairedPads, torchPads } from './padding.ts';

describe('padding conventions', () => {
  const g = { inputSize: [5, 6], kernelSize: [4, 3], stride: [1, 2], dilation: [1, 2] };

  it("'valid' pads nothing", () => {
    expect(padsFor('valid', g)).toEqual({ padBegin: [0, 0], padEnd: [0, 0] });
  });

  it("'same-upper' puts the odd unit at the end, with the dilated kernel", () => {
    // dim 0: total 3 → 1 + 2; dim 1: ⌈6/2⌉ = 3, total (3−1)·2 + 5 − 6 = 3 → 1 + 2.
    expect(padsFor('same-upper', g)).toEqual({ padBegin: [1, 1], padEnd: [2, 2] });
  });

  it("'same-lower' puts it at the beginning", () => {
    expect(padsFor('same-lower', g)).toEqual({ padBegin: [2, 2], padEnd: [1, 1] });
  });

  it('rejects an unknown convention', () => {
    expect(() => padsFor('same' as 'valid', g)).toThrow(ProblemError);
  });

  it('expands PyTorch symmetric pads', () => {
    expect(torchPads(1, 2)).toEqual({ padBegin: [1, 1], padEnd: [1, 1] });
    expect(torchPads([0, 2], 2)).toEqual({ padBegin: [0, 2], padEnd: [0, 2] });
    expect(() => torchPads([1], 2)).toThrow(/padding/);
    expect(() => torchPads(-1, 1)).toThrow(/padding\[0\]/);
  });

  it('splits ONNX pads into begins then ends', () => {
    expect(onnxPads([1, 0, 2, 3])).toEqual({ padBegin: [1, 0], padEnd: [2, 3] });
    expect(() => onnxPads([1, 2, 3])).toThrow(/pads/);
    expect(() => onnxPads([1, 0.5])).toThrow(/pads\[1\]/);
  });

  it('reads [top, bottom, left, right] as begin/end pairs', () => {
    expect(pairedPads([1, 2, 0, 1])).toEqual({ padBegin: [1, 0], padEnd: [2, 1] });
    expect(() => pairedPads([1, 2, 3])).toThrow(/pad/);
  });
});
