/**
 * The WebAssembly tile transforms (transform-wat.ts → transforms.wasm) against the JS
 * ones they replace: the same bits on random data whose roundings show, on problems
 * that reach every path (ragged tiles, odd channel counts, bias, groups, batch, tile and
 * channel blocks, transposed and row-major M), and deliberately broken transforms that
 * these checks must catch.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ConvProblem, convGeometry } from '../../reference/index.ts';
import { randomInteger, seededRandom } from '../../reference/random.ts';
import { convProblem } from '../../reference/testing.ts';
import { settingsOf } from '../winograd/settings.ts';
import { ownWasmGemm, type WasmGemm } from './module.ts';
import { assembledTransforms, brokenTransformEdits } from './testing.ts';
import { wasmTransformKey } from './tile-transforms.ts';
import { hexFloat, transformKey } from './transform-wat.ts';
import {
  builtTransforms,
  type TransformExports,
  type TransformsLoader,
  transformsFromBytes,
} from './transforms-module.ts';
import { createWinogradSimdKernel, winogradSimdPlan } from './winograd-simd.ts';

const square = (over: Partial<ConvProblem> & Pick<ConvProblem, 'inputSize'>) =>
  convProblem({ kernelSize: [3, 3], padBegin: [1, 1], padEnd: [1, 1], ...over });

const problems: [string, ConvProblem, { tilesPerBlock?: number; outChannelsPerBlock?: number }][] =
  [
    [
      'ragged tiles, 7 output channels (odd), bias',
      square({ inChannels: 5, outChannels: 7, inputSize: [19, 17], bias: true }),
      {},
    ],
    [
      '24 channels, 16 tiles: M transposed',
      square({ inChannels: 9, outChannels: 24, inputSize: [16, 16], bias: true }),
      {},
    ],
    [
      'groups, batch 2, true convolution, asymmetric padding, tile and channel blocks',
      square({
        mode: 'convolution',
        batch: 2,
        groups: 2,
        inChannels: 6,
        outChannels: 10,
        inputSize: [13, 9],
        padBegin: [0, 2],
        padEnd: [2, 1],
        bias: true,
      }),
      { tilesPerBlock: 12, outChannelsPerBlock: 4 },
    ],
    [
      'one output channel, no padding',
      square({
        inChannels: 3,
        outChannels: 1,
        inputSize: [10, 11],
        padBegin: [0, 0],
        padEnd: [0, 0],
      }),
      {},
    ],
  ];

/** Values over 2^±12, so that a changed sum order or a float32 sum changes the bits. */
function spread(random: () => number, length: number): Float32Array {
  return Float32Array.from(
    { length },
    () => (random() - 0.5) * 2 ** randomInteger(random, -12, 12),
  );
}

/** How many outputs of the two kernels differ in their bits (NaN equal to NaN). */
async function differing(
  p: ConvProblem,
  m: number,
  blocks: object,
  transforms: TransformsLoader,
  seed: number,
) {
  const random = seededRandom(seed);
  const g = convGeometry(p);
  const x = spread(random, g.inputLength);
  const w = spread(random, g.weightLength);
  const b = p.bias ? spread(random, g.outChannels) : undefined;
  const wasm = createWinogradSimdKernel({ m, ...blocks, transforms });
  const js = createWinogradSimdKernel({ m, ...blocks, transforms: false });
  const a = await wasm.conv(p, x, w, b);
  const c = await js.conv(p, x, w, b);
  let count = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], c[i])) count++;
  return count;
}

