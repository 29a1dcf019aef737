/**
 * Over 300 lines, on purpose: a unit's test file holds all of its tests, including
 * its mutation-testing additions.
 */
import { describe, expect, it } from 'vitest';
import {
  type ConvProblem,
  convGeometry,
  formatDescriptor,
  referenceConv,
} from '../../reference/index.ts';
import { randomInteger, seededRandom } from '../../reference/random.ts';
import {
  convProblem,
  integerData,
  type TestOperands,
  testOperands,
  uniformData,
} from '../../reference/testing.ts';
import { gemmWorkspaceBytes } from '../gemm/index.ts';
import { im2colConv, im2colConv64, workspaceLimit, workspaceRefusal } from './conv.ts';
import {
  columnBlockElements,
  columnBlockWidth,
  createIm2colKernel,
  im2colKernel,
  im2colKernel64,
  im2colWorkspaceBytes,
} from './index.ts';
import { gemmWorkspace, inputIsColumns, releaseIm2colWorkspace } from './workspace.ts';

/** A 2-D cross-correlation without padding; `over` replaces any field. */
function problem(over: Partial<ConvProblem>): ConvProblem {
  const rank = (over.inputSize ?? [5, 5]).length;
  const ones = Array<number>(rank).fill(1);
  const zeros = Array<number>(rank).fill(0);
  return {
    mode: 'cross-correlation',
    batch: 1,
    inChannels: 1,
    outChannels: 1,
    groups: 1,
    inputSize: [5, 5],
    kernelSize: [3, 3],
    stride: ones,
    dilation: ones,
    padBegin: zeros,
    padEnd: zeros,
    bias: false,
    ...over,
  };
}

/** Deterministic integers in [-8, 8]: every partial sum here stays far below 2^24. */
const _integers = (length: number, seed: number): number[] => integerData(length, seed);

type Operands = TestOperands<Float64Array>;

/** Integers in [-8, 8] (float64, so the kernels of both dtypes read them exactly). */
function operands(p: ConvProblem, seed = 1): Operands {
  const random = seededRandom(seed);
  return testOperands(p, () => randomInteger(random, -8, 8), Float64Array);
}

/** Index of the first element where y and ref differ (NaN matches NaN), or -1. */
function firstMismatch(y: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (y.length !== ref.length) return 0;
  for (let i = 0; i < y.length; i++) {
    const a = y[i]!;
    const e = ref[i]!;
    if (a !== e && !(Number.isNaN(a) && Number.isNaN(e))) return i;
  }
  return -1;
}

function expectBitExact(p: ConvProblem, data: Operands = operands(p)) {
  const ref = referenceConv(p, data.x, data.w, data.b);
  const b32 = data.b && Float32Array.from(data.b);
  const b64 = data.b && Float64Array.from(data.b);
  const y32 = im2colConv(p, Float32Array.from(data.x), Float32Array.from(data.w), b32);
  const y64 = im2colConv64(p, Float64Array.from(data.x), Float64Array.from(data.w), b64);
  for (const [name, y] of [
    ['float32', y32],
    ['float64', y64],
  ] as const) {
    const i = firstMismatch(y, ref);
    const where = `${name} ${formatDescriptor(p)} at ${i}: got ${y[i]}, oracle ${ref[i]}`;
    expect(i, where).toBe(-1);
  }
}

/** Each case in both modes, with and without bias. */
function allVariants(base: ConvProblem): ConvProblem[] {
  return (['cross-correlation', 'convolution'] as const).flatMap((mode) =>
    [false, true].map((bias) => ({ ...base, mode, bias })),
  );
}

