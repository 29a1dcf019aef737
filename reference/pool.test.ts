import { describe, expect, it } from 'vitest';
import { referencePool } from './pool.ts';
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
