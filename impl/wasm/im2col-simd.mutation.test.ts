/**
 * Tests that kill mutants of im2col-simd.ts which the main tests let survive: the
 * refusal when the GEMM is missing (the built one is always there in the tests), the memory figure and its limit on one and two
 * threads.
 */
import { describe, expect, it } from 'vitest';
import { type ConvProblem, convGeometry } from '../../reference/index.ts';
import { convProblem, integerData } from '../../reference/testing.ts';
import {
  createIm2colSimdKernel,
  GemmHelper,
  headerBytes,
  im2colSimdConv,
  im2colSimdConvOn,
  im2colSimdRefusal,
  ownWasmGemm,
  simdLayout,
  WasmGemm,
} from './index.ts';

function operands(p: ConvProblem) {
  const g = convGeometry(p);
  const x = Float32Array.from(integerData(g.inputLength, 1));
  const w = Float32Array.from(integerData(g.weightLength, 2));
  return { x, w };
}

const small = convProblem({
  inChannels: 3,
  outChannels: 7,
  inputSize: [5, 6],
  kernelSize: [3, 3],
  padBegin: [1, 1],
  padEnd: [1, 1],
});

describe('im2col-simd without a GEMM', () => {
  it('the refusal gives the loader’s reason', () => {
    const reason = 'WebAssembly GEMM not built: /nowhere/gemm.wasm is missing (run npm run build)';
    expect(im2colSimdRefusal(small, {}, reason)).toBe(`im2col-simd: ${reason}`);
    expect(im2colSimdRefusal(small, {})).toBeUndefined();
  });

  it('im2colSimdConvOn given a reason instead of a GEMM throws it', () => {
    const { x, w } = operands(small);
    expect(() => im2colSimdConvOn('no GEMM here', undefined, small, x, w, undefined)).toThrow(
      new RangeError('im2col-simd: no GEMM here'),
    );
  });
});

describe('the memory of a call', () => {
  it('follows the layout of the module comment', () => {
    // Cout/g = 7, R = 27, 30 outputs in one block: A ⌈7/4⌉·4 × 27, B ⌈30/12⌉·12 × 27 + 12, C 7 × 30.
    const layout = simdLayout(convGeometry(small));
    expect(layout.a).toBe(headerBytes);
    expect(layout.b).toBe(layout.a + 4 * 8 * 27);
    expect(layout.c).toBe(layout.b + 4 * (36 * 27 + 12));
    expect(layout.end).toBe(layout.c + 4 * 7 * 30);
    expect(layout.width).toBe(30);
  });

  it('is checked against maxWorkspaceBytes for the thread count that runs', () => {
    // R = 576, 3136 outputs: one thread builds blocks of 1820 columns, two threads one of 3136.
    const p = convProblem({
      inChannels: 64,
      outChannels: 4,
      inputSize: [56, 56],
      kernelSize: [3, 3],
      padBegin: [1, 1],
      padEnd: [1, 1],
    });
    const g = convGeometry(p);
    const limit = simdLayout(g, 1).end;
    expect(simdLayout(g, 2).end).toBeGreaterThan(limit);
    const options = { maxWorkspaceBytes: limit };
    expect(createIm2colSimdKernel(options).supports?.(p)).toBe(true);
    expect(createIm2colSimdKernel({ ...options, threads: 2 }).supports?.(p)).toMatch(
      /^im2col-simd: .* needs \d+ bytes .* more than \d+/,
    );
    const { x, w } = operands(p);
    expect(im2colSimdConv(p, x, w, undefined, options)).toHaveLength(g.outputLength);
    const gemm = ownWasmGemm();
    if (!(gemm instanceof WasmGemm)) throw new Error(String(gemm));
    expect(() => im2colSimdConvOn(gemm, new GemmHelper(gemm), p, x, w, undefined, options)).toThrow(
      /^im2col-simd: .* needs \d+ bytes/,
    );
  });
});