const edgeCases: [string, ConvProblem][] = [
  [
    'ragged sizes',
    problem({ inChannels: 3, outChannels: 5, inputSize: [7, 9], padBegin: [1, 1], padEnd: [1, 1] }),
  ],
  [
    '1×1, unit stride, no padding (input used as columns)',
    problem({ inChannels: 6, outChannels: 7, inputSize: [5, 3], kernelSize: [1, 1] }),
  ],
  [
    '1×1, unit stride, end padding only (output larger than the input)',
    problem({
      inChannels: 2,
      outChannels: 3,
      inputSize: [4, 3],
      kernelSize: [1, 1],
      padEnd: [1, 2],
    }),
  ],
  [
    '1×1 with stride 2 and padding',
    problem({
      inChannels: 3,
      outChannels: 2,
      inputSize: [5, 6],
      kernelSize: [1, 1],
      stride: [2, 2],
      padBegin: [1, 0],
      padEnd: [0, 1],
    }),
  ],
  [
    'kernel = padded input (output 1×1)',
    problem({
      inChannels: 2,
      outChannels: 3,
      inputSize: [4, 5],
      kernelSize: [6, 7],
      padBegin: [1, 1],
      padEnd: [1, 1],
    }),
  ],
  [
    'pad > kernel − 1: windows wholly in padding',
    problem({
      inChannels: 2,
      outChannels: 3,
      inputSize: [3, 3],
      kernelSize: [2, 2],
      padBegin: [3, 2],
      padEnd: [2, 4],
    }),
  ],
  [
    'stride > kernel',
    problem({
      inChannels: 2,
      outChannels: 3,
      inputSize: [11, 10],
      kernelSize: [2, 2],
      stride: [3, 4],
    }),
  ],
  [
    'dilation with stride',
    problem({
      inChannels: 3,
      outChannels: 4,
      inputSize: [13, 12],
      kernelSize: [3, 2],
      stride: [2, 3],
      dilation: [2, 3],
      padBegin: [2, 1],
      padEnd: [2, 1],
    }),
  ],
  [
    'asymmetric pads',
    problem({ inChannels: 2, outChannels: 5, inputSize: [6, 7], padBegin: [0, 2], padEnd: [3, 1] }),
  ],
  [
    'groups',
    problem({
      inChannels: 6,
      outChannels: 9,
      groups: 3,
      inputSize: [6, 5],
      padBegin: [1, 1],
      padEnd: [1, 1],
    }),
  ],
  [
    'depthwise with channel multiplier 2',
    problem({
      inChannels: 4,
      outChannels: 8,
      groups: 4,
      inputSize: [7, 6],
      stride: [2, 1],
      padBegin: [1, 1],
      padEnd: [1, 1],
    }),
  ],
  [
    'batch 3',
    problem({
      batch: 3,
      inChannels: 3,
      outChannels: 5,
      inputSize: [5, 6],
      padBegin: [1, 0],
      padEnd: [0, 1],
    }),
  ],
  [
    '1-D',
    problem({
      inChannels: 3,
      outChannels: 5,
      inputSize: [17],
      kernelSize: [4],
      stride: [2],
      dilation: [3],
      padBegin: [2],
      padEnd: [5],
    }),
  ],
  [
    '1-D depthwise, batch 2',
    problem({
      batch: 2,
      inChannels: 3,
      outChannels: 3,
      groups: 3,
      inputSize: [9],
      kernelSize: [3],
      padBegin: [1],
      padEnd: [1],
    }),
  ],
  [
    '3-D',
    problem({
      inChannels: 2,
      outChannels: 3,
      inputSize: [5, 6, 7],
      kernelSize: [2, 3, 2],
      stride: [1, 2, 1],
      dilation: [2, 1, 1],
      padBegin: [1, 0, 2],
      padEnd: [0, 2, 1],
    }),
  ],
  [
    '3-D grouped, batch 2',
    problem({
      batch: 2,
      inChannels: 4,
      outChannels: 6,
      groups: 2,
      inputSize: [4, 5, 3],
      kernelSize: [3, 3, 3],
      padBegin: [1, 1, 1],
      padEnd: [1, 1, 1],
    }),
  ],
];

describe('im2col equals the oracle bit for bit on integer data (float32 and float64)', () => {
  it.each(edgeCases)('%s, both modes, bias on/off', (_, base) => {
    for (const p of allVariants(base)) expectBitExact(p);
  });

  it('several column blocks whose edges fall mid-row, and K slices (R > KC)', () => {
    // R = 64·9 = 576 → blocks of ⌊2^20/576⌋ = 1820 positions; ΠO = 2209.
    const base = problem({
      inChannels: 64,
      outChannels: 5,
      inputSize: [47, 47],
      padBegin: [1, 1],
      padEnd: [1, 1],
    });
    const g = convGeometry(base);
    expect(columnBlockWidth(g)).toBeLessThan(g.outputVolume);
    expect(g.outputVolume % columnBlockWidth(g)).not.toBe(0);
    expect(columnBlockWidth(g) % g.outputSize[1]!).not.toBe(0);
    expectBitExact({ ...base, mode: 'convolution', bias: true });
  });

  it('a 3-D problem split into column blocks', () => {
    const base = problem({
      inChannels: 40,
      outChannels: 3,
      inputSize: [6, 30, 31],
      kernelSize: [3, 3, 3],
      padBegin: [1, 1, 1],
      padEnd: [1, 1, 1],
    });
    const g = convGeometry(base);
    expect(g.reductionLength * g.outputVolume).toBeGreaterThan(columnBlockElements);
    expectBitExact({ ...base, bias: true });
  });
});

