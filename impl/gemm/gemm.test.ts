/**
 * Over 300 lines, on purpose: a unit's test file holds all of its tests, including
 * its mutation-testing additions.
 */
import { describe, expect, it } from 'vitest';
import { mixSeed } from '../../reference/random.ts';
import { integerData, uniformData } from '../../reference/testing.ts';
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
import { GemmWorkspace } from './index.ts';

const { MR, NR, MC, KC, NC } = gemmBlocking;

/** Deterministic integers in [-8, 8]: products and sums stay exact in float32. */
const integers = (length: number, seed: number): number[] => integerData(length, seed);

interface Layout {
  M: number;
  N: number;
  K: number;
  aOffset: number;
  lda: number;
  bOffset: number;
  ldb: number;
  cOffset: number;
  ldc: number;
}

function layout(M: number, N: number, K: number, offset = 0, extraLd = 0): Layout {
  return {
    M,
    N,
    K,
    aOffset: offset,
    lda: K + extraLd,
    bOffset: 2 * offset,
    ldb: N + extraLd,
    cOffset: 3 * offset,
    ldc: N + 2 * extraLd,
  };
}

/** The definition, one dot product per element in k order, in float64. */
function naiveGemm(
  l: Layout,
  A: ArrayLike<number>,
  B: ArrayLike<number>,
  C: number[],
  acc: boolean,
) {
  for (let i = 0; i < l.M; i++) {
    for (let j = 0; j < l.N; j++) {
      let sum = 0;
      for (let k = 0; k < l.K; k++) {
        sum += A[l.aOffset + i * l.lda + k]! * B[l.bOffset + k * l.ldb + j]!;
      }
      const c = l.cOffset + i * l.ldc + j;
      C[c] = acc ? C[c]! + sum : sum;
    }
  }
}

function operandLength(offset: number, ld: number, rows: number): number {
  return offset + rows * ld + 5; // a tail that must stay untouched
}

/** sgemm or dgemm, with the array type erased so one driver serves both. */
type Api = (
  M: number,
  N: number,
  K: number,
  A: Float32Array | Float64Array,
  aOffset: number,
  lda: number,
  B: Float32Array | Float64Array,
  bOffset: number,
  ldb: number,
  C: Float32Array | Float64Array,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
  ws?: GemmWorkspace,
) => void;
type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function runCase(api: Api, Type: Ctor, l: Layout, accumulate: boolean, ws?: GemmWorkspace) {
  const seed = mixSeed(l.M, l.N, l.K);
  const A = new Type(integers(operandLength(l.aOffset, l.lda, l.M), seed));
  const B = new Type(integers(operandLength(l.bOffset, l.ldb, l.K), seed + 1));
  const initial = integers(operandLength(l.cOffset, l.ldc, l.M), seed + 2);
  const C = new Type(initial);
  const expected = [...initial];
  naiveGemm(l, A, B, expected, accumulate);
  api(l.M, l.N, l.K, A, l.aOffset, l.lda, B, l.bOffset, l.ldb, C, l.cOffset, l.ldc, accumulate, ws);
  // Every element, including the gaps between rows and the tail, must match.
  expect(Array.from(C)).toEqual(expected);
}

const edgeSizes = [1, MR - 1, MR + 1, 2 * MR + 3];
const variants: [string, Api, Ctor][] = [
  ['sgemm', sgemm as Api, Float32Array],
  ['dgemm', dgemm as Api, Float64Array],
];

