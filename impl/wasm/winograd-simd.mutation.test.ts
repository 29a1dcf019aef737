/**
 * Tests that kill mutants of winograd-simd.ts which the main tests (winograd-simd.test.ts,
 * tile-transforms.test.ts) let survive. Those check the outputs' bits and bound, which
 * most of these mutants leave alone: they change where things live in WebAssembly
 * memory, how blocks are sized, which way round a product runs, when U is read into
 * cache and when a transformed U is reused. These tests observe each through the
 * module's exports and options instead:
 *
 * - the layout of the module comment (`winogradSimdLayout`: the header, and the slack of
 *   8 columns of the last V past M);
 * - the plan's block sizes (`winogradSimdPlan`): a group's float32 U kept whole up to
 *   32 MiB (exactly at the boundary, and past it), tile blocks of whole 12-column slivers
 *   whose V and M fit 512 KiB;
 * - the GEMM calls, through a recording GEMM passed as the `gemm` option: Mᵀ = Vᵀ·Uᵀ
 *   when the channels fill whole slivers and the tiles do not;
 * - `touch`, through a recording transforms loader: only for a U of more than 1 MiB
 *   (at exactly 1 MiB it is not touched);
 * - the filter cache, through the kernel's own memory (the `gemm` option): a U
 *   overwritten behind the kernel's back shows in the next call with the same weights
 *   (a hit); a call that writes U block by block, and a layout whose numbers run
 *   together (C_in/g 1 → 64 and 16 → 4 at the same U address and stride), must each
 *   make the next call transform again.
 */
import { describe, expect, it } from 'vitest';
import { type ConvProblem, convGeometry } from '../../reference/index.ts';
import { convProblem, uniformData } from '../../reference/testing.ts';
import { planOf, type Settings, settingsOf } from '../winograd/settings.ts';
import {
  createWinogradSimdKernel,
  headerBytes,
  ownWasmGemm,
  WasmGemm,
  winogradSimdLayout,
  winogradSimdPlan,
} from './index.ts';
import { type GemmArguments, wasmApi } from './module.ts';
import {
  builtTransforms,
  type TransformExports,
  type TransformsLoader,
} from './transforms-module.ts';

const square = (over: Partial<ConvProblem> & Pick<ConvProblem, 'inputSize'>) =>
  convProblem({ kernelSize: [3, 3], padBegin: [1, 1], padEnd: [1, 1], ...over });

/** Uniform operands in [−1, 1) of `p`, seeded. */
function operands(p: ConvProblem, seed: number) {
  const g = convGeometry(p);
  return {
    x: Float32Array.from(uniformData(g.inputLength, seed)),
    w: Float32Array.from(uniformData(g.weightLength, seed + 1)),
  };
}

/** The plan and layout a kernel made with `options` uses for `p`. */
function layoutOf(p: ConvProblem, options: Parameters<typeof settingsOf>[0]) {
  const g = convGeometry(p);
  const plan = winogradSimdPlan(g, settingsOf(options));
  return { g, plan, layout: winogradSimdLayout(g, plan) };
}

/** A GEMM on a memory of its own that records the arguments of every product. */
class RecordingGemm extends WasmGemm {
  readonly calls: GemmArguments[] = [];

  override gemm(...args: GemmArguments): void {
    this.calls.push(args);
    super.gemm(...args);
  }
}

function recordingGemm(): RecordingGemm {
  const shared = ownWasmGemm();
  if (typeof shared === 'string' || wasmApi === undefined) throw new Error(String(shared));
  return new RecordingGemm(wasmApi, shared.module);
}

/** A kernel's own GEMM, for a test to look into its memory. */
function ownGemm(): WasmGemm {
  const gemm = ownWasmGemm();
  if (typeof gemm === 'string') throw new Error(gemm);
  return gemm;
}

const roundUp4 = (n: number) => Math.ceil(n / 4) * 4;

describe('the memory of a call', () => {
  // 1-D: no WebAssembly tile transforms (they are 2-D only), so the layout ends with the slack.
  const p = convProblem({
    inChannels: 5,
    outChannels: 7,
    inputSize: [40],
    kernelSize: [3],
    padBegin: [1],
    padEnd: [1],
  });

  it('puts V right after the header, then U, then M, as the module comment draws it', () => {
    const { plan, layout } = layoutOf(p, { m: 4 });
    expect(4 * layout.v).toBe(headerBytes);
    expect(layout.u).toBe(layout.v + plan.alphaArea * plan.matrixStride.V);
    expect(layout.m).toBe(layout.u + plan.alphaArea * plan.matrixStride.U);
  });

  it('ends with a slack of 8 columns of the last V (8 · C_in/g floats) past M', () => {
    const { g, plan, layout } = layoutOf(p, { m: 4 });
    expect(layout.tiles).toBeUndefined();
    const mEnd = layout.m + plan.alphaArea * plan.matrixStride.M;
    expect(layout.end).toBe(mEnd + 8 * g.inChannelsPerGroup);
  });
});

