/**
 * Tests that kill mutants of tile-transforms.ts which the main tests
 * (tile-transforms.test.ts) let survive. Those compare the WebAssembly transforms' bits
 * with the JS ones, which a region made larger, a crop copy made where nothing is cropped
 * or a plan with other points never shows:
 *
 * - the sizes and places of {@link tileRegions} (the padded planes, the tile-offset
 *   tables, the 16-byte alignment of each region): a larger region changes no bit, only
 *   the memory a call needs;
 * - the bias region zeroed for a call without bias after a call with one, on the same
 *   kernel (each main test's kernel runs with bias every call, or without it every call);
 * - the crop copy skipped when the output is whole tiles (seen through the count of
 *   `copyPlanes` calls of a transforms loader that counts them);
 * - other interpolation points: no key, so the JS transforms with those points run;
 *   different transforms per axis: no key.
 */
import { describe, expect, it } from 'vitest';
import { type ConvProblem, convGeometry } from '../../reference/index.ts';
import { seededRandom } from '../../reference/random.ts';
import { convProblem } from '../../reference/testing.ts';
import { settingsOf } from '../winograd/settings.ts';
import { rational, type WinogradPoint } from '../winograd/transforms.ts';
import type { WasmGemm } from './module.ts';
import { tileRegions, wasmTransformKey } from './tile-transforms.ts';
import {
  builtTransforms,
  type TransformExports,
  type TransformsLoader,
} from './transforms-module.ts';
import { createWinogradSimdKernel, winogradSimdPlan } from './winograd-simd.ts';

const square = (over: Partial<ConvProblem> & Pick<ConvProblem, 'inputSize'>) =>
  convProblem({ kernelSize: [3, 3], padBegin: [1, 1], padEnd: [1, 1], ...over });

/** 19 × 17 outputs: ragged tiles for m = 4 (⌈19/4⌉ = ⌈17/4⌉ = 5 tiles per axis). */
const ragged = square({ inChannels: 5, outChannels: 7, inputSize: [19, 17], bias: true });
/** 16 × 16 outputs: whole tiles for m = 2 and m = 4. */
const whole = square({ inChannels: 3, outChannels: 5, inputSize: [16, 16], bias: true });

/** Values with a fraction and a spread of exponents, so that a wrong sum changes the bits. */
function data(random: () => number, length: number): Float32Array {
  return Float32Array.from({ length }, () => (random() - 0.5) * 2 ** Math.floor(random() * 8));
}

function operands(p: ConvProblem, seed: number) {
  const random = seededRandom(seed);
  const g = convGeometry(p);
  return {
    x: data(random, g.inputLength),
    w: data(random, g.weightLength),
    b: data(random, g.outChannels),
  };
}

/** Whether two outputs have the same bits everywhere. */
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));
}