describe.each(variants)(
  '%s against the naive triple loop (integer data, bit-exact)',
  (_, api, Type) => {
    it('small odd sizes: remainders of MR and NR, all combinations', () => {
      for (const M of edgeSizes) {
        for (const N of [1, NR - 1, NR + 1, 2 * NR + 3]) {
          for (const K of [1, 2, 7]) {
            for (const accumulate of [false, true]) runCase(api, Type, layout(M, N, K), accumulate);
          }
        }
      }
    });

    it('offsets and leading dimensions larger than the width', () => {
      for (const [M, N, K] of [
        [5, 7, 3],
        [9, 6, 11],
        [4, 4, 4],
      ] as const) {
        for (const accumulate of [false, true]) {
          runCase(api, Type, layout(M, N, K, 13, 3), accumulate);
        }
      }
    });

    it('sizes beyond every block: M > MC, N > NC, K > KC (several K slices)', () => {
      const ws = new GemmWorkspace();
      runCase(api, Type, layout(MC + 3, 9, 2 * KC + 5, 2, 1), false, ws);
      runCase(api, Type, layout(6, NC + 7, 3, 1, 2), true, ws);
      runCase(api, Type, layout(MC + MR + 1, NR + 2, KC + 1), true, ws);
    });

    it('K = 0 gives C = 0, or leaves C unchanged when accumulating', () => {
      runCase(api, Type, layout(3, 5, 0, 2, 1), false);
      runCase(api, Type, layout(3, 5, 0, 2, 1), true);
    });

    it('M = 0 or N = 0 touches nothing', () => {
      runCase(api, Type, layout(0, 5, 3, 1, 1), false);
      runCase(api, Type, layout(4, 0, 3, 1, 1), false);
    });
  },
);

/** The same contract with B packed by the caller into the documented layout. */
function gemmViaPackedB(
  M: number,
  N: number,
  K: number,
  A: Float32Array | Float64Array,
  aOffset: number,
  lda: number,
  B: Float32Array | Float64Array,
  bOffset: number,
  ldb: number,
  C: Float32Array | Float64Array,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
  ws = new GemmWorkspace(),
): void {
  const { packed, start } = reservePackedB(M, N, K, ws);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      packed[start + Math.floor(n / NR) * NR * K + k * NR + (n % NR)] = B[bOffset + k * ldb + n]!;
    }
  }
  gemmWithPackedB(M, N, K, A, aOffset, lda, C, cOffset, ldc, accumulate, ws);
}

describe('gemmWithPackedB against the naive triple loop (integer data, bit-exact)', () => {
  it.each([
    [1, 1, 1],
    [MR + 1, NR - 1, 7],
    [2 * MR + 3, 3 * NR + 2, KC + 3],
    [MC + 5, NR + 1, 2 * KC + 1],
  ])('M=%i N=%i K=%i, both precisions, accumulate on/off', (M, N, K) => {
    for (const Type of [Float32Array, Float64Array]) {
      for (const accumulate of [false, true]) {
        runCase(gemmViaPackedB, Type, layout(M, N, K, 3, 2), accumulate);
      }
    }
  });

  it('refuses a workspace whose B region was not reserved', () => {
    const C = new Float32Array(4);
    expect(() =>
      gemmWithPackedB(2, 2, 3, new Float32Array(6), 0, 3, C, 0, 2, false, new GemmWorkspace()),
    ).toThrow(/gemmWithPackedB: workspace holds 0 packed elements/);
  });
});

