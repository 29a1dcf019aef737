/**
 * Tests that kill mutants of kernel.ts which the main tests let survive. kernel.ts
 * makes its kernels while it loads, so a mutant there that throws would only break the
 * import of every test file (which Stryker counts as no test failing): this file
 * imports it inside a test.
 */
import { describe, expect, it } from 'vitest';
import { convProblem } from '../../reference/testing.ts';

const p = convProblem({ inChannels: 2, outChannels: 3, inputSize: [4, 4], kernelSize: [3, 3] });

describe('the im2col-simd kernels', () => {
  it('load, and name themselves by thread count', async () => {
    const { createIm2colSimdKernel, im2colSimd2tKernel, im2colSimdKernel } = await import(
      './kernel.ts'
    );
    expect([im2colSimdKernel.name, im2colSimdKernel.dtype]).toEqual(['im2col-simd', 'float32']);
    expect([im2colSimd2tKernel.name, im2colSimd2tKernel.dtype]).toEqual([
      'im2col-simd-2t',
      'float32',
    ]);
    expect(createIm2colSimdKernel({}).name).toBe('im2col-simd');
    expect(createIm2colSimdKernel({ threads: 1 }).name).toBe('im2col-simd');
    expect(createIm2colSimdKernel({ threads: 2 }).name).toBe('im2col-simd-2t');
    for (const threads of [0, 3]) {
      expect(() => createIm2colSimdKernel({ threads: threads as 1 })).toThrow(
        new RangeError(`im2col-simd: threads must be 1 or 2, got ${threads}`),
      );
    }
  });

  it('supports() returns the error of an invalid problem as its reason', async () => {
    const { im2colSimdKernel } = await import('./kernel.ts');
    const reason = im2colSimdKernel.supports?.({ ...p, inChannels: 0 });
    expect(typeof reason).toBe('string');
    expect(reason).toMatch(/inChannels/);
  });

  it('names the operand that is not a Float32Array', async () => {
    const { im2colSimdKernel } = await import('./kernel.ts');
    const x = new Float32Array(2 * 16);
    const w = new Float32Array(3 * 2 * 9);
    const b = new Float32Array(3);
    const withBias = { ...p, bias: true };
    expect(() => im2colSimdKernel.conv(p, x, Float64Array.from(w))).toThrow(
      /^im2col-simd: weight must be a Float32Array, got \[object Float64Array\]$/,
    );
    expect(() => im2colSimdKernel.conv(withBias, x, w, Float64Array.from(b))).toThrow(
      /^im2col-simd: bias must be a Float32Array, got \[object Float64Array\]$/,
    );
  });
});