/** The built transforms with every call of each export counted by name. */
function counting(): { load: TransformsLoader; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const load: TransformsLoader = (gemm: WasmGemm) => {
    const real = builtTransforms(gemm);
    if (typeof real === 'string') return real;
    const counted: Record<string, TransformExports[string]> = {};
    for (const [name, f] of Object.entries(real)) {
      counted[name] = (...args: number[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return f(...args);
      };
    }
    return counted;
  };
  return { load, calls };
}

describe('the regions of the WebAssembly tile transforms', () => {
  it('are the padded planes, the tile tables and the bias, each 16-byte aligned, packed from start', () => {
    // m = 4, r = 3, 13 tiles per block: 5 tiles per axis; a tile reads α = 6 rows and
    // columns from its origin 4t, so the last one reads rows and columns 16 … 21.
    const g = convGeometry(ragged);
    const plan = winogradSimdPlan(g, settingsOf({ m: 4, tilesPerBlock: 13 }));
    const r = tileRegions(g, plan, 1001);
    expect([r.inputHeight, r.inputWidth]).toEqual([22, 22]);
    expect([r.outputHeight, r.outputWidth]).toEqual([20, 20]);
    // Element 1001 rounded up to a multiple of 4, then each region rounded up to one.
    expect(r.rawInput).toBe(1004);
    expect(r.paddedInput).toBe(r.rawInput + 1616); // 5 · 19 · 17 = 1615 input floats
    expect(r.paddedOutput).toBe(r.paddedInput + 2420); // 5 planes of 22 · 22
    expect(r.output).toBe(r.paddedOutput + 2800); // 7 planes of 20 · 20
    expect(r.inputTiles).toBe(r.output + 2264); // 7 · 19 · 17 = 2261 outputs
    expect(r.outputTiles).toBe(r.inputTiles + 16); // 13 tiles → 4 lanes · ⌈13/4⌉
    expect(r.bias).toBe(r.outputTiles + 16);
    expect(r.end).toBe(r.bias + 8); // 7 biases
  });
});

describe('a call of the WebAssembly tile transforms', () => {
  it('without bias after one with bias adds no bias (the bias region is zeroed)', async () => {
    const unbiased = { ...ragged, bias: false };
    const { x, w, b } = operands(ragged, 21);
    const wasm = createWinogradSimdKernel({ m: 4 });
    const js = createWinogradSimdKernel({ m: 4, transforms: false });
    expect(sameBits(await wasm.conv(ragged, x, w, b), await js.conv(ragged, x, w, b))).toBe(true);
    const plain = await js.conv(unbiased, x, w);
    // The bias shows: the check below can fail.
    expect(sameBits(plain, await js.conv(ragged, x, w, b))).toBe(false);
    expect(sameBits(await wasm.conv(unbiased, x, w), plain)).toBe(true);
  });

  it('crops the output only when it is not whole tiles (one copyPlanes call, the input’s, else two)', async () => {
    for (const [p, copies] of [
      [whole, 1],
      [ragged, 2],
    ] as const) {
      const { x, w, b } = operands(p, 22);
      const { load, calls } = counting();
      const wasm = createWinogradSimdKernel({ m: 4, transforms: load });
      const js = createWinogradSimdKernel({ m: 4, transforms: false });
      expect(sameBits(await wasm.conv(p, x, w, b), await js.conv(p, x, w, b))).toBe(true);
      expect(calls.get('input_f4r3')).toBeGreaterThan(0);
      expect(calls.get('copyPlanes')).toBe(copies);
    }
  });
});

describe('other interpolation points than the default ones', () => {
  // F(4, 3) on 0, ±1, ±1/2, ∞ instead of 0, ±1, ±2, ∞: transforms.wasm has only the latter.
  const halves = (m: number, r: number): WinogradPoint[] | undefined =>
    m === 4 && r === 3
      ? [rational(0), rational(1), rational(-1), rational(1, 2), rational(-1, 2), 'inf']
      : undefined;

  it('give a plan without a WebAssembly transform key', () => {
    const g = convGeometry(whole);
    expect(wasmTransformKey(winogradSimdPlan(g, settingsOf({ m: 4 })))).toBe('f4r3');
    expect(wasmTransformKey(winogradSimdPlan(g, settingsOf({ m: 4, points: halves })))).toBe(
      undefined,
    );
  });

  it('run the JS transforms with those points, not the WebAssembly ones', async () => {
    const { x, w, b } = operands(whole, 23);
    const { load, calls } = counting();
    const wasm = createWinogradSimdKernel({ m: 4, points: halves, transforms: load });
    const js = createWinogradSimdKernel({ m: 4, points: halves, transforms: false });
    const standard = createWinogradSimdKernel({ m: 4, transforms: false });
    const y = await wasm.conv(whole, x, w, b);
    // The points show in the bits: the first check can fail.
    expect(sameBits(y, await standard.conv(whole, x, w, b))).toBe(false);
    expect(sameBits(y, await js.conv(whole, x, w, b))).toBe(true);
    expect(calls.get('input_f4r3')).toBeUndefined();
    expect(calls.get('copyPlanes')).toBeUndefined();
  });
});

describe('a plan whose axes have different transforms', () => {
  it('has no WebAssembly transform key (a 2 × 3 or 3 × 2 kernel)', () => {
    for (const kernelSize of [
      [2, 3],
      [3, 2],
    ]) {
      const g = convGeometry(square({ inputSize: [8, 8], kernelSize }));
      expect(wasmTransformKey(winogradSimdPlan(g, settingsOf({ m: 4 })))).toBeUndefined();
    }
  });
});