describe('GEMM numerics', () => {
  it('overwrites C (NaN before) unless accumulating', () => {
    const A = new Float32Array([1, 2, 3, 4]);
    const B = new Float32Array([5, 6, 7, 8]);
    const C = new Float32Array(4).fill(Number.NaN);
    sgemm(2, 2, 2, A, 0, 2, B, 0, 2, C, 0, 2, false);
    expect(Array.from(C)).toEqual([19, 22, 43, 50]);
  });

  it('dgemm with real data and K ≤ KC sums in the order of the definition: bit-exact', () => {
    const l = layout(MR + 3, NR + 5, KC - 1, 3, 2);
    let seed = 12345;
    const real = (n: number) => Float64Array.from(uniformData(n, seed++));
    const A = real(operandLength(l.aOffset, l.lda, l.M));
    const B = real(operandLength(l.bOffset, l.ldb, l.K));
    const C = real(operandLength(l.cOffset, l.ldc, l.M));
    const expected = Array.from(C);
    naiveGemm(l, A, B, expected, false);
    dgemm(l.M, l.N, l.K, A, l.aOffset, l.lda, B, l.bOffset, l.ldb, C, l.cOffset, l.ldc, false);
    expect(Array.from(C)).toEqual(expected);
  });

  it('sgemm rounds each element once per K slice (float64 sum inside the slice)', () => {
    // 1 + 2^-30 is not a float32, but the sum 1 + 2^-30 − 1 is formed in float64.
    const A = new Float32Array([1, 2 ** -15, -1]);
    const B = new Float32Array([1, 2 ** -15, 1]);
    const C = new Float32Array(1);
    sgemm(1, 1, 3, A, 0, 3, B, 0, 1, C, 0, 1, false);
    expect(C[0]).toBe(2 ** -30);
  });

  it('propagates Inf and NaN like the definition, and padded lanes do not leak', () => {
    // 3×5 · 5×3 leaves padded lanes in both panels; Inf in A meets their zeros.
    const A = new Float64Array(15).fill(1);
    A[0] = Number.POSITIVE_INFINITY;
    const B = new Float64Array(15).fill(1);
    B[2] = Number.NaN;
    const C = new Float64Array(9);
    dgemm(3, 3, 5, A, 0, 5, B, 0, 3, C, 0, 3, false);
    expect(Array.from(C)).toEqual([Infinity, Infinity, NaN, 5, 5, NaN, 5, 5, NaN]);
  });
});

describe('GEMM argument checks', () => {
  const A = new Float32Array(6);
  const B = new Float32Array(6);
  const C = new Float32Array(4);
  it.each([
    ['M', () => sgemm(-1, 2, 3, A, 0, 3, B, 0, 2, C, 0, 2, false), /sgemm: M must be/],
    ['K', () => sgemm(2, 2, 1.5, A, 0, 3, B, 0, 2, C, 0, 2, false), /sgemm: K must be/],
    ['lda', () => sgemm(2, 2, 3, A, 0, 2, B, 0, 2, C, 0, 2, false), /sgemm: lda must be/],
    ['aOffset', () => sgemm(2, 2, 3, A, -1, 3, B, 0, 2, C, 0, 2, false), /aOffset must be/],
    ['A short', () => sgemm(2, 2, 3, A, 1, 3, B, 0, 2, C, 0, 2, false), /A \(length 6\)/],
    ['C short', () => sgemm(2, 2, 3, A, 0, 3, B, 0, 2, C, 0, 3, false), /C \(length 4\)/],
  ])('rejects a bad %s', (_, call, message) => {
    expect(call).toThrow(message);
  });

  it('a workspace grows on demand and is reused', () => {
    const ws = new GemmWorkspace();
    expect(ws.packed.length).toBe(0);
    sgemm(2, 2, 3, A, 0, 3, B, 0, 2, C, 0, 2, false, ws);
    const grown = ws.packed;
    expect(grown.length).toBeGreaterThan(0);
    sgemm(1, 1, 1, A, 0, 1, B, 0, 1, C, 0, 1, false, ws);
    expect(ws.packed).toBe(grown);
  });
});

/**
 * Mutation-testing additions (formerly gemm.mutation.test.ts):
 * Mutation-testing additions for the GEMM: the workspace-size formulas (worked by
 * hand from blocking.ts's comments), empty and K = 0 products of gemmWithPackedB,
 * the argument errors, and workspace reuse.
 */
describe('mutation-testing additions', () => {
  describe('blocking formulas', () => {
    it('uses MR = NR = 4, MC = 128, KC = 256, NC = 2048', () => {
      expect(gemmBlocking).toEqual({ MR: 4, NR: 4, MC: 128, KC: 256, NC: 2048 });
    });

    it('packs M rounded up to MR, at most MC rows; N rounded up to NR, at most NC columns', () => {
      expect([packedRowsOfA(1), packedRowsOfA(5), packedRowsOfA(128), packedRowsOfA(1000)]).toEqual(
        [4, 8, 128, 128],
      );
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
});
