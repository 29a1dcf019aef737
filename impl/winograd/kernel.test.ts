/**
 * The Winograd kernel against the float64 oracle.
 *
 * Real data is checked per element with the derived bound (error-constants.ts):
 *
 *   |ŷ − ref| ≤ c·amp(i,j)·S + u_b·|ref| + e_ref,
 *
 * with c = winogradRoundingFactor(...) (≈ (3·Σ_dims γ-terms + γ_K)·u), amp the
 * product of the per-dimension amplification factors Σ_ξ |Aᵀ[i][ξ]|·Σ_k|G[ξ][k]|·Σ_j|Bᵀ[ξ][j]|
 * of the output's position in its tile, S = Σ_c ‖g_c‖∞·‖d_c‖∞ over the output's input
 * tile (the tile analogue of Σ|x·w|: Winograd mixes every input of the tile into
 * every output, so the output's own Σ|x·w| cannot bound it), u_b the bias rounding
 * and e_ref = γ_(K·ΠK+1)(float64)·(Σ|x·w| + |b|) the oracle's own rounding.
 *
 * Over 300 lines, on purpose: a unit's test file holds all of its tests, including
 * its mutation-testing additions.
 */
import { describe, expect, it } from 'vitest';
import { gamma, unitRoundoff } from '../../reference/float.ts';
import {
  type ConvKernel,
  type ConvProblem,
  convGeometry,
  type FloatArray,
  formatDescriptor,
  referenceConv,
} from '../../reference/index.ts';
import { type Random, randomInteger, seededRandom } from '../../reference/random.ts';
import { convProblem, type TestOperands, testOperands } from '../../reference/testing.ts';
import { createWinogradSimdKernel, winogradF2SimdKernel } from '../wasm/index.ts';
import { winogradErrorBound } from './error-bound.ts';
import {
  createWinogradKernel,
  type WinogradKernelOptions,
  winogradF2Kernel,
  winogradF4Kernel,
  winogradMagnitudes,
} from './kernel.ts';
import { winogradPlan, winogradWorkspaceBytes } from './plan.ts';
import { rational, type WinogradPoint, winogradTransforms } from './transforms.ts';

/** A 2-D (or the rank of `inputSize`) problem with a 6-wide input and 3-wide kernel by default. */
function problem(over: Partial<ConvProblem>): ConvProblem {
  const rank = over.inputSize?.length ?? 2;
  return convProblem({
    inputSize: Array(rank).fill(6),
    kernelSize: Array(rank).fill(3),
    ...over,
  });
}

type Operands = TestOperands;

const realOperands = (p: ConvProblem, random: Random): Operands =>
  testOperands(p, () => -1 + 2 * random());

const integerOperands = (p: ConvProblem, random: Random): Operands =>
  testOperands(p, () => randomInteger(random, -8, 8));

/** Makes a Winograd kernel: on the JavaScript products or on the WebAssembly SIMD GEMM. */
type MakeKernel = (options: WinogradKernelOptions) => ConvKernel;

/**
 * The two product engines. The SIMD one sums each product in float32 instead of
 * float64; the bound's γ_K (float32) covers both, so every bound test runs on both.
 */
const ENGINES: [string, MakeKernel][] = [
  ['JavaScript products', createWinogradKernel],
  ['WebAssembly SIMD products', (options) => createWinogradSimdKernel(options)],
];