describe('special values', () => {
  it('Inf in the input makes padded taps NaN, as the oracle does (0 · Inf)', () => {
    const p = problem({
      inChannels: 1,
      outChannels: 2,
      inputSize: [3, 4],
      padBegin: [1, 1],
      padEnd: [1, 1],
      bias: true,
    });
    const data = operands(p);
    data.x[0] = Number.POSITIVE_INFINITY;
    data.x[6] = Number.NaN;
    data.w[4] = 0; // a zero weight meeting Inf: NaN as well
    expectBitExact(p, data);
  });
});

/** Uniform values in [-1, 1) from a seeded generator. */
const reals = uniformData;

describe('real-valued data within the derived bound', () => {
  /*
   * Bound per element: |y − ref| ≤ (R + 2) · u · Σ|x·w| with u = 2^-24 for float32,
   * R = reductionLength and Σ|x·w| the oracle on absolute values (bias included).
   * Derivation: x, w are float32, so each product is exact in float64. The result is
   * a sum of R products and the bias; any order of recursive summation that rounds
   * to float32 after each addition errs by at most γ_{R+1} Σ|terms| (Higham, Accuracy
   * and Stability, §4.2), with γ_n = n·u/(1 − n·u) ≤ (n + 1)·u for n·u ≤ 1/(n + 1).
   * The kernel rounds to float32 far less often (once per K slice of 256 and once for
   * the bias), and the oracle's float64 error (≤ (R + 1)·2^-53·Σ) is negligible.
   * For float64 both sides err by at most γ_{R+1} with u = 2^-53: (2R + 4)·2^-53·Σ.
   */
  const p = problem({
    mode: 'convolution',
    inChannels: 40,
    outChannels: 6,
    inputSize: [9, 11],
    padBegin: [1, 2],
    padEnd: [2, 1],
    stride: [1, 2],
    bias: true,
  });
  const g = convGeometry(p);
  const x = Float32Array.from(reals(g.inputLength, 7));
  const w = Float32Array.from(reals(g.weightLength, 8));
  const b = Float32Array.from(reals(g.outChannels, 9));
  const ref = referenceConv(p, x, w, b);
  const abs = (a: Float32Array) => Array.from(a, Math.abs);
  const magnitude = referenceConv(p, abs(x), abs(w), abs(b));
  const R = g.reductionLength;

  it.each([
    ['float32', () => im2colConv(p, x, w, b), (R + 2) * 2 ** -24],
    [
      'float64',
      () => im2colConv64(p, Float64Array.from(x), Float64Array.from(w), Float64Array.from(b)),
      (2 * R + 4) * 2 ** -53,
    ],
  ] as const)('%s', (_, run, relative) => {
    const y = run();
    let worst = 0;
    for (let i = 0; i < y.length; i++) {
      const bound = relative * magnitude[i]!;
      worst = Math.max(worst, Math.abs(y[i]! - ref[i]!) / bound);
    }
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('workspace', () => {
  const big = problem({
    inChannels: 64,
    outChannels: 64,
    inputSize: [56, 56],
    padBegin: [1, 1],
    padEnd: [1, 1],
  });

  it('states its size: the A block plus the column block packed as float64', () => {
    const g = convGeometry(big);
    const R = g.reductionLength;
    const width = columnBlockWidth(g);
    const up4 = (n: number) => Math.ceil(n / 4) * 4;
    const expected =
      8 * (Math.min(128, up4(g.outChannelsPerGroup)) * Math.min(256, R) + up4(width) * R + 16);
    expect(im2colWorkspaceBytes(g, 'float32')).toBe(expected);
    expect(im2colWorkspaceBytes(g, 'float64')).toBe(expected);
    expect(width * R).toBeLessThanOrEqual(columnBlockElements);
  });

  it('refuses a problem over maxWorkspaceBytes, in supports() and in conv()', () => {
    const g = convGeometry(big);
    const needed = im2colWorkspaceBytes(g, 'float32');
    const kernel = createIm2colKernel({ maxWorkspaceBytes: needed - 1 });
    const reason = kernel.supports?.(big);
    expect(reason).toContain(formatDescriptor(big));
    expect(reason).toContain(`${needed} bytes`);
    expect(reason).toContain(`maxWorkspaceBytes = ${needed - 1}`);
    const x = new Float32Array(g.inputLength);
    const w = new Float32Array(g.weightLength);
    expect(() => kernel.conv(big, x, w)).toThrow(RangeError);
    expect(() => im2colConv(big, x, w, undefined, { maxWorkspaceBytes: needed - 1 })).toThrow(
      `needs ${needed} bytes`,
    );
    expect(createIm2colKernel({ maxWorkspaceBytes: needed }).supports?.(big)).toBe(true);
  });

  it('rejects a maxWorkspaceBytes that is not a number ≥ 0', () => {
    expect(() => createIm2colKernel({ maxWorkspaceBytes: Number.NaN })).toThrow(
      /maxWorkspaceBytes must be a number ≥ 0, got NaN/,
    );
    const p = problem({});
    const g = convGeometry(p);
    const x = new Float64Array(g.inputLength);
    expect(() => im2colConv64(p, x, x.slice(0, 9), undefined, { maxWorkspaceBytes: -1 })).toThrow(
      /got -1/,
    );
  });

  it('supports() gives the reason for an invalid problem', () => {
    expect(im2colKernel.supports?.(problem({ groups: 2, inChannels: 3 }))).toMatch(/groups/);
  });
});

describe('ownership', () => {
  const p = problem({
    inChannels: 3,
    outChannels: 4,
    inputSize: [6, 7],
    padBegin: [1, 1],
    padEnd: [1, 1],
    bias: true,
  });
  const data = operands(p, 5);

  it.each([
    ['im2col', im2colKernel, Float32Array],
    ['im2col-f64', im2colKernel64, Float64Array],
  ] as const)(
    '%s leaves its inputs alone and returns a fresh array each call',
    async (name, kernel, Type) => {
      expect(kernel.name).toBe(name);
      const x = Type.from(data.x);
      const w = Type.from(data.w);
      const b = Type.from(data.b!);
      const first = await kernel.conv(p, x, w, b);
      expect(Array.from(x)).toEqual(Array.from(data.x));
      expect(Array.from(w)).toEqual(Array.from(data.w));
      expect(Array.from(b)).toEqual(Array.from(data.b!));
      expect(first).toBeInstanceOf(Type);
      expect(first.buffer.byteLength).toBe(first.byteLength); // not a view into a cache
      const expected = Array.from(first);
      first.fill(99);
      const second = await kernel.conv(p, x, w, b);
      expect(second).not.toBe(first);
      expect(second.buffer).not.toBe(first.buffer);
      expect(Array.from(second)).toEqual(expected);
      expect(first[0]).toBe(99);
    },
  );

  it('rejects operands of the other dtype', () => {
    const x = Float64Array.from(data.x);
    const w = Float64Array.from(data.w);
    expect(() => im2colKernel.conv(p, x, w, Float64Array.from(data.b!))).toThrow(
      /im2col: input must be a Float32Array/,
    );
  });
});

/**
 * Mutation-testing additions (formerly im2col.mutation.test.ts):
 * Mutation-testing additions for im2col: when the input is used as the column
 * matrix, the column-block width and workspace formulas, the workspace limit and
 * refusal messages, operand type errors, and problems of the input-as-columns path
 * (grouped, batched) and of depth strides, checked bit for bit against the oracle.
 */
describe('mutation-testing additions', () => {
  const problem = convProblem;

  /** Small integers: every partial sum is exact in float32, so results match bit for bit. */
  const ints = (length: number, seed: number) =>
    Array.from({ length }, (_, i) => ((i * 5 + seed * 7) % 9) - 4);

  describe('inputIsColumns', () => {
    const oneByOne = problem({ inputSize: [3, 4], kernelSize: [1, 1] });

    it('holds for a 1×1 kernel at stride 1 without padding', () => {
      expect(inputIsColumns(convGeometry(oneByOne))).toBe(true);
    });

    it('fails when any one dimension has a larger kernel, a stride or a pad', () => {
      for (const change of [
        { kernelSize: [1, 2] },
        { stride: [1, 2] },
        { padBegin: [0, 1] },
        { padEnd: [1, 0] },
      ]) {
        expect(
          inputIsColumns(convGeometry({ ...oneByOne, ...change })),
          JSON.stringify(change),
        ).toBe(false);
      }
    });
  });

  describe('column blocks and workspace', () => {
    it('uses all output positions when the input is the column matrix', () => {
      const g = convGeometry(
        problem({ inChannels: 3, outChannels: 2, inputSize: [5, 7], kernelSize: [1, 1] }),
      );
      expect(columnBlockWidth(g)).toBe(35);
      expect(im2colWorkspaceBytes(g, 'float32')).toBe(gemmWorkspaceBytes(2, 35, 3));
    });

    it('uses all output positions for a 1×1 problem even when R is large', () => {
      // R = 100000: the general rule would give ⌊2^20 / R⌋ = 10 → 8 positions of 20.
      const g = convGeometry(problem({ inChannels: 100000, inputSize: [20], kernelSize: [1] }));
      expect(columnBlockWidth(g)).toBe(20);
    });

    it('sizes a 1×1 problem for B packed block by block (K = 300 > KC), not whole', () => {
      const g = convGeometry(problem({ inChannels: 300, inputSize: [9], kernelSize: [1] }));
      expect(im2colWorkspaceBytes(g, 'float32')).toBe(gemmWorkspaceBytes(1, 9, 300));
      expect(gemmWorkspaceBytes(1, 9, 300)).not.toBe(gemmWorkspaceBytes(1, 9, 300, true));
    });

    it('keeps a whole small problem in one block, not rounded to NR', () => {
      const g = convGeometry(problem({ inputSize: [9], kernelSize: [3] }));
      expect(columnBlockWidth(g)).toBe(7);
      expect(im2colWorkspaceBytes(g, 'float64')).toBe(gemmWorkspaceBytes(1, 7, 3, true));
    });

    it('cuts a block to 2^20 / R positions, rounded down to a multiple of NR = 4', () => {
      // R = 100000 · 1: ⌊1048576 / 100000⌋ = 10 of 22 positions, rounded down to 8.
      const g = convGeometry(
        problem({
          inChannels: 100000,
          inputSize: [20],
          kernelSize: [1],
          padBegin: [1],
          padEnd: [1],
        }),
      );
      expect(columnBlockWidth(g)).toBe(8);
    });

    it('keeps a block narrower than NR as it is, and never below one position', () => {
      // R = 300000: ⌊1048576 / 300000⌋ = 3 positions.
      const three = convGeometry(problem({ inChannels: 100000, inputSize: [20], kernelSize: [3] }));
      expect(columnBlockWidth(three)).toBe(3);
      // R = 1100000 > 2^20: one position per block.
      const one = convGeometry(problem({ inChannels: 100000, inputSize: [20], kernelSize: [11] }));
      expect(columnBlockWidth(one)).toBe(1);
    });

    it('shares one GEMM workspace until it is released', () => {
      const ws = gemmWorkspace();
      expect(gemmWorkspace()).toBe(ws);
      releaseIm2colWorkspace();
      const fresh = gemmWorkspace();
      expect(fresh).not.toBe(ws);
      expect(fresh.packed.length).toBe(0);
    });
  });

  describe('workspace limit', () => {
    it('defaults to 2^30 bytes and accepts 0 and Infinity', () => {
      expect(workspaceLimit()).toBe(2 ** 30);
      expect(workspaceLimit({})).toBe(2 ** 30);
      expect(workspaceLimit({ maxWorkspaceBytes: 0 })).toBe(0);
      expect(workspaceLimit({ maxWorkspaceBytes: Number.POSITIVE_INFINITY })).toBe(Infinity);
    });

    it('refuses a negative, NaN or non-number limit, naming it', () => {
      for (const bad of [-1, Number.NaN, '5']) {
        expect(() => workspaceLimit({ maxWorkspaceBytes: bad as number })).toThrow(
          new RangeError(`im2col: maxWorkspaceBytes must be a number ≥ 0, got ${String(bad)}`),
        );
      }
    });

    it('refuses only beyond the limit, naming the problem, bytes and dtype', () => {
      const p = problem({ inputSize: [6, 6], kernelSize: [3, 3] });
      const g = convGeometry(p);
      const needed = im2colWorkspaceBytes(g, 'float64');
      expect(workspaceRefusal(g, 'float64', { maxWorkspaceBytes: needed })).toBeUndefined();
      expect(workspaceRefusal(g, 'float64', { maxWorkspaceBytes: needed - 1 })).toBe(
        `im2col: ${formatDescriptor(p)} needs ${needed} bytes of workspace (float64), ` +
          `more than maxWorkspaceBytes = ${needed - 1}`,
      );
      const x = new Float32Array(36);
      const w = new Float32Array(9);
      expect(() => im2colConv(p, x, w, undefined, { maxWorkspaceBytes: 1 })).toThrow('(float32)');
      expect(() =>
        im2colConv64(p, Float64Array.from(x), Float64Array.from(w), undefined, {
          maxWorkspaceBytes: 1,
        }),
      ).toThrow('(float64)');
    });
  });

  describe('im2col kernels', () => {
    const p = problem({ outChannels: 2, inputSize: [4], kernelSize: [2], bias: true });

    it('name the operand of the wrong type', () => {
      const x32 = new Float32Array(4);
      const w32 = new Float32Array(4);
      const b32 = new Float32Array(2);
      expect(() => im2colKernel.conv(p, x32, new Float64Array(4), b32)).toThrow(
        new TypeError('im2col: weight must be a Float32Array, got [object Float64Array]'),
      );
      expect(() => im2colKernel.conv(p, x32, w32, new Float64Array(2))).toThrow(
        new TypeError('im2col: bias must be a Float32Array, got [object Float64Array]'),
      );
      const x64 = new Float64Array(4);
      const w64 = new Float64Array(4);
      expect(() => im2colKernel64.conv(p, x32, w64, new Float64Array(2))).toThrow(
        new TypeError('im2col-f64: input must be a Float64Array, got [object Float32Array]'),
      );
      expect(() => im2colKernel64.conv(p, x64, w32, new Float64Array(2))).toThrow(
        'im2col-f64: weight must be a Float64Array',
      );
      expect(() => im2colKernel64.conv(p, x64, w64, b32)).toThrow(
        'im2col-f64: bias must be a Float64Array',
      );
    });

    it('say their dtype and name', () => {
      expect([im2colKernel.name, im2colKernel.dtype]).toEqual(['im2col', 'float32']);
      expect([im2colKernel64.name, im2colKernel64.dtype]).toEqual(['im2col-f64', 'float64']);
      expect(createIm2colKernel({ dtype: 'float64' }).dtype).toBe('float64');
    });

    it('im2col-f64 runs without a bias', () => {
      const q = { ...p, bias: false };
      const x = Float64Array.from([1, -2, 3, 4]);
      const w = Float64Array.from([2, 1, -1, 3]);
      expect(Array.from(im2colKernel64.conv(q, x, w) as Float64Array)).toEqual(
        Array.from(referenceConv(q, x, w)),
      );
    });
  });

  describe('im2col against the oracle, bit for bit', () => {
    const cases: [string, ConvProblem][] = [
      [
        '1×1 input-as-columns, grouped, batch 2, bias',
        problem({
          batch: 2,
          inChannels: 4,
          outChannels: 6,
          groups: 2,
          inputSize: [3, 5],
          kernelSize: [1, 1],
          bias: true,
        }),
      ],
      [
        '1×1 input-as-columns, 3 groups, batch 3, no bias',
        problem({
          batch: 3,
          inChannels: 6,
          outChannels: 3,
          groups: 3,
          inputSize: [7],
          kernelSize: [1],
        }),
      ],
      [
        '3-D with stride 2 in depth, batch 2',
        problem({
          batch: 2,
          inChannels: 2,
          outChannels: 2,
          inputSize: [5, 3, 4],
          kernelSize: [2, 2, 2],
          stride: [2, 1, 1],
          padBegin: [1, 0, 1],
          mode: 'convolution',
          bias: true,
        }),
      ],
    ];
    for (const [what, q] of cases) {
      it(what, () => {
        const g = convGeometry(q);
        const x = ints(g.inputLength, 1);
        const w = ints(g.weightLength, 2);
        const b = q.bias ? ints(g.biasLength, 3) : undefined;
        const expected = Array.from(referenceConv(q, x, w, b));
        const b32 = b && Float32Array.from(b);
        expect(Array.from(im2colConv(q, Float32Array.from(x), Float32Array.from(w), b32))).toEqual(
          expected,
        );
        const b64 = b && Float64Array.from(b);
        expect(
          Array.from(im2colConv64(q, Float64Array.from(x), Float64Array.from(w), b64)),
        ).toEqual(expected);
      });
    }
  });
});
