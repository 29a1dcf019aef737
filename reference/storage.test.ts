import { describe, expect, it } from 'vitest';
import { decodeHalf, HALF_FORMATS } from './float16.ts';
import {
  exactLimit,
  fromKernelArray,
  hostDType,
  kernelArrayType,
  roundToStorage,
  storageOf,
  toKernelArray,
} from './storage.ts';

describe('storage dtypes', () => {
  it('the exact limit is 2^p of the narrower significand, storage or float32 accumulator', () => {
    expect(exactLimit('float32')).toBe(2 ** 24);
    expect(exactLimit('float16')).toBe(2048);
    expect(exactLimit('bfloat16')).toBe(256);
    // Every integer up to the limit is a value of the type; the next odd one is not.
    for (const dtype of ['float16', 'bfloat16'] as const) {
      const limit = exactLimit(dtype);
      const ints = Float32Array.from({ length: limit + 2 }, (_, i) => i);
      const rounded = roundToStorage(ints, dtype);
      expect(Array.from(rounded.subarray(0, limit + 1))).toEqual(
        Array.from(ints.subarray(0, limit + 1)),
      );
      expect(rounded[limit + 1]).not.toBe(limit + 1);
    }
  });

  it('16-bit kernels hold float32 values in the harness and get Uint16Array patterns', () => {
    expect([hostDType('float16'), hostDType('bfloat16'), hostDType('float64')]).toEqual([
      'float32',
      'float32',
      'float64',
    ]);
    expect([storageOf('float16'), storageOf('float32')]).toEqual(['float16', undefined]);
    expect(kernelArrayType('bfloat16')).toBe(Uint16Array);
    const values = roundToStorage([0.1, -2.5, 65504, 1e6, -0, Number.NaN], 'float16');
    const bits = toKernelArray(values, 'float16');
    expect(bits).toBeInstanceOf(Uint16Array);
    expect(Array.from(bits.subarray(0, 5))).toEqual([0x2e66, 0xc100, 0x7bff, 0x7c00, 0x8000]);
    expect(Array.from(fromKernelArray(bits, 'float16'))).toEqual(Array.from(values));
    expect(fromKernelArray(bits, 'float16')).toEqual(decodeHalf(bits as Uint16Array, 'float16'));
    // A float array passes through untouched.
    const f32 = new Float32Array([1, 2]);
    expect(toKernelArray(f32, 'float32')).toBe(f32);
    expect(fromKernelArray(f32, 'float32')).toBe(f32);
    expect(() => fromKernelArray(new Uint16Array(1), 'float32')).toThrow(TypeError);
  });

  it('bfloat16 keeps float32 range, float16 overflows past 65504', () => {
    expect(roundToStorage([1e6], 'bfloat16')[0]).toBe(999424);
    expect(roundToStorage([65519.99], 'float16')[0]).toBe(HALF_FORMATS.float16.maxFinite);
    expect(roundToStorage([65520], 'float16')[0]).toBe(Number.POSITIVE_INFINITY);
  });
});
