/**
 * Tests that kill mutants of filter-cache.ts which the main tests let survive. The
 * main tests (winograd-simd.test.ts, 'the filter cache') check only that a Winograd
 * SIMD kernel's outputs are right whatever the cache does: a cache that never holds,
 * always forgets, ignores its budget or never forgets on a miss gives the same bits,
 * since every miss transforms the filters afresh. So every mutant of the cache itself
 * survived: `bytesOf` and its Float32Array test, the budget and its boundary, the
 * `bytes` getter (never called), the key and bit comparison in `holds`, the forgetting
 * on a miss, and `forget`.
 *
 * Here the cache is checked through its exports (what it holds, its `bytes`, its
 * `budgetBytes`, what it refuses: Float64Array weights, weights over the budget), and
 * through the kernel that uses it: a hit is made visible by overwriting U in the
 * kernel's own WebAssembly memory with NaN between two calls (a call that reuses U then
 * gives NaN everywhere; one that transforms again gives the first call's bits).
 */
import { describe, expect, it } from 'vitest';
import { type ConvProblem, convGeometry } from '../../reference/index.ts';
import { convProblem, uniformData } from '../../reference/testing.ts';
import { settingsOf } from '../winograd/settings.ts';
import { FilterCache } from './filter-cache.ts';
import {
  createWinogradSimdKernel,
  ownWasmGemm,
  type WasmGemm,
  winogradSimdLayout,
  winogradSimdPlan,
} from './index.ts';

const weights = (values: number[]) => Float32Array.from(values);

describe('FilterCache', () => {
  it('starts empty: 0 bytes held, no weights held', () => {
    const cache = new FilterCache(1024);
    expect(cache.bytes).toBe(0);
    expect(cache.holds('k', weights([1, 2, 3]))).toBe(false);
  });

  it('keeps the budget it was given', () => {
    expect(new FilterCache(4096).budgetBytes).toBe(4096);
  });

  it('holds weights it remembered under the same key, a copy of their bytes', () => {
    const cache = new FilterCache(1024);
    const w = weights([1, 2, 3]);
    cache.remember('k', w);
    expect(cache.bytes).toBe(w.byteLength);
    expect(cache.holds('k', w)).toBe(true);
  });

  it('holds them on every call while they stay the same', () => {
    const cache = new FilterCache(1024);
    const w = weights([1, 2, 3]);
    cache.remember('k', w);
    expect(cache.holds('k', w)).toBe(true);
    expect(cache.holds('k', w)).toBe(true);
    expect(cache.holds('k', Float32Array.from(w))).toBe(true);
  });

  it('does not hold the same weights under another key (another layout of U)', () => {
    const cache = new FilterCache(1024);
    const w = weights([1, 2, 3]);
    cache.remember('k', w);
    expect(cache.holds('other', w)).toBe(false);
  });

  it('compares bits, not values: −0 is not 0, a NaN is itself', () => {
    const cache = new FilterCache(1024);
    cache.remember('k', weights([0, Number.NaN]));
    expect(cache.holds('k', weights([0, Number.NaN]))).toBe(true);
    expect(cache.holds('k', weights([-0, Number.NaN]))).toBe(false);
  });

  it('sees weights changed in place after they were remembered', () => {
    const cache = new FilterCache(1024);
    const w = weights([1, 2, 3]);
    cache.remember('k', w);
    w[1] = 2.5;
    expect(cache.holds('k', w)).toBe(false);
  });

  it('compares a subarray over its own elements only', () => {
    const cache = new FilterCache(1024);
    const all = weights([9, 1, 2, 3, 9]);
    cache.remember('k', all.subarray(1, 4));
    expect(cache.bytes).toBe(12);
    expect(cache.holds('k', weights([1, 2, 3]))).toBe(true);
  });

  it('forgets on a miss: the weights held before are not held afterwards', () => {
    const cache = new FilterCache(1024);
    const w = weights([1, 2, 3]);
    cache.remember('k', w);
    expect(cache.holds('k', weights([1, 2, 4]))).toBe(false);
    expect(cache.bytes).toBe(0);
    expect(cache.holds('k', w)).toBe(false);
  });

  it('forget drops what it held', () => {
    const cache = new FilterCache(1024);
    const w = weights([1, 2, 3]);
    cache.remember('k', w);
    cache.forget();
    expect(cache.bytes).toBe(0);
    expect(cache.holds('k', w)).toBe(false);
  });

  it('keeps weights of exactly its budget', () => {
    const cache = new FilterCache(16);
    const w = weights([1, 2, 3, 4]);
    cache.remember('k', w);
    expect(cache.bytes).toBe(16);
    expect(cache.holds('k', w)).toBe(true);
  });

  it('keeps nothing of weights one float over its budget', () => {
    const cache = new FilterCache(16);
    const w = weights([1, 2, 3, 4, 5]);
    cache.remember('k', w);
    expect(cache.bytes).toBe(0);
    expect(cache.holds('k', w)).toBe(false);
  });

  it('forgets what it held when offered weights over its budget', () => {
    const cache = new FilterCache(16);
    const w = weights([1, 2]);
    cache.remember('k', w);
    cache.remember('k', weights([1, 2, 3, 4, 5]));
    expect(cache.bytes).toBe(0);
    expect(cache.holds('k', w)).toBe(false);
  });

  it('never keeps Float64Array weights (U is float32)', () => {
    const cache = new FilterCache(1024);
    const w = Float64Array.from([1, 2, 3]);
    cache.remember('k', w);
    expect(cache.bytes).toBe(0);
    expect(cache.holds('k', w)).toBe(false);
  });

  it('forgets what it held when offered Float64Array weights', () => {
    const cache = new FilterCache(1024);
    const w = weights([1, 2]);
    cache.remember('k', w);
    cache.remember('k', Float64Array.from([1, 2]));
    expect(cache.bytes).toBe(0);
    expect(cache.holds('k', w)).toBe(false);
  });

  it('does not hold Float64Array weights of the same values under the held key, and forgets', () => {
    const cache = new FilterCache(1024);
    const w = weights([1, 2, 3]);
    cache.remember('k', w);
    expect(cache.holds('k', Float64Array.from(w))).toBe(false);
    expect(cache.holds('k', w)).toBe(false);
  });
});

