import { describe, expect, it } from 'vitest';
import {
  type ConvProblem,
  convGeometry,
  formatDescriptor,
  referenceConv,
} from '../../reference/index.ts';
import { randomInteger, seededRandom } from '../../reference/random.ts';
import {
  integerData,
  type TestOperands,
  testOperands,
  uniformData,
} from '../../reference/testing.ts';
import {
  columnBlockElements,
  columnBlockWidth,
  createIm2colKernel,
  im2colConv,
  im2colConv64,
  im2colKernel,
  im2colKernel64,
  im2colWorkspaceBytes,
} from './index.ts';

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