/** Runs the kernel and checks every element against the oracle within the derived bound. */
async function expectWithinBound(
  make: MakeKernel,
  options: WinogradKernelOptions,
  p: ConvProblem,
  ops: Operands,
) {
  const kernel = make(options);
  expect(kernel.supports?.(p)).toBe(true);
  const y = await kernel.conv(p, ops.x, ops.w, ops.b);
  const ref = referenceConv(p, ops.x, ops.w, ops.b);
  const sums = referenceConv(p, ops.x.map(Math.abs), ops.w.map(Math.abs), ops.b?.map(Math.abs));
  const dtype = options.dtype ?? 'float32';
  const bound = winogradErrorBound(p, ops.x, ops.w, ops.b, {
    m: options.m,
    dtype,
    ...(options.points ? { points: options.points } : {}),
  });
  const g = convGeometry(p);
  const terms = g.reductionLength + 1;
  const oracleError = gamma(terms, unitRoundoff('float64')) * (1 + bound.relative);
  expect(y.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const limit = bound.absolute[i]! + bound.relative * Math.abs(ref[i]!) + oracleError * sums[i]!;
    const err = Math.abs(y[i]! - ref[i]!);
    if (!(err <= limit)) {
      throw new Error(
        `${formatDescriptor(p)} m=${options.m} ${dtype}: element ${i}: got ${y[i]}, ` +
          `oracle ${ref[i]}, |error| ${err} > bound ${limit}`,
      );
    }
  }
  return y;
}

/** A random stride-1 problem with every size small enough for the oracle. */
function randomProblem(random: Random, rank: 1 | 2, kernelMax: number): ConvProblem {
  const groups = randomInteger(random, 1, 3);
  const kernelSize = Array.from({ length: rank }, () => randomInteger(random, 1, kernelMax));
  const padBegin = kernelSize.map((k) => randomInteger(random, 0, k + 1));
  const padEnd = kernelSize.map((k) => randomInteger(random, 0, k + 1));
  const inputSize = kernelSize.map((k, i) =>
    Math.max(1, k - padBegin[i]! - padEnd[i]!, randomInteger(random, 1, 11)),
  );
  return problem({
    mode: random() < 0.5 ? 'convolution' : 'cross-correlation',
    batch: randomInteger(random, 1, 2),
    inChannels: groups * randomInteger(random, 1, 3),
    outChannels: groups * randomInteger(random, 1, 3),
    groups,
    inputSize,
    kernelSize,
    stride: Array(rank).fill(1),
    dilation: Array(rank).fill(1),
    padBegin,
    padEnd,
    bias: random() < 0.5,
  });
}

