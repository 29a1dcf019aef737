/**
 * Deliberately broken quantized kernels, each the built-in im2col-int8 with one
 * bug planted the way it really happens. The quantized judge must fail each one
 * (properties/quantized/quantized.test.ts).
 */

import {
  im2colInt8Kernel,
  integerConv,
  outputTypeOf,
  type Requantization,
  requantize,
} from '../../impl/quantized/index.ts';
import type { QLinearConvParameters } from '../../reference/quantized.ts';
import type { QuantizedKernel } from '../../reference/quantized-kernel.ts';

/** im2col-int8's QLinearConv with one requantization step swapped for a bug. */
function requantizedWith(
  how: Requantization,
  wScaleOf: (params: QLinearConvParameters) => QLinearConvParameters['wScale'] = (q) => q.wScale,
): NonNullable<QuantizedKernel['qlinearConv']> {
  return (p, x, w, params, bias) => {
    const acc = integerConv(p, x, w, params.xZeroPoint, params.wZeroPoint, bias);
    const yType = outputTypeOf(x, params);
    return requantize(p, acc, { ...params, wScale: wScaleOf(params), yType }, how);
  };
}

function qlinear(name: string, body: NonNullable<QuantizedKernel['qlinearConv']>): QuantizedKernel {
  const { convInteger: _unused, ...rest } = im2colInt8Kernel;
  return { ...rest, name, qlinearConv: body };
}

/** x's zero point never subtracted (nor used to pad): an asymmetric-activation bug. */
export const xZeroPointIgnoredKernel: QuantizedKernel = {
  ...im2colInt8Kernel,
  name: 'broken:x-zero-point-ignored',
  convInteger: (p, x, w, _xZeroPoint, wZeroPoint) => integerConv(p, x, w, 0, wZeroPoint),
  qlinearConv: (p, x, w, params, bias) =>
    requantizedWith({})(p, x, w, { ...params, xZeroPoint: 0 }, bias),
};

/** Ties rounded half away from zero (C's round, gemmlowp's rounding shift), not to even. */
export const roundHalfAwayKernel = qlinear(
  'broken:round-half-away',
  requantizedWith({ round: (v) => Math.sign(v) * Math.round(Math.abs(v)) }),
);

/** No saturation: the result is stored into the 8-bit array, which wraps it. */
export const noSaturationKernel = qlinear(
  'broken:no-saturation',
  requantizedWith({ saturate: false }),
);

/** Every output channel rescaled with channel 0's w_scale. */
export const perChannelScaleMisappliedKernel = qlinear(
  'broken:per-channel-scale-misapplied',
  requantizedWith({}, (q) => (typeof q.wScale === 'number' ? q.wScale : q.wScale[0]!)),
);
