import { describe, expect, it } from 'vitest';
import { effectiveKernel, outputSize, samePadding } from './formulas.ts';

describe('outputSize', () => {
  it('gives the seed example: 32×32 input, 5×5 kernel, P=0, S=1 → 28', () => {
    expect(outputSize(32, 5, 1, 1, 0, 0)).toBe(28);
  });

  it("reduces to the seed's ⌊(I − K + 2P)/S⌋ + 1", () => {
    for (const [i, k, p, s] of [
      [7, 3, 1, 2],
      [10, 4, 2, 3],
      [5, 5, 0, 1],
    ] as const) {
      expect(outputSize(i, k, s, 1, p, p)).toBe(Math.floor((i - k + 2 * p) / s) + 1);
    }
  });

  it('uses the dilated kernel', () => {
    expect(outputSize(10, 3, 1, 2, 0, 0)).toBe(6);
  });

  it('takes asymmetric pads', () => {
    expect(outputSize(5, 3, 2, 1, 0, 1)).toBe(2);
    expect(outputSize(5, 3, 2, 1, 1, 0)).toBe(2);
    expect(outputSize(5, 3, 1, 1, 0, 2)).toBe(5);
  });

  it('rounds up in ceil mode', () => {
    expect(outputSize(6, 3, 2, 1, 0, 0, false)).toBe(2);
    expect(outputSize(6, 3, 2, 1, 0, 0, true)).toBe(3);
  });

  it('drops a ceil-mode window that would start in the end padding', () => {
    // I=3, K=2, S=2, Pb=Pe=1: ⌈(3+2−2)/2⌉+1 = 3, but window 2 starts at 2·2−1 = 3 ≥ I.
    expect(outputSize(3, 2, 2, 1, 1, 1, true)).toBe(2);
    expect(outputSize(3, 2, 2, 1, 1, 1, false)).toBe(2);
  });

  it('keeps a ceil-mode window that starts inside the input', () => {
    expect(outputSize(7, 3, 2, 1, 0, 0, true)).toBe(3);
    expect(outputSize(8, 3, 2, 1, 0, 0, true)).toBe(4);
  });
});

describe('samePadding', () => {
  it('puts the odd unit at the end for upper, at the beginning for lower', () => {
    expect(samePadding(5, 4, 1, 1, 'upper')).toEqual({ padBegin: 1, padEnd: 2 });
    expect(samePadding(5, 4, 1, 1, 'lower')).toEqual({ padBegin: 2, padEnd: 1 });
  });

  it('uses the dilated kernel', () => {
    expect(samePadding(5, 3, 1, 2, 'upper')).toEqual({ padBegin: 2, padEnd: 2 });
  });

  it('gives output ⌈I/S⌉ for every small case', () => {
    for (let i = 1; i <= 12; i++) {
      for (let k = 1; k <= 5; k++) {
        for (let s = 1; s <= 3; s++) {
          for (let d = 1; d <= 3; d++) {
            for (const side of ['upper', 'lower'] as const) {
              const { padBegin, padEnd } = samePadding(i, k, s, d, side);
              expect(i + padBegin + padEnd).toBeGreaterThanOrEqual(effectiveKernel(k, d));
              expect(outputSize(i, k, s, d, padBegin, padEnd)).toBe(Math.ceil(i / s));
            }
          }
        }
      }
    }
  });
});