describe.each(ENGINES)(
  'winograd kernel (%s) vs the oracle, real data, derived bound',
  (engine, make) => {
    const random = seededRandom(0xc0ffee);

    it.each([2, 4, 6])(
      'F(%i): random 2-D problems (ragged, padded, grouped, both modes)',
      async (m) => {
        for (let trial = 0; trial < 25; trial++) {
          const p = randomProblem(random, 2, m === 6 ? 3 : 4);
          await expectWithinBound(make, { m }, p, realOperands(p, random));
        }
      },
    );

    it.each([2, 4, 6])('F(%i): random 1-D problems', async (m) => {
      for (let trial = 0; trial < 25; trial++) {
        const p = randomProblem(random, 1, 9 - m);
        await expectWithinBound(make, { m }, p, realOperands(p, random));
      }
    });

    it('ragged outputs of every size 1..11 along each dimension', async () => {
      for (let out = 1; out <= 11; out++) {
        const p = problem({
          inChannels: 2,
          outChannels: 2,
          inputSize: [out + 2, 14 - out],
          bias: true,
        });
        await expectWithinBound(make, { m: 4 }, p, realOperands(p, random));
        await expectWithinBound(make, { m: 2 }, p, realOperands(p, random));
      }
    });

    it('kernel as large as the input (one output), 1-D and 2-D', async () => {
      for (const p of [
        problem({ inputSize: [5, 5], kernelSize: [5, 5], inChannels: 3, outChannels: 2 }),
        problem({ inputSize: [7], kernelSize: [7], inChannels: 2 }),
      ]) {
        await expectWithinBound(make, { m: 2 }, p, realOperands(p, random));
      }
    });

    it('pads beyond r − 1: whole windows and whole tiles in the padding', async () => {
      const p = problem({
        inputSize: [2, 3],
        padBegin: [4, 5],
        padEnd: [5, 3],
        inChannels: 2,
        outChannels: 3,
        bias: true,
      });
      await expectWithinBound(make, { m: 4 }, p, realOperands(p, random));
      await expectWithinBound(make, { m: 2 }, p, realOperands(p, random));
    });

    it('asymmetric padding, batch > 1, bias, true convolution', async () => {
      const p = problem({
        mode: 'convolution',
        batch: 3,
        inChannels: 3,
        outChannels: 4,
        inputSize: [9, 10],
        padBegin: [2, 0],
        padEnd: [0, 1],
        bias: true,
      });
      await expectWithinBound(make, { m: 4 }, p, realOperands(p, random));
    });

    it('groups and depthwise', async () => {
      const grouped = problem({
        groups: 2,
        inChannels: 4,
        outChannels: 6,
        inputSize: [8, 9],
        padBegin: [1, 1],
        padEnd: [1, 1],
      });
      const depthwise = problem({
        groups: 5,
        inChannels: 5,
        outChannels: 10,
        inputSize: [7, 11],
        padBegin: [1, 1],
        padEnd: [1, 1],
        bias: true,
      });
      for (const p of [grouped, depthwise])
        await expectWithinBound(make, { m: 4 }, p, realOperands(p, random));
    });

    it('non-square kernels nest F(m, r_h) × F(m, r_w)', async () => {
      for (const kernelSize of [
        [1, 3],
        [3, 1],
        [2, 5],
        [5, 2],
        [1, 1],
        [3, 4],
      ]) {
        const p = problem({
          kernelSize,
          inputSize: [9, 8],
          inChannels: 2,
          outChannels: 2,
          padBegin: [1, 2],
          padEnd: [2, 1],
        });
        await expectWithinBound(make, { m: 4 }, p, realOperands(p, random));
      }
    });

    // The SIMD products are float32 only.
    if (engine === 'JavaScript products') {
      it('float64: within the bound for u = 2^-53', async () => {
        for (let trial = 0; trial < 10; trial++) {
          const p = randomProblem(random, 2, 3);
          const ops = realOperands(p, random);
          const y = await expectWithinBound(make, { m: 4, dtype: 'float64' }, p, ops);
          expect(y).toBeInstanceOf(Float64Array);
        }
      });
    }

    it('the componentwise bound is below the norm-based one and not vacuous', () => {
      // No padding: every window is full, so Σ|x·w| is of the order of the tile's S.
      const p = problem({ inChannels: 16, outChannels: 4, inputSize: [14, 14] });
      const ops = realOperands(p, random);
      const bound = winogradErrorBound(p, ops.x, ops.w, undefined, { m: 4, dtype: 'float32' });
      const sums = referenceConv(p, ops.x.map(Math.abs), ops.w.map(Math.abs));
      for (let i = 0; i < sums.length; i++) {
        // W ≤ amp·S is the amplification theorem of error-constants.ts.
        expect(bound.absolute[i]!).toBeLessThanOrEqual(bound.coarse[i]!);
        // A bug as small as 10^-3 relative to Σ|x·w| would break the bound.
        expect(bound.absolute[i]!).toBeLessThan(1e-3 * sums[i]!);
      }
    });
  },
);