describe('WebAssembly tile transforms', () => {
  it('are built from the text transform-wat.ts generates now (not a stale build)', async () => {
    const url = new URL('./transforms.wasm', import.meta.url);
    expect(existsSync(url), `${url.pathname} is missing: run npm run build`).toBe(true);
    const built = readFileSync(url);
    const { bytes } = await assembledTransforms();
    expect(
      Buffer.compare(built, Buffer.from(bytes)),
      'impl/wasm/transforms.wasm is stale: run npm run build',
    ).toBe(0);
  });

  it.each(problems)('give the JS transforms’ bits: %s', async (_, p, blocks) => {
    for (const m of [2, 4]) {
      const plan = winogradSimdPlan(convGeometry(p), settingsOf({ m, ...blocks }));
      expect(wasmTransformKey(plan)).toBe(transformKey(m, 3));
      let loaded = 0;
      const spy: TransformsLoader = (gemm: WasmGemm) => {
        loaded++;
        return builtTransforms(gemm);
      };
      expect(await differing(p, m, blocks, spy, 7 * m)).toBe(0);
      expect(loaded).toBeGreaterThan(0);
    }
  });

  it('return an output the caller owns: not the shared memory, unchanged by the next call', async () => {
    const p = problems[0]![1];
    const g = convGeometry(p);
    const random = seededRandom(11);
    const kernel = createWinogradSimdKernel({ m: 4 });
    const x = spread(random, g.inputLength);
    const w = spread(random, g.weightLength);
    const b = spread(random, g.outChannels);
    const first = await kernel.conv(p, x, w, b);
    const kept = Float32Array.from(first);
    expect(first.buffer).toBeInstanceOf(ArrayBuffer);
    await kernel.conv(p, spread(random, g.inputLength), w, b);
    expect(Array.from(first)).toEqual(Array.from(kept));
  });

  it('leave float64 operands to the JS transforms (copying them to float32 would round them)', async () => {
    const p = problems[0]![1];
    const g = convGeometry(p);
    const random = seededRandom(12);
    const doubles = (length: number) => Float64Array.from({ length }, () => random() - 0.5);
    const x = doubles(g.inputLength);
    const bias = doubles(g.outChannels);
    const w = spread(random, g.weightLength);
    const wasm = createWinogradSimdKernel({ m: 4 });
    const js = createWinogradSimdKernel({ m: 4, transforms: false });
    const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      Array.from(a).every((v, i) => Object.is(v, b[i]));
    const x32 = Float32Array.from(x);
    const b32 = Float32Array.from(bias);
    // Rounding either operand to float32 changes the output: the comparisons below can fail.
    expect(same(await js.conv(p, x, w, b32), await js.conv(p, x32, w, b32))).toBe(false);
    expect(same(await js.conv(p, x32, w, bias), await js.conv(p, x32, w, b32))).toBe(false);
    expect(same(await wasm.conv(p, x, w, b32), await js.conv(p, x, w, b32))).toBe(true);
    expect(same(await wasm.conv(p, x32, w, bias), await js.conv(p, x32, w, bias))).toBe(true);
  });

  it('fall back to the JS transforms when they do not load, and refuse a module without theirs', async () => {
    const broken = transformsFromBytes(Uint8Array.of(0, 97, 115, 109));
    const p = problems[1]![1];
    const kernel = createWinogradSimdKernel({ m: 4, transforms: broken });
    const gemm = ownWasmGemm() as WasmGemm;
    expect(broken(gemm)).toMatch(/^WebAssembly tile transforms do not compile/);
    expect(await differing(p, 4, {}, broken, 5)).toBe(0);
    expect(kernel.supports?.(p)).toBe(true);
    const renamed = await assembledTransforms((wat) =>
      wat.replace('"input_f4r3"', '"input_f4r3_"'),
    );
    const missing = createWinogradSimdKernel({ m: 4, transforms: renamed.load });
    const g = convGeometry(p);
    expect(() =>
      missing.conv(
        p,
        new Float32Array(g.inputLength),
        new Float32Array(g.weightLength),
        new Float32Array(g.outChannels),
      ),
    ).toThrow('transforms.wasm has no export input_f4r3');
  });

  it('read U into cache before each product: touch reads a word of every 64-byte line', async () => {
    const gemm = ownWasmGemm() as WasmGemm;
    const exports = builtTransforms(gemm) as TransformExports;
    const words = new Int32Array(gemm.buffer, 4096, 64);
    const random = seededRandom(13);
    for (let i = 0; i < words.length; i++) words[i] = randomInteger(random, -(2 ** 30), 2 ** 30);
    let xor = 0;
    for (let i = 0; i < words.length; i += 16) xor ^= words[i]!;
    expect(exports.touch!(4096, 256)).toBe(xor);
    expect(exports.touch!(4096, 0)).toBe(0);
    // Called once per ξν on U[ξν], with U's extent, when U exceeds 1 MiB (here 1.2 MB);
    // a U that fits L2 (the problems above) is not touched.
    const touched: [number, number][] = [];
    const spy: TransformsLoader = (on) => {
      const real = builtTransforms(on) as TransformExports;
      return { ...real, touch: (a: number, bytes: number) => touched.push([a, bytes]) };
    };
    expect(await differing(problems[1]![1], 4, {}, spy, 9)).toBe(0);
    expect(touched).toHaveLength(0);
    const big = square({ inChannels: 64, outChannels: 128, inputSize: [6, 6] });
    expect(await differing(big, 4, {}, spy, 9)).toBe(0);
    expect(touched).toHaveLength(36);
    const bytes = 4 * 128 * 64;
    expect(touched.every(([, b]) => b === bytes)).toBe(true);
    expect(touched[1]![0] - touched[0]![0]).toBeGreaterThanOrEqual(bytes);
  });

  it('are used only for square 3 × 3 kernels with the default points', () => {
    const plan = (p: ConvProblem, m: number) =>
      wasmTransformKey(winogradSimdPlan(convGeometry(p), settingsOf({ m })));
    expect(plan(square({ inputSize: [8, 8] }), 4)).toBe('f4r3');
    expect(plan(square({ inputSize: [8, 8], kernelSize: [3, 2] }), 4)).toBeUndefined();
    expect(plan(convProblem({ inputSize: [9], kernelSize: [3] }), 2)).toBeUndefined();
    expect(plan(square({ inputSize: [8, 8] }), 6)).toBeUndefined();
  });

  it('print coefficients as exact hexadecimal floats', () => {
    for (const v of [1, -1, 2, -5, 0.5, 1 / 6, -2 / 3, 2 ** -1030]) {
      const text = hexFloat(v);
      const [, sign, lead, digits, exponent] = /^(-?)0x([01])\.([0-9a-f]{13})p(-?\d+)$/.exec(text)!;
      const value = (Number(lead) + Number.parseInt(digits!, 16) / 2 ** 52) * 2 ** Number(exponent);
      expect(sign === '-' ? -value : value).toBe(v);
    }
    expect(hexFloat(0)).toBe('0x0.0000000000000p-1022');
    expect(() => hexFloat(Number.NaN)).toThrow(/not finite/);
  });

  describe('deliberately broken transforms are caught', () => {
    it.each(Object.entries(brokenTransformEdits))('%s', async (_, edit) => {
      const { load } = await assembledTransforms(edit);
      let caught = 0;
      for (const [, p, blocks] of problems) {
        for (const m of [2, 4]) if ((await differing(p, m, blocks, load, 3 * m)) > 0) caught++;
      }
      expect(caught).toBeGreaterThan(0);
    });
  });
});
