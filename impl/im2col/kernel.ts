/**
 * The im2col convolution as a {@link ConvKernel} for the harness, with
 * ConvTranspose by GEMM + col2im (impl/convTranspose/) and the backward-data
 * pass through it (backward data is the ConvTranspose of the same geometry).
 */

import {
  backwardDataAsConvTranspose,
  type ConvTransposeProblem,
  convTransposeGeometry,
} from '../../reference/convTranspose.ts';
import {
  type ConvKernel,
  type ConvProblem,
  convGeometry,
  type DType,
  type FloatArray,
} from '../../reference/index.ts';
import type { OpName } from '../../reference/ops.ts';
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import { col2imConvTranspose } from '../convTranspose/col2im.ts';
import {
  type Im2colOptions,
  im2colConv,
  im2colConv64,
  workspaceLimit,
  workspaceRefusal,
} from './conv.ts';

/** Options of {@link createIm2colKernel}. */
export interface Im2colKernelOptions extends Im2colOptions {
  /** Element type computed in; default 'float32'. */
  dtype?: DType;
}

/** Throws a TypeError naming the kernel and operand unless `value` is a `Type`. */
function expectType<T extends FloatArray>(
  kernel: string,
  name: string,
  value: FloatArray,
  Type: { new (length: number): T; name: string },
): T {
  if (value instanceof Type) return value;
  throw new TypeError(
    `${kernel}: ${name} must be a ${Type.name}, got ${Object.prototype.toString.call(value)}`,
  );
}

/**
 * Builds an im2col kernel (throws a RangeError for a bad `maxWorkspaceBytes`).
 * `supports(p)` returns the reason instead of `true` when
 * the problem is invalid or its workspace exceeds `maxWorkspaceBytes`, so the
 * harness skips it rather than failing.
 *
 * @example
 * ```ts
 * const small = createIm2colKernel({ maxWorkspaceBytes: 64 * 2 ** 20, dtype: 'float64' });
 * small.supports?.(p); // true, or 'im2col: xcorr:… needs … bytes of workspace …'
 * ```
 */
export function createIm2colKernel(options: Im2colKernelOptions = {}): ConvKernel {
  const dtype = options.dtype ?? 'float32';
  const name = dtype === 'float32' ? 'im2col' : 'im2col-f64';
  const limits: Im2colOptions = { maxWorkspaceBytes: workspaceLimit(options) };
  return {
    name,
    dtype,
    supports(p: ConvProblem, op: OpName = 'conv'): true | string {
      let refusal: string | undefined;
      try {
        const zeros = zeroPaddingOnly(p);
        if (zeros !== true) return `${name}: ${zeros}`;
        if (op === 'convtranspose') convTransposeGeometry(p as ConvTransposeProblem);
        else if (op === 'conv-backward-data') convTransposeGeometry(backwardDataAsConvTranspose(p));
        else if (op !== 'conv') return `${name}: no ${op}`;
        else refusal = workspaceRefusal(convGeometry(p), dtype, limits);
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
      return refusal ?? true;
    },
    conv(p: ConvProblem, x: FloatArray, w: FloatArray, b?: FloatArray): FloatArray {
      if (dtype === 'float32') {
        const as32 = (operand: string, v: FloatArray) => expectType(name, operand, v, Float32Array);
        return im2colConv(p, as32('input', x), as32('weight', w), b && as32('bias', b), limits);
      }
      const as64 = (operand: string, v: FloatArray) => expectType(name, operand, v, Float64Array);
      return im2colConv64(p, as64('input', x), as64('weight', w), b && as64('bias', b), limits);
    },
    convTranspose(
      p: ConvTransposeProblem,
      x: FloatArray,
      w: FloatArray,
      b?: FloatArray,
    ): FloatArray {
      return col2imConvTranspose(p, x, w, b, dtype);
    },
    convBackwardData(p: ConvProblem, dy: FloatArray, w: FloatArray): FloatArray {
      return col2imConvTranspose(backwardDataAsConvTranspose(p), dy, w, undefined, dtype);
    },
  };
}

/**
 * The float32 im2col kernel with the default 1 GiB workspace limit.
 *
 * @example
 * ```ts
 * const y = await im2colKernel.conv(p, x, w);
 * ```
 */
export const im2colKernel: ConvKernel = createIm2colKernel();

/**
 * The float64 im2col kernel ('im2col-f64') with the default workspace limit.
 *
 * @example
 * ```ts
 * const y = im2colKernel64.conv(p, Float64Array.from(x), Float64Array.from(w));
 * ```
 */
export const im2colKernel64: ConvKernel = createIm2colKernel({ dtype: 'float64' });