describe('winograd kernel, dyadic small-integer data', () => {
  const random = seededRandom(77);

  // F(2,3)'s transforms hold only 0, ±1 and ±1/2, so on small integers every
  // intermediate is a short dyadic rational: the result is exact, bit for bit.
  it('F(2×2,3×3) and F(2,3) equal the oracle exactly', async () => {
    for (const p of [
      problem({
        inChannels: 4,
        outChannels: 3,
        inputSize: [9, 7],
        padBegin: [1, 2],
        padEnd: [1, 0],
        bias: true,
      }),
      problem({
        mode: 'convolution',
        batch: 2,
        inChannels: 3,
        outChannels: 2,
        inputSize: [11],
        kernelSize: [3],
        stride: [1],
        dilation: [1],
        padBegin: [2],
        padEnd: [1],
      }),
    ]) {
      const ops = integerOperands(p, random);
      const expected = Array.from(referenceConv(p, ops.x, ops.w, ops.b));
      for (const kernel of [winogradF2Kernel, winogradF2SimdKernel]) {
        const y = await kernel.conv(p, ops.x, ops.w, ops.b);
        expect(Array.from(y)).toEqual(expected);
      }
    }
  });

  it('F(4×4,3×3) stays within the bound on integers (1/6 in G is not dyadic)', async () => {
    const p = problem({
      inChannels: 4,
      outChannels: 3,
      inputSize: [10, 10],
      padBegin: [1, 1],
      padEnd: [1, 1],
    });
    await expectWithinBound(createWinogradKernel, { m: 4 }, p, integerOperands(p, random));
    await expectWithinBound(ENGINES[1]![1], { m: 4 }, p, integerOperands(p, random));
  });
});

describe('winograd kernel: compiled tile transforms', () => {
  it('give bit-identical results to the generic matrix form', async () => {
    const random = seededRandom(5);
    for (const m of [2, 4, 6]) {
      for (const kernelSize of [
        [3, 3],
        [2, 3],
        [3, 1],
      ]) {
        const p = problem({
          kernelSize,
          inputSize: [10, 11],
          inChannels: 3,
          outChannels: 2,
          padBegin: [1, 1],
          padEnd: [1, 1],
          bias: true,
        });
        const ops = realOperands(p, random);
        const compiled = await createWinogradKernel({ m }).conv(p, ops.x, ops.w, ops.b);
        const generic = await createWinogradKernel({ m, tileTransforms: 'generic' }).conv(
          p,
          ops.x,
          ops.w,
          ops.b,
        );
        expect(Array.from(compiled)).toEqual(Array.from(generic));
      }
    }
  });

  it('tile blocks of any size give the same result', async () => {
    const random = seededRandom(6);
    const p = problem({
      batch: 2,
      inChannels: 3,
      outChannels: 2,
      inputSize: [13, 9],
      padBegin: [1, 1],
      padEnd: [1, 1],
    });
    const ops = realOperands(p, random);
    const whole = await createWinogradKernel({ m: 4 }).conv(p, ops.x, ops.w);
    for (const tilesPerBlock of [1, 5, 7]) {
      const blocked = await createWinogradKernel({ m: 4, tilesPerBlock }).conv(p, ops.x, ops.w);
      expect(Array.from(blocked)).toEqual(Array.from(whole));
    }
  });
  it('output-channel blocks of any size, with tile blocks, give the same result', async () => {
    // Blocks smaller than a group's output channels transform the filters again for every
    // tile block; 7 channels leave a ragged panel of 3, 2 groups a second group's offsets.
    const random = seededRandom(7);
    const p = problem({
      batch: 2,
      inChannels: 6,
      outChannels: 14,
      groups: 2,
      inputSize: [9, 10],
      padBegin: [1, 0],
      padEnd: [0, 1],
      bias: true,
      mode: 'convolution',
    });
    const ops = realOperands(p, random);
    const whole = await createWinogradKernel({ m: 4 }).conv(p, ops.x, ops.w, ops.b);
    expect(winogradPlan(convGeometry(p), { m: 4 }).outChannelsPerBlock).toBe(7);
    for (const [outChannelsPerBlock, tilesPerBlock] of [
      [1, 3],
      [4, 5],
      [5, 16],
    ] as const) {
      const kernel = createWinogradKernel({ m: 4, outChannelsPerBlock, tilesPerBlock });
      const blocked = await kernel.conv(p, ops.x, ops.w, ops.b);
      expect(Array.from(blocked)).toEqual(Array.from(whole));
    }
  });

  it('a kernel reused across problems (kept buffers) matches fresh kernels', async () => {
    const random = seededRandom(8);
    const shared = createWinogradKernel({ m: 4 });
    const problems = [
      problem({
        inChannels: 6,
        outChannels: 5,
        inputSize: [12, 12],
        padBegin: [1, 1],
        padEnd: [1, 1],
      }),
      problem({ inChannels: 2, outChannels: 3, inputSize: [5, 7], kernelSize: [2, 3] }),
      problem({ inChannels: 6, outChannels: 5, inputSize: [9, 13], bias: true }),
    ];
    for (const p of [...problems, ...problems]) {
      const ops = realOperands(p, random);
      const fresh = await createWinogradKernel({ m: 4 }).conv(p, ops.x, ops.w, ops.b);
      const reused = await shared.conv(p, ops.x, ops.w, ops.b);
      expect(Array.from(reused)).toEqual(Array.from(fresh));
    }
  });
});

