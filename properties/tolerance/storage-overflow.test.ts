import { describe, expect, it } from 'vitest';
import { convProblem } from '../../reference/testing.ts';
import { judgeCase } from '../judge/judge.ts';
import { overflowThreshold, storageOverflow } from './storage-overflow.ts';

describe('special values judged in the storage type', () => {
  it('the overflow threshold is the largest finite value plus half an ulp', () => {
    expect(overflowThreshold('float16')).toBe(65520);
    expect(overflowThreshold('bfloat16')).toBe((2 - 2 ** -8) * 2 ** 127);
  });

  it('decides only where the result must, or may, overflow', () => {
    expect(storageOverflow(Infinity, 1e5, 10, 'float16')).toBe('ok');
    expect(storageOverflow(65504, 1e5, 10, 'float16')).toBe('fail');
    expect(storageOverflow(-Infinity, 1e5, 10, 'float16')).toBe('fail');
    // Within the bound of the threshold either answer may be right: the bound decides a number.
    expect(storageOverflow(65504, 65519, 10, 'float16')).toBeUndefined();
    expect(storageOverflow(Infinity, 65519, 10, 'float16')).toBe('ok');
    expect(storageOverflow(1000, 1000, 1, 'float16')).toBeUndefined();
  });

  // One output, 300 · 300 = 90 000: beyond float16's range, so +Inf once stored.
  const p = convProblem({ inputSize: [1], kernelSize: [1] });
  const judge = (got: number) =>
    judgeCase({
      problem: p,
      dtype: 'float32',
      storage: 'float16',
      operands: { input: new Float32Array([300]), weight: new Float32Array([300]) },
      output: new Float32Array([got]),
      written: [],
      model: { kind: 'precision', name: 'fp16-acc32', operandsStored: true },
      data: 'real',
      source: 'stored',
    }).verdict;

  it('an output beyond 65504 must be +Inf in float16 storage: Inf passes, saturation fails', () => {
    expect(judge(Infinity)).toBe('pass');
    expect(judge(65504)).toBe('fail');
    expect(judge(Number.NaN)).toBe('fail');
  });
});
