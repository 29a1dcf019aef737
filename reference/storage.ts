/**
 * Storage dtypes: the element types a kernel's operands and output travel in.
 * float32 and float64 travel as themselves; float16 and bfloat16 as `Uint16Array`s
 * of raw 16-bit patterns (Node 20 has no Float16Array).
 *
 * This is the one place that converts between the harness's values and 16-bit
 * storage. The harness keeps every tensor as float32 values: operands are
 * rounded to the storage type once, when they are made (so the oracle computes
 * on exactly what the kernel receives), encoded to patterns at the kernel
 * boundary, and the kernel's patterns are decoded back to float32 values for the
 * judge. Every value of both 16-bit formats is a float32 exactly, so the
 * decoding loses nothing.
 */

import type { FloatDType } from './float.ts';
import { decodeHalf, encodeHalf, HALF_FORMATS, type HalfDType, roundToHalf } from './float16.ts';

/** The element types of the kernel contract: a compute dtype or a 16-bit storage type. */
export type KernelDType = FloatDType | HalfDType;

/** Every kernel dtype, in the order messages list them. */
export const KERNEL_DTYPES: readonly KernelDType[] = ['float32', 'float64', 'float16', 'bfloat16'];

/** A tensor as it crosses the kernel boundary: float values or raw 16-bit patterns. */
export type KernelArray = Float32Array | Float64Array | Uint16Array;

/**
 * Whether a kernel dtype is a 16-bit storage type.
 *
 * @example
 * ```ts
 * isHalfDType('bfloat16'); // true
 * ```
 */
export function isHalfDType(dtype: KernelDType): dtype is HalfDType {
  return dtype === 'float16' || dtype === 'bfloat16';
}

/**
 * The dtype the harness holds a kernel's tensors in: float32 for 16-bit storage
 * (its values are float32s exactly), the dtype itself otherwise.
 *
 * @example
 * ```ts
 * hostDType('float16'); // 'float32'
 * ```
 */
export function hostDType(dtype: KernelDType): FloatDType {
  return isHalfDType(dtype) ? 'float32' : dtype;
}

/**
 * The storage type of a kernel dtype, or undefined for float32 and float64.
 *
 * @example
 * ```ts
 * storageOf('bfloat16'); // 'bfloat16'
 * storageOf('float32'); // undefined
 * ```
 */
export function storageOf(dtype: KernelDType): HalfDType | undefined {
  return isHalfDType(dtype) ? dtype : undefined;
}

/**
 * The exact range of integer data for a kernel dtype: every integer of magnitude
 * below it is representable in the storage type, and every sum of such terms
 * whose magnitude Σ|x·w| + |b| stays below it is exact in the accumulator.
 * That is 2^p for the narrower of the two significands of p bits: float32 (and
 * float32-exact data given to a float64 kernel) 2^24; float16 2^11 = 2048;
 * bfloat16 2^8 = 256 (the accumulator is float32, so the storage type binds:
 * the result is rounded to it).
 *
 * @example
 * ```ts
 * exactLimit('float16'); // 2048
 * ```
 */
export function exactLimit(dtype: KernelDType): number {
  const float32 = 2 ** 24;
  if (!isHalfDType(dtype)) return float32;
  return Math.min(float32, 2 ** (HALF_FORMATS[dtype].fractionBits + 1));
}

/**
 * Rounds values to a storage type (ties to even), as float32 values; the
 * operands of a 16-bit kernel are made with it.
 *
 * @example
 * ```ts
 * roundToStorage(new Float32Array([0.1]), 'float16'); // Float32Array [0.0999755859375]
 * ```
 */
export function roundToStorage(values: ArrayLike<number>, dtype: HalfDType): Float32Array {
  return Float32Array.from(values as ArrayLike<number>, (v) => roundToHalf(v, dtype));
}

/**
 * A tensor as a kernel of `dtype` receives it: the same array for float32 and
 * float64, raw 16-bit patterns for a storage type (the values must already be
 * the storage type's: see {@link roundToStorage}).
 *
 * @example
 * ```ts
 * toKernelArray(new Float32Array([1]), 'float16'); // Uint16Array [0x3c00]
 * ```
 */
export function toKernelArray(
  values: Float32Array | Float64Array,
  dtype: KernelDType,
): KernelArray {
  return isHalfDType(dtype) ? encodeHalf(values, dtype) : values;
}

/**
 * A kernel's output as the judge reads it: 16-bit patterns decoded to float32
 * values; float arrays unchanged.
 *
 * @example
 * ```ts
 * fromKernelArray(new Uint16Array([0x7c00]), 'float16'); // Float32Array [Infinity]
 * ```
 */
export function fromKernelArray(
  values: KernelArray,
  dtype: KernelDType,
): Float32Array | Float64Array {
  if (values instanceof Uint16Array) {
    if (!isHalfDType(dtype)) throw new TypeError(`a ${dtype} tensor is not 16-bit patterns`);
    return decodeHalf(values, dtype);
  }
  return values;
}

/**
 * The typed-array class a kernel of `dtype` takes and returns.
 *
 * @example
 * ```ts
 * kernelArrayType('bfloat16'); // Uint16Array
 * ```
 */
export function kernelArrayType(
  dtype: KernelDType,
): typeof Float32Array | typeof Float64Array | typeof Uint16Array {
  if (isHalfDType(dtype)) return Uint16Array;
  return dtype === 'float32' ? Float32Array : Float64Array;
}