describe('winograd kernel: supports() and options', () => {
  const base = problem({ inputSize: [8, 8] });

  it('names what it does not support', () => {
    const f4 = winogradF4Kernel;
    expect(f4.supports?.(base)).toBe(true);
    expect(f4.supports?.({ ...base, stride: [2, 2] })).toMatch(/stride \[2, 2\] is not supported/);
    expect(f4.supports?.({ ...base, dilation: [1, 2] })).toMatch(
      /dilation \[1, 2\] is not supported/,
    );
    const threeD = problem({ inputSize: [4, 4, 4] });
    expect(f4.supports?.(threeD)).toMatch(/3-D problems are not supported/);
    expect(f4.supports?.({ ...base, kernelSize: [7, 3] })).toMatch(
      /F\(4, 7\) with tile α = 10 > maxAlpha = 8/,
    );
    expect(f4.supports?.({ ...base, batch: 0 })).toMatch(/batch/);
    const small = createWinogradKernel({ m: 4, maxWorkspaceBytes: 1000 });
    expect(small.supports?.(base)).toMatch(/bytes of workspace > maxWorkspaceBytes = 1000/);
  });

  it('conv() refuses unsupported problems with the same reason', () => {
    const x = new Float32Array(64);
    const w = new Float32Array(9);
    expect(() => winogradF4Kernel.conv({ ...base, stride: [2, 2] }, x, w)).toThrow(
      /winograd-f4: stride \[2, 2\]/,
    );
  });

  it('validates its options, naming the field', () => {
    expect(() => createWinogradKernel({ m: 0 })).toThrow(
      /options\.m must be a positive integer, got 0/,
    );
    expect(() => createWinogradKernel({ m: 2, maxAlpha: 1.5 })).toThrow(/options\.maxAlpha/);
    expect(winogradF2Kernel.name).toBe('winograd-f2');
    expect(createWinogradKernel({ m: 6, dtype: 'float64' }).name).toBe('winograd-f6-f64');
  });

  it('reports the workspace it allocates, growing with the channels', () => {
    const g = convGeometry(base);
    const plan = winogradPlan(g, { m: 4 });
    const bytes = winogradWorkspaceBytes(g, 4, 'float32');
    const floats =
      plan.alphaArea * (plan.matrixStride.U + plan.matrixStride.V + plan.matrixStride.M);
    expect(bytes).toBeGreaterThan(4 * floats);
    const wide = convGeometry({ ...base, inChannels: 32, outChannels: 32 });
    expect(winogradWorkspaceBytes(wide, 4, 'float32')).toBeGreaterThan(bytes);
    expect(winogradWorkspaceBytes(g, 4, 'float64')).toBeGreaterThan(bytes);
  });
});

