/**
 * A precision class as the judge's pass criterion: special values judged in
 * the storage type, and what it still rejects.
 */
import { describe, expect, it } from 'vitest';
import { convProblem } from '../../reference/testing.ts';
import { judgeCase } from '../judge/judge.ts';
import type { PrecisionModelName } from './models.ts';

/** One output: x·w over one tap. */
const ONE_TAP = convProblem({ inputSize: [1], kernelSize: [1] });

function verdict(name: PrecisionModelName, x: number, w: number, got: number) {
  return judgeCase({
    problem: ONE_TAP,
    dtype: 'float32',
    operands: { input: Float32Array.of(x), weight: Float32Array.of(w) },
    output: Float32Array.of(got),
    written: [],
    model: { kind: 'precision', name },
    data: 'special',
    source: 'stored',
  }).verdict;
}

describe('special values in the storage type', () => {
  it('an operand beyond float16 (65504) sets no requirement under a float16 class, but does under tf32', () => {
    // 1e5 overflows float16: a float16 kernel's ∞ there is its storage type's answer.
    expect(verdict('fp16-acc32', 1e5, 0.25, Number.POSITIVE_INFINITY)).toBe('pass');
    expect(verdict('fp16-acc16', 1e5, 0.25, Number.POSITIVE_INFINITY)).toBe('pass');
    expect(verdict('tf32', 1e5, 0.25, Number.POSITIVE_INFINITY)).toBe('fail');
    expect(verdict('bf16-acc32', 1e5, 0.25, Number.POSITIVE_INFINITY)).toBe('fail');
  });

  it('∞ times a weight that rounds to 0 in the format may be NaN, never the wrong infinity', () => {
    expect(verdict('fp16-acc32', Number.POSITIVE_INFINITY, 1e-9, Number.NaN)).toBe('pass');
    expect(verdict('fp16-acc32', Number.POSITIVE_INFINITY, 1e-9, Number.NEGATIVE_INFINITY)).toBe(
      'fail',
    );
  });

  it('NaN where the oracle has a finite number in range is still wrong', () => {
    expect(verdict('fp16-acc32', 2, 0.25, Number.NaN)).toBe('fail');
    expect(verdict('tf32', 2, 0.25, 0.5)).toBe('pass');
  });
});
