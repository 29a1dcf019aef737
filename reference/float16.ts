/**
 * IEEE binary16 ("float16") and bfloat16 storage: conversions between numbers
 * and raw 16-bit patterns, rounding to nearest, ties to even.
 *
 * Node 20 has no Float16Array, so 16-bit tensors travel as `Uint16Array`s of
 * raw patterns. Both formats are described by one record (exponent and fraction
 * widths) and converted by one routine, directly from the float64 value: a
 * float32 input is a float64 exactly, so there is no double rounding whatever
 * the source type (float64 → float32 → float16 would round twice and can miss a
 * tie by the first rounding's error).
 *
 * | format   | exponent bits | fraction bits | largest finite        | smallest normal | unit roundoff |
 * | -------- | ------------- | ------------- | --------------------- | --------------- | ------------- |
 * | float16  | 5             | 10            | 65504                 | 2^−14           | 2^−11         |
 * | bfloat16 | 8             | 7             | (2 − 2^−7)·2^127      | 2^−126          | 2^−8          |
 *
 * NaN encodes as the canonical quiet NaN with the input's sign bit dropped
 * (0x7e00, 0x7fc0): payloads are not preserved, as no comparison reads them.
 * −0 keeps its sign. A value at or beyond the largest finite number plus half
 * an ulp rounds to infinity (IEEE overflow under round-to-nearest).
 */

/** The 16-bit storage types. */
export type HalfDType = 'float16' | 'bfloat16';

/** The constants of one 16-bit format. */
export interface HalfFormat {
  /** Width of the exponent field. */
  exponentBits: number;
  /** Width of the stored fraction (the significand has one more bit). */
  fractionBits: number;
  /** Exponent bias, 2^(exponentBits − 1) − 1. */
  bias: number;
  /** Largest finite value. */
  maxFinite: number;
  /** Smallest positive normal value, 2^(1 − bias). */
  minNormal: number;
  /** Smallest positive subnormal value. */
  minSubnormal: number;
  /** u = 2^−(fractionBits + 1): the relative error bound of one rounding. */
  unitRoundoff: number;
  /** The canonical quiet NaN pattern. */
  nan: number;
}

/**
 * The constants of a binary floating-point format with the given field widths
 * (IEEE-style: biased exponent, implicit leading bit, subnormals, ∞ and NaN).
 *
 * @example
 * ```ts
 * const tf32 = floatFormat(8, 10); // TF32: float32's range, 11 significant bits
 * ```
 */
export function floatFormat(exponentBits: number, fractionBits: number): HalfFormat {
  const bias = 2 ** (exponentBits - 1) - 1;
  return {
    exponentBits,
    fractionBits,
    bias,
    maxFinite: (2 - 2 ** -fractionBits) * 2 ** bias,
    minNormal: 2 ** (1 - bias),
    minSubnormal: 2 ** (1 - bias - fractionBits),
    unitRoundoff: 2 ** -(fractionBits + 1),
    // Exponent all ones, top fraction bit set.
    nan: (((1 << exponentBits) - 1) << fractionBits) | (1 << (fractionBits - 1)),
  };
}

/**
 * The two formats' constants.
 *
 * @example
 * ```ts
 * HALF_FORMATS.float16.maxFinite; // 65504
 * ```
 */
export const HALF_FORMATS: Readonly<Record<HalfDType, Readonly<HalfFormat>>> = {
  float16: floatFormat(5, 10),
  bfloat16: floatFormat(8, 7),
};

const scratch = new Float64Array(1);
const scratch32 = new Float32Array(1);
const scratchBits32 = new Uint32Array(scratch32.buffer);
const scratchWords = new Uint32Array(scratch.buffer);
/** Index of the high word of a float64 in `scratchWords` (platform byte order). */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** The unbiased binary exponent of a positive normal float64, read from its bits. */
function exponentOf(a: number): number {
  scratch[0] = a;
  return ((scratchWords[HIGH]! >>> 20) & 0x7ff) - 1023;
}