describe('winograd kernel: operands', () => {
  it('does not modify its inputs and returns a fresh array each call', async () => {
    const random = seededRandom(9);
    const p = problem({
      inChannels: 2,
      outChannels: 2,
      inputSize: [7, 7],
      padBegin: [1, 1],
      padEnd: [1, 1],
      bias: true,
      mode: 'convolution',
    });
    const ops = realOperands(p, random);
    const copies = [ops.x.slice(), ops.w.slice(), ops.b!.slice()];
    const first: FloatArray = await winogradF4Kernel.conv(p, ops.x, ops.w, ops.b);
    const second = await winogradF4Kernel.conv(p, ops.x, ops.w, ops.b);
    expect([ops.x, ops.w, ops.b]).toEqual(copies);
    expect(second).not.toBe(first);
    expect(first.buffer).not.toBe(ops.x.buffer);
    expect(Array.from(second)).toEqual(Array.from(first));
    expect(first).toBeInstanceOf(Float32Array);
  });

  it('rejects operands of the wrong length, naming them', () => {
    const p = problem({});
    expect(() => winogradF4Kernel.conv(p, new Float32Array(3), new Float32Array(9))).toThrow(
      /input/,
    );
  });
});

/**
 * Mutation-testing additions (formerly kernel.mutation.test.ts):
 * Mutation-testing additions for kernel.ts.
 *
 * - Where the kernel rounds. The float32 kernel stores U, V, M and the output as
 * float32 values and sums each M over the whole depth in float64 (docs/winograd.md,
 * "The kernel"); on the SIMD GEMM (impl/wasm) each product and partial sum of M is
 * rounded to float32 as well; the float64 kernel never rounds to float32. An independent
 * emulation of one 1-D tile, written from the transform matrices with plain loops in
 * the kernel's summation order, must agree with the kernel bit for bit; so must
 * `winogradMagnitudes`, emulated with |Aᵀ|, |G|, |Bᵀ|, and both with chosen points.
 * - Tiling. F(2×2, 3×3) in float64 on small integers is exact (its transforms hold
 * only 0, ±1 and ±1/2), so there the kernel must equal the oracle bit for bit, for
 * blocks that start in the middle of a tile row and for full panels of tiles.
 */