describe('the plan for float32 panels', () => {
  /** Bytes of a group's U in float32 panels of 4 output channels: α² × ⌈Cout/g⌉₄ × C_in/g. */
  const wholeU = (p: ConvProblem, m: number) => {
    const g = convGeometry(p);
    const alphaArea = planOf(g, settingsOf({ m })).alphaArea;
    return alphaArea * roundUp4(g.outChannelsPerGroup) * g.inChannelsPerGroup * 4;
  };
  const outBlock = (p: ConvProblem, settings: Settings) =>
    winogradSimdPlan(convGeometry(p), settings).outChannelsPerBlock;
  const mib = 1024 * 1024;

  it("keeps all of shape b's 256 → 256 filters (9 MiB of U at F4) in one block", () => {
    const b = square({ inChannels: 256, outChannels: 256, inputSize: [14, 14] });
    expect(wholeU(b, 4)).toBeLessThan(32 * mib);
    expect(wholeU(b, 4)).toBeGreaterThan(8 * mib);
    expect(outBlock(b, settingsOf({ m: 4 }))).toBe(256);
  });

  it('keeps a U of exactly 32 MiB (1024 → 512 at F2) in one block', () => {
    const p = square({ inChannels: 1024, outChannels: 512, inputSize: [4, 4] });
    expect(wholeU(p, 2)).toBe(32 * mib);
    expect(outBlock(p, settingsOf({ m: 2 }))).toBe(512);
  });

  it("takes the Winograd plan's channel blocks for a U past 32 MiB (512 → 512 at F4)", () => {
    const p = square({ inChannels: 512, outChannels: 512, inputSize: [4, 4] });
    expect(wholeU(p, 4)).toBeGreaterThan(32 * mib);
    const settings = settingsOf({ m: 4 });
    const blocked = planOf(convGeometry(p), settings).outChannelsPerBlock;
    expect(blocked).toBeLessThan(512);
    expect(outBlock(p, settings)).toBe(blocked);
  });

  it('sizes tile blocks as the most whole 12-column slivers whose V and M fit 512 KiB', () => {
    const p = square({ inChannels: 64, outChannels: 64, inputSize: [56, 56] });
    const { g, plan } = layoutOf(p, { m: 4 });
    // V holds C_in/g and M the block's output channels per tile, α² float32 each.
    const bytesPerTile = plan.alphaArea * 4 * (g.inChannelsPerGroup + plan.outChannelsPerBlock);
    expect(plan.tilesPerBlock % 12).toBe(0);
    expect(plan.tilesPerBlock).toBeLessThan(g.batch * plan.tilesPerImage);
    expect(plan.tilesPerBlock * bytesPerTile).toBeLessThanOrEqual(512 * 1024);
    expect((plan.tilesPerBlock + 12) * bytesPerTile).toBeGreaterThan(512 * 1024);
  });
});

