/**
 * Mutation-testing additions for the GEMM: the workspace-size formulas (worked by
 * hand from blocking.ts's comments), empty and K = 0 products of gemmWithPackedB,
 * the argument errors, and workspace reuse.
 */
import { describe, expect, it } from 'vitest';
import {
  gemmBlocking,
  gemmPackedElements,
  gemmWorkspaceBytes,
  packedBStart,
  packedColumnsOfB,
  packedRowsOfA,
  prepackedElements,
} from './blocking.ts';
import { dgemm, gemmWithPackedB, reservePackedB, sgemm } from './gemm.ts';
import { GemmWorkspace } from './workspace.ts';

describe('blocking formulas', () => {
  it('uses MR = NR = 4, MC = 128, KC = 256, NC = 2048', () => {
    expect(gemmBlocking).toEqual({ MR: 4, NR: 4, MC: 128, KC: 256, NC: 2048 });
  });

  it('packs M rounded up to MR, at most MC rows; N rounded up to NR, at most NC columns', () => {
    expect([packedRowsOfA(1), packedRowsOfA(5), packedRowsOfA(128), packedRowsOfA(1000)]).toEqual([
      4, 8, 128, 128,
    ]);
    expect([packedColumnsOfB(3), packedColumnsOfB(9), packedColumnsOfB(5000)]).toEqual([
      4, 12, 2048,
    ]);
  });

  it('places B after the largest A block: min(MC, ⌈M/4⌉·4) · min(KC, K)', () => {
    expect(packedBStart(5, 100)).toBe(8 * 100);
    expect(packedBStart(500, 1000)).toBe(128 * 256);
  });

  it('sizes the buffer as A block + min(KC, K) · min(NC, ⌈N/4⌉·4)', () => {
    expect(gemmPackedElements(64, 3136, 576)).toBe(64 * 256 + 256 * 2048);
    expect(gemmPackedElements(5, 9, 7)).toBe(8 * 7 + 7 * 12);
  });

  it('sizes a pre-packed B whole: A block + ⌈N/4⌉·4 · K', () => {
    expect(prepackedElements(64, 1816, 576)).toBe(64 * 256 + 1816 * 576);
    expect(prepackedElements(5, 9, 7)).toBe(8 * 7 + 12 * 7);
  });

  it('counts bytes as 8 per packed element plus the 4 × 4 tile', () => {
    expect(gemmWorkspaceBytes(64, 3136, 576)).toBe(8 * (64 * 256 + 256 * 2048 + 16));
    expect(gemmWorkspaceBytes(5, 9, 7, true)).toBe(8 * (8 * 7 + 12 * 7 + 16));
    expect(gemmWorkspaceBytes(5, 9, 7, false)).toBe(8 * (8 * 7 + 7 * 12 + 16));
  });
});

describe('GemmWorkspace', () => {
  it('keeps its buffer when it is already large enough', () => {
    const ws = new GemmWorkspace();
    const first = ws.reserve(10);
    expect(first.length).toBe(10);
    expect(ws.reserve(10)).toBe(first);
    expect(ws.reserve(4)).toBe(first);
    expect(ws.reserve(11)).not.toBe(first);
  });

  it('reports its bytes: 8 per packed double plus the 16-double tile', () => {
    expect(new GemmWorkspace().bytes).toBe(128);
    expect(new GemmWorkspace(10).bytes).toBe(80 + 128);
  });
});

describe('empty products', () => {
  it('sgemm and dgemm with M = 0 or N = 0 touch neither C nor the workspace', () => {
    for (const [M, N] of [
      [0, 3],
      [3, 0],
    ] as const) {
      const ws = new GemmWorkspace();
      const C = new Float32Array(9).fill(7);
      sgemm(M, N, 2, new Float32Array(6), 0, 2, new Float32Array(6), 0, 3, C, 0, 3, false, ws);
      expect(Array.from(C)).toEqual(new Array(9).fill(7));
      expect(ws.packed.length).toBe(0);
      const C64 = new Float64Array(9).fill(7);
      dgemm(M, N, 2, new Float64Array(6), 0, 2, new Float64Array(6), 0, 3, C64, 0, 3, false, ws);
      expect(ws.packed.length).toBe(0);
    }
  });

  it('an operand with no rows or no columns is not read, so its offset is not checked', () => {
    // K = 0: A is M × 0 and B is 0 × N; neither is read, and C is zeroed.
    const C = new Float64Array(6).fill(5);
    dgemm(2, 3, 0, new Float64Array(0), 0, 1, new Float64Array(0), 0, 3, C, 0, 3, false);
    expect(Array.from(C)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('an operand with no rows is not read, so its offset may lie past its end', () => {
    const C = new Float32Array(0);
    expect(() =>
      sgemm(0, 3, 3, new Float32Array(6), 10, 3, new Float32Array(9), 0, 3, C, 0, 3, false),
    ).not.toThrow();
  });

  it('gemmWithPackedB with K = 0 zeroes C, or leaves it when accumulating', () => {
    const ws = new GemmWorkspace();
    reservePackedB(2, 2, 0, ws);
    const C = new Float32Array([1, 2, 3, 4]);
    gemmWithPackedB(2, 2, 0, new Float32Array(0), 0, 1, C, 0, 2, true, ws);
    expect(Array.from(C)).toEqual([1, 2, 3, 4]);
    gemmWithPackedB(2, 2, 0, new Float32Array(0), 0, 1, C, 0, 2, false, ws);
    expect(Array.from(C)).toEqual([0, 0, 0, 0]);
  });
});

describe('argument errors name the routine, the argument and the value', () => {
  const A = new Float64Array(6);
  const B = new Float64Array(6);
  const C = new Float64Array(4);

  it('dgemm', () => {
    expect(() => dgemm(2, -2, 3, A, 0, 3, B, 0, 2, C, 0, 2, false)).toThrow(
      new RangeError('dgemm: N must be an integer ≥ 0, got -2'),
    );
    expect(() => dgemm(2, 2, 3, A, 0, 3, B, 1, 2, C, 0, 2, false)).toThrow(
      new RangeError(
        'dgemm: B (length 6) is too short for 3×2 at offset 1 with ldb = 2 (needs 7 elements)',
      ),
    );
  });

  it('gemmWithPackedB', () => {
    const ws = new GemmWorkspace();
    reservePackedB(2, 2, 3, ws);
    const call =
      (M: number, N: number, K: number, a = A, aOffset = 0, c = C) =>
      () =>
        gemmWithPackedB(M, N, K, a, aOffset, 3, c, 0, 2, false, ws);
    expect(call(-1, 2, 3)).toThrow(
      new RangeError('gemmWithPackedB: M must be an integer ≥ 0, got -1'),
    );
    expect(call(2, 0.5, 3)).toThrow(
      new RangeError('gemmWithPackedB: N must be an integer ≥ 0, got 0.5'),
    );
    expect(call(2, 2, -3)).toThrow(
      new RangeError('gemmWithPackedB: K must be an integer ≥ 0, got -3'),
    );
    expect(call(2, 2, 3, A, 1)).toThrow(/^gemmWithPackedB: A \(length 6\) is too short/);
    expect(call(2, 2, 3, A, 0, new Float64Array(3))).toThrow(
      /^gemmWithPackedB: C \(length 3\) is too short/,
    );
    expect(() => gemmWithPackedB(2, 2, 3, A, 0, 3, C, 0, 2, false, new GemmWorkspace())).toThrow(
      /; call reservePackedB with the same M, N, K first$/,
    );
  });
});
