/**
 * im2col-int8: the built-in quantized kernel, as integer inference engines do it.
 *
 * 1. Integer im2col: per image and channel group, the column matrix of x − x_zp
 *    (int16: the difference of two 8-bit values fits), [R = cig·taps rows, one
 *    column per output position]; padding taps are 0 (the padded input holds x_zp).
 * 2. int32 GEMM: the shifted weights (w − w_zp[oc], int16) times the columns,
 *    accumulated in int32 with wrap-around (`| 0`), as int32 hardware does; bias
 *    (QLinearConv) is the accumulator's start.
 * 3. Requantization as onnxruntime's MLAS does it: the multiplier
 *    x_scale·w_scale[oc]/y_scale in float32, the accumulator converted to float32
 *    and multiplied in float32, rounded half to even, plus y_zp, saturated.
 *
 * Step 3 is a float rescale: the judge allows it the derived ±1 next to ties
 * (docs/quantized.md), nothing more.
 */
import { roundHalfEven } from '../../reference/float.ts';
import { type ConvGeometry, convGeometry, lift3 } from '../../reference/geometry.ts';
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import type { ConvProblem } from '../../reference/problem.ts';
import {
  type PerChannel,
  type QLinearConvParameters,
  QUANTIZED_RANGE,
  type QuantizedArray,
  type QuantizedDType,
} from '../../reference/quantized.ts';
import type { QuantizedKernel } from '../../reference/quantized-kernel.ts';

const perChannel = (v: PerChannel, channels: number): number[] =>
  typeof v === 'number' ? new Array<number>(channels).fill(v) : Array.from(v);

/**
 * The column matrix of image n, group `group`: row r = (ci, kd, kh, kw) in weight
 * order, column q = output position, entry x − x_zp (0 in the padding). True
 * convolution reads the mirrored tap, so the weights are used as stored.
 */
function integerColumns(
  g: ConvGeometry,
  x: QuantizedArray,
  xZero: number,
  n: number,
  group: number,
): Int16Array {
  const [ID, IH, IW] = lift3(g.inputSize, 1);
  const [KD, KH, KW] = lift3(g.kernelSize, 1);
  const [OD, OH, OW] = lift3(g.outputSize, 1);
  const [SD, SH, SW] = lift3(g.stride, 1);
  const [DD, DH, DW] = lift3(g.dilation, 1);
  const [PD, PH, PW] = lift3(g.padBegin, 0);
  const taps = KD * KH * KW;
  const positions = OD * OH * OW;
  const columns = new Int16Array(g.inChannelsPerGroup * taps * positions);
  for (let ci = 0; ci < g.inChannelsPerGroup; ci++) {
    const plane = (n * g.inChannels + group * g.inChannelsPerGroup + ci) * ID;
    for (let t = 0; t < taps; t++) {
      const read = g.flipKernel ? taps - 1 - t : t;
      const kd = Math.floor(read / (KH * KW));
      const kh = Math.floor(read / KW) % KH;
      const kw = read % KW;
      const row = (ci * taps + t) * positions;
      let q = 0;
      for (let od = 0; od < OD; od++) {
        const d = od * SD - PD + kd * DD;
        for (let oh = 0; oh < OH; oh++) {
          const h = oh * SH - PH + kh * DH;
          for (let ow = 0; ow < OW; ow++, q++) {
            const i = ow * SW - PW + kw * DW;
            const inside = d >= 0 && d < ID && h >= 0 && h < IH && i >= 0 && i < IW;
            columns[row + q] = inside ? x[((plane + d) * IH + h) * IW + i]! - xZero : 0;
          }
        }
      }
    }
  }
  return columns;
}

/**
 * Σ (x − x_zp)(w − w_zp[oc]) (+ bias[oc]) in int32, by integer im2col and an int32
 * GEMM; [batch, outChannels, ...outputSize].
 *
 * @example
 * ```ts
 * const acc = integerConv(p, x, w, 128, 0); // Int32Array
 * ```
 */