describe('the products on the GEMM', () => {
  /** The [M, N, K, a, b, ldc] of every GEMM call of one conv() of `p` at F4. */
  async function gemmCalls(p: ConvProblem) {
    const gemm = recordingGemm();
    const { x, w } = operands(p, 1);
    await createWinogradSimdKernel({ m: 4, gemm: () => gemm }).conv(p, x, w);
    return gemm.calls.map(([M, N, K, a, b, , ldc]) => [M, N, K, a, b, ldc]);
  }

  it('run transposed, tiles as rows (A = V, B = U), when the channels fill whole slivers and the tiles do not', async () => {
    // 24 channels: two whole 12-column slivers; 16 tiles: 4 of 12 left over.
    const p = square({ inChannels: 5, outChannels: 24, inputSize: [16, 16] });
    const { plan, layout } = layoutOf(p, { m: 4 });
    expect(plan.tilesPerImage).toBe(16);
    const expected = Array.from({ length: plan.alphaArea }, (_, xi) => [
      16,
      24,
      5,
      4 * (layout.v + xi * plan.matrixStride.V),
      4 * (layout.u + xi * plan.matrixStride.U),
      24,
    ]);
    expect(await gemmCalls(p)).toEqual(expected);
  });

  it('run channels as rows (A = U, B = V) when the tiles leave less of a sliver over', async () => {
    // 7 channels: all of a sliver left over; 16 tiles: a quarter of one.
    const p = square({ inChannels: 5, outChannels: 7, inputSize: [16, 16] });
    const { plan, layout } = layoutOf(p, { m: 4 });
    const expected = Array.from({ length: plan.alphaArea }, (_, xi) => [
      7,
      16,
      5,
      4 * (layout.u + xi * plan.matrixStride.U),
      4 * (layout.v + xi * plan.matrixStride.V),
      16,
    ]);
    expect(await gemmCalls(p)).toEqual(expected);
  });

  /** The (address, bytes) of every `touch` of one conv() of `p` at F2. */
  async function touches(p: ConvProblem) {
    const touched: [number, number][] = [];
    const spy: TransformsLoader = (on) => {
      const real = builtTransforms(on) as TransformExports;
      return {
        ...real,
        touch: (a: number, bytes: number) => {
          touched.push([a, bytes]);
          return real.touch?.(a, bytes);
        },
      };
    };
    const { x, w } = operands(p, 2);
    await createWinogradSimdKernel({ m: 2, transforms: spy }).conv(p, x, w);
    return touched;
  }

  it('does not touch a U of exactly 1 MiB (256 → 64 at F2: 16 × 64 KiB)', async () => {
    const p = square({ inChannels: 256, outChannels: 64, inputSize: [4, 4] });
    const { plan } = layoutOf(p, { m: 2 });
    expect(plan.alphaArea * 4 * 64 * 256).toBe(1024 * 1024);
    expect(await touches(p)).toEqual([]);
  });

  it('touches each U[ξν] of a U past 1 MiB (256 → 68 at F2) before its product', async () => {
    const p = square({ inChannels: 256, outChannels: 68, inputSize: [4, 4] });
    const { plan, layout } = layoutOf(p, { m: 2 });
    const bytes = 4 * 68 * 256;
    expect(plan.alphaArea * bytes).toBeGreaterThan(1024 * 1024);
    const expected = Array.from({ length: plan.alphaArea }, (_, xi) => [
      4 * (layout.u + xi * plan.matrixStride.U),
      bytes,
    ]);
    expect(await touches(p)).toEqual(expected);
  });
});

describe('the filter cache', () => {
  it('takes U from its own memory for the same weights: a U overwritten behind its back shows', async () => {
    const p = square({ inChannels: 5, outChannels: 7, inputSize: [19, 17] });
    const gemm = ownGemm();
    const kernel = createWinogradSimdKernel({ m: 4, gemm: () => gemm });
    const { x, w } = operands(p, 3);
    const first = await kernel.conv(p, x, w);
    expect(first.every(Number.isFinite)).toBe(true);
    const { layout } = layoutOf(p, { m: 4 });
    gemm.floats().fill(Number.NaN, layout.u, layout.m);
    expect((await kernel.conv(p, x, w)).every(Number.isNaN)).toBe(true);
  });

  it('transforms again after a call that wrote U block by block over the same place', async () => {
    // outChannelsPerBlock 4: 5 → 4 keeps U whole (cached), 5 → 8 writes it in two blocks.
    const options = { m: 4, outChannelsPerBlock: 4 };
    const whole = square({ inChannels: 5, outChannels: 4, inputSize: [12, 12] });
    const blocked = square({ inChannels: 5, outChannels: 8, inputSize: [12, 12] });
    const a = layoutOf(whole, options);
    const b = layoutOf(blocked, options);
    expect([a.plan.outChannelsPerBlock, b.plan.outChannelsPerBlock]).toEqual([4, 4]);
    expect([b.layout.u, b.plan.matrixStride.U]).toEqual([a.layout.u, a.plan.matrixStride.U]);
    const kernel = createWinogradSimdKernel(options);
    const { x, w } = operands(whole, 4);
    const first = Array.from(await kernel.conv(whole, x, w));
    const other = operands(blocked, 5);
    await kernel.conv(blocked, other.x, other.w);
    expect(Array.from(await kernel.conv(whole, x, w))).toEqual(first);
  });

  it('transforms again for the same weights in a layout whose numbers run together (1 → 64, then 16 → 4)', async () => {
    // Both: 576 weights, U at the same address with the same stride; C_in/g and
    // Cout/g read "1", "64" and "16", "4", the same digits when written without a separator.
    const options = { m: 4, tilesPerBlock: 64 };
    const first = square({ inChannels: 1, outChannels: 64, inputSize: [32, 32] });
    const second = square({ inChannels: 16, outChannels: 4, inputSize: [8, 8] });
    const a = layoutOf(first, options);
    const b = layoutOf(second, options);
    expect([b.layout.u, b.plan.matrixStride.U]).toEqual([a.layout.u, a.plan.matrixStride.U]);
    expect(b.g.weightLength).toBe(a.g.weightLength);
    const { x, w } = operands(first, 6);
    const x2 = operands(second, 7).x;
    const fresh = Array.from(await createWinogradSimdKernel(options).conv(second, x2, w));
    const kernel = createWinogradSimdKernel(options);
    await kernel.conv(first, x, w);
    expect(Array.from(await kernel.conv(second, x2, w))).toEqual(fresh);
  });
});