/** Rounds a non-negative float64 to an integer, ties to even. */
function roundHalfEven(n: number): number {
  const floor = Math.floor(n);
  const rest = n - floor; // exact: n < 2^53
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The 16-bit pattern nearest to `x` (ties to even), from the float64 value directly.
 *
 * @example
 * ```ts
 * toHalfBits(1, 'float16');        // 0x3c00
 * toHalfBits(65520, 'float16');    // 0x7c00 (+∞: 65504 + half an ulp ties to the even infinity)
 * toHalfBits(1 + 2 ** -8, 'bfloat16'); // 0x3f80 (a tie, to the even 1)
 * ```
 */
export function toHalfBits(x: number, dtype: HalfDType): number {
  return encodeWith(x, HALF_FORMATS[dtype]);
}

/** The bit pattern nearest to x in format f (ties to even), from the float64 directly. */
function encodeWith(x: number, f: HalfFormat): number {
  if (Number.isNaN(x)) return f.nan;
  const sign = x < 0 || Object.is(x, -0) ? 1 << (f.exponentBits + f.fractionBits) : 0;
  const a = Math.abs(x);
  const infinity = ((1 << f.exponentBits) - 1) << f.fractionBits;
  if (a === Number.POSITIVE_INFINITY) return sign | infinity;
  // The spacing of representable values around a: fixed below the smallest normal.
  const exponent = a >= f.minNormal ? exponentOf(a) : 1 - f.bias;
  const quantum = 2 ** (exponent - f.fractionBits);
  // a / quantum and its product back are exact: scaling by a power of two.
  const rounded = roundHalfEven(a / quantum) * quantum;
  if (rounded > f.maxFinite) return sign | infinity;
  if (rounded < f.minNormal) return sign | (rounded / f.minSubnormal);
  // Rounding may carry into the next binade: read the exponent of the result.
  const e = exponentOf(rounded);
  const fraction = rounded / 2 ** (e - f.fractionBits) - 2 ** f.fractionBits;
  return sign | ((e + f.bias) << f.fractionBits) | fraction;
}

/**
 * The value of a 16-bit pattern (only the low 16 bits are read).
 *
 * @example
 * ```ts
 * fromHalfBits(0x3c00, 'float16'); // 1
 * fromHalfBits(0x0001, 'float16'); // 2^-24, the smallest subnormal
 * fromHalfBits(0xff80, 'bfloat16'); // -Infinity
 * ```
 */
export function fromHalfBits(bits: number, dtype: HalfDType): number {
  return decodeWith(bits, HALF_FORMATS[dtype]);
}

/** The value of a bit pattern of format f. */
function decodeWith(bits: number, f: HalfFormat): number {
  const fractionMask = (1 << f.fractionBits) - 1;
  const exponentMax = (1 << f.exponentBits) - 1;
  const negative = (bits >> (f.exponentBits + f.fractionBits)) & 1;
  const field = (bits >> f.fractionBits) & exponentMax;
  const fraction = bits & fractionMask;
  let magnitude: number;
  if (field === exponentMax) {
    magnitude = fraction === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  } else if (field === 0) {
    magnitude = fraction * f.minSubnormal;
  } else {
    magnitude = (2 ** f.fractionBits + fraction) * 2 ** (field - f.bias - f.fractionBits);
  }
  return negative ? -magnitude : magnitude;
}

/**
 * `x` rounded to the nearest value of the 16-bit format (ties to even), as a number.
 *
 * @example
 * ```ts
 * roundToHalf(0.1, 'float16'); // 0.0999755859375
 * ```
 */
export function roundToHalf(x: number, dtype: HalfDType): number {
  return fromHalfBits(toHalfBits(x, dtype), dtype);
}

/**
 * `x` rounded to the nearest value of any format built by {@link floatFormat}
 * (ties to even; overflow to ±∞), as a number.
 *
 * @example
 * ```ts
 * roundToFormat(1 + 2 ** -11, floatFormat(8, 10)); // 1 (a tie, to even): TF32 rounding
 * ```
 */
export function roundToFormat(x: number, format: HalfFormat): number {
  const a = Math.abs(x);
  // Fast path, same result: a float32 value in the format's normal range rounds by
  // integer arithmetic on its float32 bits (the value is exact there, so this is
  // the one rounding, not a second one).
  if (format.exponentBits <= 8 && a >= format.minNormal && a <= format.maxFinite) {
    scratch32[0] = x;
    if (scratch32[0] === x) {
      const drop = 23 - format.fractionBits;
      const bits = scratchBits32[0]!;
      const half = (1 << (drop - 1)) - 1;
      scratchBits32[0] = ((bits + half + ((bits >>> drop) & 1)) >>> drop) << drop;
      const r = scratch32[0]!;
      return Math.abs(r) > format.maxFinite ? (r < 0 ? -Infinity : Infinity) : r;
    }
  }
  return decodeWith(encodeWith(x, format), format);
}

/** Decoded values of all 65,536 patterns, built on first use. */
const decodeTables: Partial<Record<HalfDType, Float32Array>> = {};

function decodeTable(dtype: HalfDType): Float32Array {
  let table = decodeTables[dtype];
  if (table === undefined) {
    table = new Float32Array(65536);
    // Every float16 and bfloat16 value is a float32 exactly.
    for (let bits = 0; bits < 65536; bits++) table[bits] = fromHalfBits(bits, dtype);
    decodeTables[dtype] = table;
  }
  return table;
}

/**
 * Encodes numbers (a Float32Array, Float64Array or any array) as 16-bit patterns.
 *
 * @example
 * ```ts
 * const stored = encodeHalf(new Float32Array([1, 0.1, 1e6]), 'float16'); // Uint16Array [0x3c00, 0x2e66, 0x7c00]
 * ```
 */
export function encodeHalf(values: ArrayLike<number>, dtype: HalfDType): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toHalfBits(values[i]!, dtype);
  return out;
}

/**
 * Decodes 16-bit patterns into a Float32Array (exact: every 16-bit value is a float32).
 *
 * @example
 * ```ts
 * decodeHalf(new Uint16Array([0x3c00, 0xc000]), 'float16'); // Float32Array [1, -2]
 * ```
 */
export function decodeHalf(bits: Uint16Array, dtype: HalfDType): Float32Array {
  const table = decodeTable(dtype);
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}
