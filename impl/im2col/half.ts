/**
 * im2col on 16-bit storage: float16 ('im2col-f16') or bfloat16 ('im2col-bf16')
 * operands and output, float32 accumulation. The operands are decoded to
 * float32 (exactly: every 16-bit value is a float32), the float32 im2col kernel
 * computes — its products of two 11-bit (8-bit) significands are exact in
 * float32, its sums round to float32 — and the result is rounded once to the
 * storage type, ties to even. That is the fp16-acc32 / bf16-acc32 class of
 * docs/tolerance.md, which `convcheck check` proves on it.
 */
import { decodeHalf, encodeHalf, type HalfDType } from '../../reference/float16.ts';
import type { ConvProblem, HalfConvKernel } from '../../reference/index.ts';
import { createIm2colKernel, type Im2colKernelOptions } from './kernel.ts';

/** The built-in names of the two storage kernels. */
const NAMES: Record<HalfDType, string> = { float16: 'im2col-f16', bfloat16: 'im2col-bf16' };

/**
 * Builds a 16-bit storage im2col kernel.
 *
 * @example
 * ```ts
 * const f16 = createHalfIm2colKernel('float16');
 * const y = await f16.conv(p, encodeHalf(x, 'float16'), encodeHalf(w, 'float16')); // Uint16Array
 * ```
 */
export function createHalfIm2colKernel(
  storage: HalfDType,
  options: Omit<Im2colKernelOptions, 'dtype'> = {},
): HalfConvKernel {
  const inner = createIm2colKernel({ ...options, dtype: 'float32' });
  const name = NAMES[storage];
  const decode = (operand: string, bits: Uint16Array) => {
    if (!(bits instanceof Uint16Array)) {
      const got = Object.prototype.toString.call(bits);
      throw new TypeError(
        `${name}: ${operand} must be a Uint16Array of ${storage} patterns, got ${got}`,
      );
    }
    return decodeHalf(bits, storage);
  };
  return {
    name,
    dtype: storage,
    supports(p: ConvProblem): true | string {
      const answer = inner.supports?.(p) ?? true;
      return answer === true ? true : answer.replace(/^im2col\b/, name);
    },
    async conv(p, input, weight, bias) {
      const x = decode('input', input);
      const w = decode('weight', weight);
      const out = await inner.conv(p, x, w, bias && decode('bias', bias));
      return encodeHalf(out, storage);
    },
  };
}

/** The float16-storage im2col kernel ('im2col-f16'). */
export const im2colF16Kernel: HalfConvKernel = createHalfIm2colKernel('float16');

/** The bfloat16-storage im2col kernel ('im2col-bf16'). */
export const im2colBf16Kernel: HalfConvKernel = createHalfIm2colKernel('bfloat16');
