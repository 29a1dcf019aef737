/**
 * winograd-f2-simd and winograd-f4-simd: the edges of the GEMM as Winograd drives it
 * (ragged tile blocks, A edge panels, depth slices past 256, several tile and channel
 * blocks), the derived Winograd bound (impl/winograd/error-bound.ts) on each, broken
 * GEMMs that the same check must catch, and supports(). The kernels' rounding is
 * emulated bit for bit, and the bound checked on random problems, in
 * impl/winograd/kernel.test.ts (both product engines).
 */
import { describe, expect, it } from 'vitest';
import { gamma, unitRoundoff } from '../../reference/float.ts';
import {
  type ConvKernel,
  type ConvProblem,
  convGeometry,
  referenceConv,
} from '../../reference/index.ts';
import { convProblem, uniformData } from '../../reference/testing.ts';
import { winogradErrorBound } from '../winograd/index.ts';
import { settingsOf } from '../winograd/settings.ts';
import {
  createWinogradSimdKernel,
  im2colSimdKernel,
  loadWasmGemmFrom,
  type WasmGemm,
  winogradF2SimdKernel,
  winogradF4SimdKernel,
  winogradSimdLayout,
  winogradSimdPlan,
} from './index.ts';
import { assembled, brokenGemmEdits } from './testing.ts';

/** Uniform operands in [−1, 1) of `p`, seeded. */
function operands(p: ConvProblem, seed: number) {
  const g = convGeometry(p);
  return {
    x: Float32Array.from(uniformData(g.inputLength, seed)),
    w: Float32Array.from(uniformData(g.weightLength, seed + 1)),
    b: p.bias ? Float32Array.from(uniformData(g.outChannels, seed + 2)) : undefined,
  };
}

/**
 * The worst |y − ref| / bound over the output, with the bound of
 * impl/winograd/error-bound.ts widened by the float64 oracle's own error (≤ 1: within).
 */
async function worstBoundRatio(kernel: ConvKernel, m: number, p: ConvProblem, seed: number) {
  const { x, w, b } = operands(p, seed);
  const y = await kernel.conv(p, x, w, b);
  const ref = referenceConv(p, x, w, b);
  const abs = (a?: Float32Array) => a?.map(Math.abs);
  const sums = referenceConv(p, abs(x)!, abs(w)!, abs(b));
  const bound = winogradErrorBound(p, x, w, b, { m, dtype: 'float32' });
  const oracle = gamma(convGeometry(p).reductionLength + 1, unitRoundoff('float64'));
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const limit = bound.absolute[i]! + bound.relative * Math.abs(ref[i]!) + oracle * sums[i]!;
    const error = Math.abs(y[i]! - ref[i]!);
    worst = Math.max(worst, Number.isNaN(error) ? Number.POSITIVE_INFINITY : error / limit);
  }
  return worst;
}

const square = (over: Partial<ConvProblem> & Pick<ConvProblem, 'inputSize'>) =>
  convProblem({ kernelSize: [3, 3], padBegin: [1, 1], padEnd: [1, 1], ...over });

/** Problems that reach every edge of the GEMM as the Winograd products drive it. */
const problems: [string, ConvProblem, { tilesPerBlock?: number; outChannelsPerBlock?: number }][] =
  [
    [
      'Cout = 7 (an A edge panel), 23 tiles (a ragged 12-column sliver), bias',
      square({ inChannels: 5, outChannels: 7, inputSize: [19, 17], bias: true }),
      {},
    ],
    [
      'C_in/g = 300 > 256: two depth slices of the GEMM, 25 tiles',
      square({ inChannels: 300, outChannels: 4, inputSize: [20, 20] }),
      {},
    ],
    [
      'several tile blocks and channel blocks, batch 2, true convolution',
      square({ mode: 'convolution', batch: 2, inChannels: 6, outChannels: 10, inputSize: [13, 9] }),
      { tilesPerBlock: 12, outChannelsPerBlock: 4 },
    ],
    [
      '24 output channels, 16 tiles: the products run transposed, Mᵀ = Vᵀ·Uᵀ',
      square({ inChannels: 5, outChannels: 24, inputSize: [16, 16], bias: true }),
      {},
    ],
    [
      'groups, 1-D',
      convProblem({
        groups: 2,
        inChannels: 6,
        outChannels: 10,
        inputSize: [37],
        kernelSize: [3],
        padBegin: [2],
        padEnd: [0],
        bias: true,
      }),
      {},
    ],
  ];

describe('winograd-f2-simd and winograd-f4-simd within the derived Winograd bound', () => {
  it.each(problems)('%s', async (_, p, blocks) => {
    for (const m of [2, 4]) {
      const kernel = createWinogradSimdKernel({ m, ...blocks });
      expect(kernel.supports?.(p)).toBe(true);
      expect(await worstBoundRatio(kernel, m, p, 10 * m)).toBeLessThanOrEqual(1);
    }
  });

  it('a kernel reused across problems, between im2col-simd calls on the same memory, matches a fresh one', async () => {
    const [first, second] = [problems[0]![1], problems[1]![1]];
    const { x, w, b } = operands(first, 3);
    const fresh = await createWinogradSimdKernel({ m: 4 }).conv(first, x, w, b);
    const other = operands(second, 4);
    await winogradF4SimdKernel.conv(second, other.x, other.w);
    await im2colSimdKernel.conv(second, other.x, other.w);
    expect(Array.from(await winogradF4SimdKernel.conv(first, x, w, b))).toEqual(Array.from(fresh));
  });
});