describe('the filter cache of a Winograd SIMD kernel', () => {
  // 3 → 5 channels, 3 × 3: 135 weights, 540 bytes; one U holds all filters (cacheable).
  const p: ConvProblem = convProblem({
    inChannels: 3,
    outChannels: 5,
    inputSize: [8, 8],
    kernelSize: [3, 3],
    padBegin: [1, 1],
    padEnd: [1, 1],
  });
  const g = convGeometry(p);
  const x = Float32Array.from(uniformData(g.inputLength, 11));
  const w = Float32Array.from(uniformData(g.weightLength, 12));

  /** Two calls with the same weights, U overwritten with NaN in the kernel's memory between them. */
  async function twoCallsOverwritingU(retainWorkspaceBytes: number) {
    const gemm = ownWasmGemm() as WasmGemm;
    const kernel = createWinogradSimdKernel({ m: 4, retainWorkspaceBytes, gemm: () => gemm });
    const first = Array.from(await kernel.conv(p, x, w));
    const plan = winogradSimdPlan(g, settingsOf({ m: 4, retainWorkspaceBytes }));
    const u = winogradSimdLayout(g, plan).u;
    gemm.floats().fill(Number.NaN, u, u + plan.alphaArea * plan.matrixStride.U);
    const second = Array.from(await kernel.conv(p, x, w));
    return { first, second };
  }

  it('reuses U from its memory for the same weights (the NaN written over U shows)', async () => {
    const { first, second } = await twoCallsOverwritingU(w.byteLength);
    expect(first.some(Number.isNaN)).toBe(false);
    expect(second.every(Number.isNaN)).toBe(true);
  });

  it('transforms every call weights one byte over retainWorkspaceBytes (the first bits again)', async () => {
    const { first, second } = await twoCallsOverwritingU(w.byteLength - 1);
    expect(second).toEqual(first);
  });
});