export function integerConv(
  p: ConvProblem,
  x: QuantizedArray,
  w: QuantizedArray,
  xZeroPoint: number,
  wZeroPoint: PerChannel,
  bias?: Int32Array,
): Int32Array {
  const g = convGeometry(p);
  const wZero = perChannel(wZeroPoint, g.outChannels);
  const reduction = g.weightLength / g.outChannels;
  const shifted = new Int16Array(g.weightLength);
  for (let i = 0; i < shifted.length; i++) {
    shifted[i] = w[i]! - wZero[Math.floor(i / reduction)]!;
  }
  const positions = g.outputVolume;
  const out = new Int32Array(g.outputLength);
  for (let n = 0; n < g.batch; n++) {
    for (let group = 0; group < g.groups; group++) {
      const columns = integerColumns(g, x, xZeroPoint, n, group);
      for (let j = 0; j < g.outChannelsPerGroup; j++) {
        const oc = group * g.outChannelsPerGroup + j;
        const row = new Int32Array(positions).fill(bias ? bias[oc]! : 0);
        for (let r = 0; r < reduction; r++) {
          const weight = shifted[oc * reduction + r]!;
          if (weight === 0) continue;
          const column = r * positions;
          for (let q = 0; q < positions; q++)
            row[q] = (row[q]! + weight * columns[column + q]!) | 0;
        }
        out.set(row, (n * g.outChannels + oc) * positions);
      }
    }
  }
  return out;
}

/**
 * How the rescaled value becomes an integer. The defaults are ONNX's; the broken
 * kernels (properties/broken/quantized.ts) swap one of them for a bug.
 */
export interface Requantization {
  /** Default round half to even. */
  round?: (v: number) => number;
  /** Default true: clamp to the y type's range (false: the typed array wraps it). */
  saturate?: boolean;
}

/**
 * The accumulators rescaled as onnxruntime does: float32 multiplier and product,
 * round half to even, + y_zp, saturated to the y type.
 *
 * @example
 * ```ts
 * const y = requantize(p, acc, params); // Int8Array or Uint8Array
 * ```
 */
export function requantize(
  p: ConvProblem,
  accumulators: Int32Array,
  params: QLinearConvParameters & { yType: QuantizedDType },
  how: Requantization = {},
): QuantizedArray {
  const { round = roundHalfEven, saturate = true } = how;
  const { min, max } = QUANTIZED_RANGE[params.yType];
  const multipliers = perChannel(params.wScale, p.outChannels).map((ws) =>
    Math.fround(Math.fround(params.xScale * ws) / params.yScale),
  );
  const length = accumulators.length;
  const out = params.yType === 'int8' ? new Int8Array(length) : new Uint8Array(length);
  const positions = length / (p.batch * p.outChannels);
  for (let i = 0; i < length; i++) {
    const m = multipliers[Math.floor(i / positions) % p.outChannels]!;
    const v = round(Math.fround(Math.fround(accumulators[i]!) * m)) + params.yZeroPoint;
    out[i] = saturate ? Math.min(max, Math.max(min, v)) : v;
  }
  return out;
}

/** QLinearConv's output type: that of y_zero_point, x's type when not given. */
export function outputTypeOf(x: QuantizedArray, params: QLinearConvParameters): QuantizedDType {
  return params.yType ?? (x instanceof Int8Array ? 'int8' : 'uint8');
}

/** The built-in quantized kernel (see the module comment). */
export const im2colInt8Kernel: QuantizedKernel = {
  name: 'im2col-int8',
  supportsQuantized: (s) => zeroPaddingOnly(s.problem),
  convInteger: (p, x, w, xZeroPoint, wZeroPoint) => integerConv(p, x, w, xZeroPoint, wZeroPoint),
  qlinearConv: (p, x, w, params, bias) => {
    const acc = integerConv(p, x, w, params.xZeroPoint, params.wZeroPoint, bias);
    return requantize(p, acc, { ...params, yType: outputTypeOf(x, params) });
  },
};