describe('the filter cache', () => {
  const p = problems[0]![1];

  it('gives the bits of a fresh kernel when the weights change in place between calls', async () => {
    const kernel = createWinogradSimdKernel({ m: 4 });
    const { x, w, b } = operands(p, 7);
    const first = Array.from(await kernel.conv(p, x, w, b));
    expect(Array.from(await kernel.conv(p, x, w, b))).toEqual(first);
    w[5] = w[5]! + 0.25;
    const fresh = Array.from(await createWinogradSimdKernel({ m: 4 }).conv(p, x, w, b));
    expect(fresh).not.toEqual(first);
    expect(Array.from(await kernel.conv(p, x, w, b))).toEqual(fresh);
  });

  it('transforms again for the same weights in another layout (true convolution)', async () => {
    const kernel = createWinogradSimdKernel({ m: 4 });
    const { x, w, b } = operands(p, 6);
    await kernel.conv(p, x, w, b);
    const flipped: ConvProblem = { ...p, mode: 'convolution' };
    const fresh = Array.from(await createWinogradSimdKernel({ m: 4 }).conv(flipped, x, w, b));
    expect(Array.from(await kernel.conv(flipped, x, w, b))).toEqual(fresh);
  });

  it('keeps nothing when its budget (retainWorkspaceBytes) is 0', async () => {
    const kernel = createWinogradSimdKernel({ m: 4, retainWorkspaceBytes: 0 });
    const { x, w, b } = operands(p, 9);
    const once = Array.from(await kernel.conv(p, x, w, b));
    expect(Array.from(await kernel.conv(p, x, w, b))).toEqual(once);
  });
});

describe('the bound check catches a broken GEMM under Winograd', () => {
  // 300 input channels (a dropped depth slice shows) and 4 output channels (whole
  // 4-row panels); 25, 20 and 16 tiles end the products in slivers of 1, 8 and 4 columns.
  const witnesses = [
    [20, 20],
    [16, 20],
    [16, 16],
  ].map((inputSize) => square({ inChannels: 300, outChannels: 4, inputSize }));

  it.each(Object.keys(brokenGemmEdits))('%s', async (edit) => {
    const broken: WasmGemm = await assembled(brokenGemmEdits[edit]!);
    const kernel = createWinogradSimdKernel({ m: 4, gemm: () => broken });
    let worst = 0;
    for (const p of witnesses) worst = Math.max(worst, await worstBoundRatio(kernel, 4, p, 5));
    expect(worst).toBeGreaterThan(1);
  });
});

describe('winograd-simd supports()', () => {
  const p = problems[0]![1];

  it('names the kernels after F(m) and the SIMD GEMM, float32', () => {
    expect([winogradF2SimdKernel.name, winogradF4SimdKernel.name]).toEqual([
      'winograd-f2-simd',
      'winograd-f4-simd',
    ]);
    expect(winogradF4SimdKernel.dtype).toBe('float32');
  });

  it('says so when the GEMM is not built, and conv() refuses with the same reason', () => {
    const missing = new URL('./no-such-gemm.wasm', import.meta.url);
    const kernel = createWinogradSimdKernel({ m: 4, gemm: () => loadWasmGemmFrom(missing) });
    expect(kernel.supports?.(p)).toMatch(/^WebAssembly GEMM not built: .*no-such-gemm\.wasm/);
    const { x, w, b } = operands(p, 1);
    expect(() => kernel.conv(p, x, w, b)).toThrow(/^winograd-f4-simd: WebAssembly GEMM not built/);
  });

  it('declines non-zero padding modes, stride and dilation like the Winograd kernel', () => {
    expect(winogradF4SimdKernel.supports?.({ ...p, paddingMode: 'reflect' })).toMatch(
      /^winograd-f4-simd: only zero padding/,
    );
    expect(winogradF4SimdKernel.supports?.({ ...p, stride: [2, 1] })).toMatch(/stride \[2, 1\]/);
    expect(winogradF2SimdKernel.supports?.({ ...p, dilation: [1, 2] })).toMatch(/dilation/);
  });

  it('refuses a problem whose WebAssembly memory exceeds maxWorkspaceBytes, naming both', () => {
    const g = convGeometry(p);
    const plan = winogradSimdPlan(g, settingsOf({ m: 4 }));
    const bytes = 4 * winogradSimdLayout(g, plan).end;
    const small = createWinogradSimdKernel({ m: 4, maxWorkspaceBytes: bytes - 1 });
    expect(small.supports?.(p)).toBe(
      `needs ${bytes} bytes of WebAssembly memory, more than ${bytes - 1} ` +
        `(maxWorkspaceBytes or the memory's 1 GiB maximum)`,
    );
    expect(createWinogradSimdKernel({ m: 4, maxWorkspaceBytes: bytes }).supports?.(p)).toBe(true);
  });

  it('sizes tile blocks in whole 12-column slivers unless told', () => {
    const big = square({ inChannels: 64, outChannels: 64, inputSize: [56, 56] });
    const g = convGeometry(big);
    expect(winogradSimdPlan(g, settingsOf({ m: 4 })).tilesPerBlock % 12).toBe(0);
    expect(winogradSimdPlan(g, settingsOf({ m: 4, tilesPerBlock: 7 })).tilesPerBlock).toBe(7);
  });
});
