/**
 * Emulated reduced-precision kernels, one per precision class: float32 data in
 * and out (the kernel contract of today), with the class's roundings inside.
 * They prove the models: each must meet its own class and fail a tighter one
 * (precision.test.ts).
 */
import {
  decodeHalf,
  encodeHalf,
  HALF_FORMATS,
  type HalfDType,
  type HalfFormat,
  roundToFormat,
} from '../../reference/float16.ts';
import type { ConvKernel, FloatArray, HalfConvKernel } from '../../reference/problem.ts';
import { directKernel } from '../broken/direct.ts';
import { PRECISION_MODELS, type PrecisionModelName, TF32 } from './models.ts';

const identity = (v: number): number => v;
const FLOAT32_FORMAT = PRECISION_MODELS.fp32.accumulatorFormat;

/**
 * A direct-loop kernel computing in the arithmetic of a precision class: operands
 * (and, for 16-bit storage, the bias) rounded to the operand format, every product and partial sum rounded
 * to the accumulator format (sequentially, bias last), the result rounded to the
 * output format, returned as float32.
 *
 * @example
 * ```ts
 * const tf32 = emulatedKernel('tf32');
 * await tf32.conv(p, x, w, b); // what a GPU with TF32 tensor cores returns, up to summation order
 * ```
 */
export function emulatedKernel(name: PrecisionModelName): ConvKernel {
  return roundingKernel(`emulated:${name}`, PRECISION_MODELS[name]);
}

/** The formats of an emulated arithmetic: see {@link emulatedKernel}. */
interface Arithmetic {
  operandFormat?: HalfFormat;
  accumulatorFormat: HalfFormat;
  outputFormat?: HalfFormat;
}

/** The direct loop in an arithmetic (float32 in and out); {@link emulatedKernel} names it. */
function roundingKernel(name: string, arithmetic: Arithmetic): ConvKernel {
  const { operandFormat, accumulatorFormat, outputFormat } = arithmetic;
  const operand = operandFormat ? (v: number) => roundToFormat(v, operandFormat) : identity;
  const accumulate =
    accumulatorFormat.fractionBits === 23
      ? Math.fround
      : (v: number) => roundToFormat(v, accumulatorFormat);
  const output = outputFormat ? (v: number) => roundToFormat(v, outputFormat) : identity;
  const inner = directKernel(name, {
    reduce: (products, count, bias) => {
      let acc = 0;
      for (let i = 0; i < count; i++) acc = accumulate(acc + accumulate(products[i]!));
      return bias === undefined ? acc : accumulate(acc + bias);
    },
  });
  const rounded = (values: FloatArray) => Float32Array.from(values, operand);
  // TF32 tensor cores round the GEMM operands only; the bias is added in float32.
  // A 16-bit storage kernel stores the bias in 16 bits too.
  const roundedBias = (values: FloatArray) =>
    operandFormat === TF32 ? Float32Array.from(values) : rounded(values);
  return {
    name: inner.name,
    dtype: 'float32',
    // The direct loop skips padding taps; the wrapper declares it as the loop does.
    ...(inner.padding ? { padding: inner.padding } : {}),
    conv: async (p, input, weight, bias) => {
      const out = await inner.conv(p, rounded(input), rounded(weight), bias && roundedBias(bias));
      return Float32Array.from(out, output);
    },
  };
}

/**
 * An emulated kernel with 16-bit storage: `Uint16Array` patterns in and out, the
 * direct loop accumulating in `accumulate` (float32, or the storage type
 * itself), the result rounded to the storage type. float16 with float32
 * accumulation is fp16-acc32, with float16 accumulation fp16-acc16; bfloat16
 * with float32 accumulation is bf16-acc32, and with bfloat16 accumulation it is
 * worse than every class of the ladder.
 *
 * @example
 * ```ts
 * const k = emulatedStorageKernel('float16', 'storage'); // fp16-acc16 on float16 patterns
 * ```
 */
export function emulatedStorageKernel(
  storage: HalfDType,
  accumulate: 'float32' | 'storage',
): HalfConvKernel {
  const format = HALF_FORMATS[storage];
  const name = `emulated:${storage}-acc${accumulate === 'float32' ? 32 : 16}`;
  const inner = roundingKernel(name, {
    accumulatorFormat: accumulate === 'float32' ? FLOAT32_FORMAT : format,
    outputFormat: format,
  });
  return {
    name,
    dtype: storage,
    ...(inner.padding ? { padding: inner.padding } : {}),
    conv: async (p, input, weight, bias) => {
      const decode = (bits: Uint16Array) => decodeHalf(bits, storage);
      const out = await inner.conv(p, decode(input), decode(weight), bias && decode(bias));
      return encodeHalf(out, storage);
    },
  };
}