describe('mutation-testing additions', () => {
  /** Σ_j matrix[row][j]·vector[j] over the nonzeros, in column order, as the transforms sum. */
  function rowDot(matrix: Float64Array, cols: number, row: number, vector: ArrayLike<number>) {
    let sum: number | undefined;
    for (let j = 0; j < cols; j++) {
      const c = matrix[row * cols + j]!;
      if (c !== 0) sum = sum === undefined ? c * vector[j]! : sum + c * vector[j]!;
    }
    return sum ?? 0;
  }

  /**
   * One output tile of F(m, r), 1-D, no padding, C_in channels, one output channel:
   * y = Aᵀ[Σ_c (G g_c) ⊙ (Bᵀ d_c)], with `store` applied where the kernel stores.
   */
  function emulateTile(
    m: number,
    r: number,
    x: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> },
    w: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> },
    channels: number,
    store: (v: number) => number,
    options: {
      points?: readonly WinogradPoint[];
      absolute?: boolean;
      /** One step of M's channel sum; default float64 (rounded once, by `store`). */
      accumulate?: (sum: number, product: number) => number;
    } = {},
  ): number[] {
    const accumulate = options.accumulate ?? ((sum: number, product: number) => sum + product);
    const t = winogradTransforms(m, r, options.points);
    const abs = (a: Float64Array) => (options.absolute ? a.map(Math.abs) : a);
    const [ATf, Gf, BTf, alpha] = [abs(t.ATf), abs(t.Gf), abs(t.BTf), t.alpha];
    const M: number[] = [];
    for (let xi = 0; xi < alpha; xi++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) {
        const u = store(rowDot(Gf, r, xi, w.subarray(c * r, (c + 1) * r)));
        const v = store(rowDot(BTf, alpha, xi, x.subarray(c * alpha, (c + 1) * alpha)));
        sum = accumulate(sum, u * v);
      }
      M.push(store(sum));
    }
    return Array.from({ length: m }, (_, i) => store(rowDot(ATf, alpha, i, M)));
  }

  /** float32 values spread over 2^±12, so that every stored rounding matters. */
  function spread(random: Random, length: number): Float32Array {
    return Float32Array.from(
      { length },
      () => (random() - 0.5) * 2 ** randomInteger(random, -12, 12),
    );
  }

  describe('winograd kernel: rounding where the stages store', () => {
    for (const [m, r] of [
      [2, 3],
      [4, 3],
    ] as const) {
      it(`F(${m}, ${r}) float32 rounds U, V, M and y to float32, M summed in float64`, async () => {
        const random = seededRandom(40 + m);
        const channels = 5;
        const alpha = m + r - 1;
        const p = convProblem({ inChannels: channels, inputSize: [alpha], kernelSize: [r] });
        const kernel = createWinogradKernel({ m });
        let differsFromFloat64 = 0;
        for (let trial = 0; trial < 200; trial++) {
          const x = spread(random, channels * alpha);
          const w = spread(random, channels * r);
          const y = Array.from(await kernel.conv(p, x, w));
          expect(y).toEqual(emulateTile(m, r, x, w, channels, Math.fround));
          const inFloat64 = emulateTile(m, r, x, w, channels, (v) => v).map(Math.fround);
          if (y.some((v, i) => v !== inFloat64[i])) differsFromFloat64++;
        }
        // The data must make the intermediate roundings visible, or the test proves nothing.
        expect(differsFromFloat64).toBeGreaterThan(20);
      });

      it(`F(${m}, ${r}) on the SIMD GEMM also rounds every product and partial sum of M`, async () => {
        const random = seededRandom(60 + m);
        const channels = 5;
        const alpha = m + r - 1;
        const p = convProblem({ inChannels: channels, inputSize: [alpha], kernelSize: [r] });
        const kernel = createWinogradSimdKernel({ m });
        // f32x4.mul then f32x4.add, in increasing channel order, from zero.
        const float32Sum = (sum: number, product: number) =>
          Math.fround(sum + Math.fround(product));
        let differsFromFloat64Sum = 0;
        for (let trial = 0; trial < 200; trial++) {
          const x = spread(random, channels * alpha);
          const w = spread(random, channels * r);
          const y = Array.from(await kernel.conv(p, x, w));
          const emulated = emulateTile(m, r, x, w, channels, Math.fround, {
            accumulate: float32Sum,
          });
          expect(y).toEqual(emulated);
          const float64Sum = emulateTile(m, r, x, w, channels, Math.fround);
          if (y.some((v, i) => v !== float64Sum[i])) differsFromFloat64Sum++;
        }
        // The data must tell a float32 sum from a float64 one, or the test proves nothing.
        expect(differsFromFloat64Sum).toBeGreaterThan(20);
      });

      it(`F(${m}, ${r}) float64 does not round to float32 anywhere`, async () => {
        const random = seededRandom(50 + m);
        const channels = 5;
        const alpha = m + r - 1;
        const p = convProblem({ inChannels: channels, inputSize: [alpha], kernelSize: [r] });
        const kernel = createWinogradKernel({ m, dtype: 'float64' });
        for (let trial = 0; trial < 100; trial++) {
          const x = spread(random, channels * alpha);
          const w = spread(random, channels * r);
          const y = await kernel.conv(p, Float64Array.from(x), Float64Array.from(w));
          expect(Array.from(y)).toEqual(emulateTile(m, r, x, w, channels, (v) => v));
        }
      });
    }
  });

  describe('winograd kernel: chosen points and magnitudes', () => {
    const points: WinogradPoint[] = [rational(0), rational(2), rational(-1, 2), 'inf'];
    const chooser = (m: number, r: number) => (m === 2 && r === 3 ? points : undefined);
    const channels = 3;
    const p = convProblem({ inChannels: channels, inputSize: [4], kernelSize: [3] });

    it('the kernel computes with the chosen points', async () => {
      const random = seededRandom(60);
      const kernel = createWinogradKernel({ m: 2, points: chooser });
      for (let trial = 0; trial < 50; trial++) {
        const x = spread(random, channels * 4);
        const w = spread(random, channels * 3);
        const y = Array.from(await kernel.conv(p, x, w));
        expect(y).toEqual(emulateTile(2, 3, x, w, channels, Math.fround, { points }));
      }
    });

    it('winogradMagnitudes runs |Aᵀ|, |G|, |Bᵀ| of the chosen points on |x|, |w|', () => {
      const random = seededRandom(61);
      for (const chosen of [undefined, points]) {
        const x = spread(random, channels * 4);
        const w = spread(random, channels * 3);
        const W = winogradMagnitudes(p, x, w, { m: 2, ...(chosen ? { points: chooser } : {}) });
        const [ax, aw] = [Float64Array.from(x, Math.abs), Float64Array.from(w, Math.abs)];
        const expected = emulateTile(2, 3, ax, aw, channels, (v) => v, {
          ...(chosen ? { points: chosen } : {}),
          absolute: true,
        });
        expect(Array.from(W)).toEqual(expected);
      }
    });
  });

  /** Small integers: every F(2×2, 3×3) float64 product and sum is exact. */
  function integerOperands(p: ConvProblem, seed: number): TestOperands<Float64Array> {
    const random = seededRandom(seed);
    return testOperands(p, () => randomInteger(random, -9, 9), Float64Array);
  }

  async function expectExactF2(p: ConvProblem, tilesPerBlock?: number) {
    const { x, w, b } = integerOperands(p, 70);
    const kernel = createWinogradKernel({
      m: 2,
      dtype: 'float64',
      ...(tilesPerBlock ? { tilesPerBlock } : {}),
    });
    expect(Array.from(await kernel.conv(p, x, w, b))).toEqual(
      Array.from(referenceConv(p, x, w, b)),
    );
  }

  describe('winograd kernel: tiling, exact on integers (F(2×2, 3×3), float64)', () => {
    it('blocks that start in the middle of a tile row, next to border tiles', async () => {
      // 10 × 10 tiles, columns 1–8 interior: blocks of 6 and 7 start mid-row, and the
      // runs of interior tiles end at a block's edge or at the border column.
      const p = convProblem({
        inChannels: 2,
        outChannels: 3,
        inputSize: [20, 20],
        kernelSize: [3, 3],
        padBegin: [1, 1],
        padEnd: [1, 1],
        bias: true,
      });
      for (const tilesPerBlock of [6, 7]) await expectExactF2(p, tilesPerBlock);
    });

    it('full panels of 4 tiles with more than 4 input channels', async () => {
      // 4 × 4 = 16 tiles in one block: the last panel is full; 8 channels per group.
      const p = convProblem({
        inChannels: 16,
        outChannels: 6,
        groups: 2,
        inputSize: [10, 10],
        kernelSize: [3, 3],
      });
      await expectExactF2(p);
      await expectExactF2(p, 8);
    });
  });

  describe('winograd kernel: generic tile transforms', () => {
    it('equal the compiled ones when the last tile of a row is whole', async () => {
      // Output 8 × 8 with m = 4: every tile is whole, the last one ends the output row.
      const p = convProblem({
        inChannels: 2,
        outChannels: 2,
        inputSize: [10, 10],
        kernelSize: [3, 3],
        bias: true,
      });
      const random = seededRandom(80);
      const g = convGeometry(p);
      const x = spread(random, g.inputLength);
      const w = spread(random, g.weightLength);
      const b = spread(random, g.outChannels);
      const compiled = await createWinogradKernel({ m: 4 }).conv(p, x, w, b);
      const generic = await createWinogradKernel({ m: 4, tileTransforms: 'generic' }).conv(
        p,
        x,
        w,
        b,
      );
      expect(Array.from(generic)).toEqual(Array.from(compiled));
    });
  });

  describe('winograd kernel: built-in kernels', () => {
    it('the built-in kernels are named and float32', () => {
      expect([winogradF2Kernel.name, winogradF2Kernel.dtype]).toEqual(['winograd-f2', 'float32']);
      expect([winogradF4Kernel.name, winogradF4Kernel.dtype]).toEqual(['winograd-f4', 'float32']);
    });
  });
});
