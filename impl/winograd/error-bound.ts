/**
 * Per-element rounding-error bound of the Winograd kernel on given operands,
 * |ŷ − y| ≤ absolute[i] + relative·|y[i]| (y exact, bias included), from the
 * constants of error-constants.ts and the kernel's tiling (tiles start at output
 * 0 and step by m along each dimension; see plan.ts). Two forms:
 *
 * - `absolute` = c·W, W from {@link winogradMagnitudes} (componentwise, tight);
 * - `coarse` = c·amp·S ≥ c·W, from the amplification factors and the tile maxima
 *   only: what a tolerance model can compute without running Winograd.
 */
import {
  type ConvProblem,
  checkConvOperands,
  convGeometry,
  type DType,
} from '../../reference/index.ts';
import { unitRoundoff, winogradErrorConstants, winogradRoundingFactor } from './error-constants.ts';
import { winogradMagnitudes } from './kernel.ts';
import { type WinogradAxis, type WinogradPointChooser, winogradPlan } from './plan.ts';

/** What {@link winogradErrorBound} needs to know about the kernel. */
export interface WinogradBoundOptions {
  m: number;
  dtype: DType;
  points?: WinogradPointChooser;
}

/** The bound |ŷ_i − y_i| ≤ absolute[i] + relative·|y_i| and its factors. */
export interface WinogradErrorBound {
  /** factor · W_i · (1 + 10^-12) per output element (W from {@link winogradMagnitudes}). */
  absolute: Float64Array;
  /** factor · amplification[i] · scale[i] ≥ absolute[i]: the norm-based form. */
  coarse: Float64Array;
  /** Rounding of the bias addition: u, plus 2^-53 for float32 (the sum is a double first). */
  relative: number;
  /** c of {@link winogradRoundingFactor} for this problem's F and C_in/groups. */
  factor: number;
  /** amp_i · amp'_j of the element's position (i, j) in its tile (1-D: amp_i). */
  amplification: Float64Array;
  /** S = Σ_c ‖g_c‖∞ · ‖d_c‖∞: filter maxima times the maxima of the element's input tile. */
  scale: Float64Array;
}

/** max |x| over each tile of each (image, channel): [batch·C_in][tilesPerImage]. */
function tileMaxima(
  input: ArrayLike<number>,
  height: WinogradAxis,
  width: WinogradAxis,
  planes: number,
) {
  const tiles = height.tiles * width.tiles;
  const maxima = new Float64Array(planes * tiles);
  const IH = height.inputSize;
  const IW = width.inputSize;
  for (let plane = 0; plane < planes; plane++) {
    for (let th = 0; th < height.tiles; th++) {
      for (let tw = 0; tw < width.tiles; tw++) {
        const h0 = th * height.m - height.padBegin;
        const w0 = tw * width.m - width.padBegin;
        let max = 0;
        for (let h = Math.max(0, h0); h < Math.min(IH, h0 + height.alpha); h++) {
          for (let w = Math.max(0, w0); w < Math.min(IW, w0 + width.alpha); w++) {
            max = Math.max(max, Math.abs(input[(plane * IH + h) * IW + w]!));
          }
        }
        maxima[plane * tiles + th * width.tiles + tw] = max;
      }
    }
  }
  return maxima;
}

/**
 * The rigorous per-element bound of the Winograd kernel with tile size m on these
 * operands (module comment of error-constants.ts for the derivation).
 *
 * @example
 * ```ts
 * const { absolute, relative } = winogradErrorBound(p, x, w, b, { m: 4, dtype: 'float32' });
 * // |y[i] − exact[i]| ≤ absolute[i] + relative · |exact[i]|
 * ```
 */
export function winogradErrorBound(
  p: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  options: WinogradBoundOptions,
): WinogradErrorBound {
  const g = convGeometry(p);
  checkConvOperands(g, input, weight, bias);
  const points = options.points ? { points: options.points } : {};
  const plan = winogradPlan(g, { m: options.m, ...points });
  const { height, width } = plan;
  const dims = [height, width].map((a) => ({ m: a.m, r: a.r, points: a.transforms.points }));
  const factor = winogradRoundingFactor({
    dimensions: dims,
    dtype: options.dtype,
    channelsPerGroup: g.inChannelsPerGroup,
  });
  const ampH = winogradErrorConstants(height.m, height.r, height.transforms.points).amplification;
  const ampW = winogradErrorConstants(width.m, width.r, width.transforms.points).amplification;
  const maxima = tileMaxima(input, height, width, g.batch * g.inChannels);
  const cig = g.inChannelsPerGroup;
  const kernelVolume = g.kernelVolume;
  const OH = height.outputSize;
  const OW = width.outputSize;
  const coarse = new Float64Array(g.outputLength);
  const amplification = new Float64Array(g.outputLength);
  const scales = new Float64Array(g.outputLength);
  const filterMax = new Float64Array(cig);
  for (let n = 0; n < g.batch; n++) {
    for (let co = 0; co < g.outChannels; co++) {
      const group = Math.floor(co / g.outChannelsPerGroup);
      // ‖g_c‖∞ for every input channel of this filter.
      filterMax.fill(0);
      for (let ci = 0; ci < cig; ci++) {
        for (let k = 0; k < kernelVolume; k++) {
          const v = Math.abs(weight[(co * cig + ci) * kernelVolume + k]!);
          filterMax[ci] = Math.max(filterMax[ci]!, v);
        }
      }
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const tile = Math.floor(oh / height.m) * width.tiles + Math.floor(ow / width.m);
          let scale = 0;
          for (let ci = 0; ci < cig; ci++) {
            const plane = n * g.inChannels + group * cig + ci;
            scale += filterMax[ci]! * maxima[plane * plan.tilesPerImage + tile]!;
          }
          const amp = ampH[oh % height.m]! * ampW[ow % width.m]!;
          const index = ((n * g.outChannels + co) * OH + oh) * OW + ow;
          coarse[index] = factor * amp * scale;
          amplification[index] = amp;
          scales[index] = scale;
        }
      }
    }
  }
  const u = unitRoundoff(options.dtype);
  const relative = options.dtype === 'float32' ? u + unitRoundoff('float64') : u;
  // W is a float64 sum of nonnegative terms: within 10^-12 of exact for any size we run.
  const absolute = winogradMagnitudes(p, input, weight, { m: options.m, ...points }).map(
    (magnitude) => factor * magnitude * (1 + 1e-12),
  );
  return { absolute, coarse, relative, factor, amplification, scale: scales };
}
