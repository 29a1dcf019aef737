/**
 * ConvTranspose by GEMM + col2im, the way most libraries compute it (and the
 * way they compute conv backward data): for each image and group,
 *
 *   columns [Cout/G · ΠK, ΠI] = Wᵀ [Cout/G · ΠK, Cin/G] · X [Cin/G, ΠI]
 *
 * with the existing packed GEMM, then col2im scatters each column entry
 * (oc', k, i) into output position i·S − Pb + k·D of channel g·Cout/G + oc',
 * dropping what falls outside the output. The weight [Cin, Cout/G, ...K] is
 * transposed per group once (and flipped in 'convolution' mode), since the
 * GEMM takes row-major operands only. Sums run in float64 (the GEMM's tile
 * sums, then col2im); a float32 kernel rounds the GEMM's columns and the
 * result to float32.
 */

import {
  type ConvTransposeGeometry,
  type ConvTransposeProblem,
  convTransposeGeometry,
  type DType,
  type FloatArray,
  lift3,
} from '../../reference/index.ts';
import { dgemm, sgemm } from '../gemm/index.ts';

/**
 * The ConvTranspose weight of one group, transposed to [Cout/G · ΠK, Cin/G]
 * (row (oc', k), column ic'), flipped in every spatial dimension for
 * 'convolution' mode.
 */
function transposedGroupWeight(
  g: ConvTransposeGeometry,
  weight: ArrayLike<number>,
  group: number,
  out: FloatArray,
): void {
  const cig = g.inChannelsPerGroup;
  const cog = g.outChannelsPerGroup;
  const kv = g.kernelVolume;
  for (let ic = 0; ic < cig; ic++) {
    for (let oc = 0; oc < cog; oc++) {
      const from = ((group * cig + ic) * cog + oc) * kv;
      for (let k = 0; k < kv; k++) {
        const tap = g.flipKernel ? kv - 1 - k : k;
        out[(oc * kv + k) * cig + ic] = weight[from + tap]!;
      }
    }
  }
}

/**
 * Adds columns [Cout/G · ΠK, ΠI] of one image and group into the output:
 * entry (oc', k, i) goes to output position i·S − Pb + k·D when inside.
 */
function col2im(
  g: ConvTransposeGeometry,
  columns: FloatArray,
  image: number,
  group: number,
  out: Float64Array,
): void {
  const [ID, IH, IW] = lift3(g.inputSize, 1);
  const [KD, KH, KW] = lift3(g.kernelSize, 1);
  const [OD, OH, OW] = lift3(g.outputSize, 1);
  const [SD, SH, SW] = lift3(g.stride, 1);
  const [DD, DH, DW] = lift3(g.dilation, 1);
  const [PD, PH, PW] = lift3(g.padBegin, 0);
  const cog = g.outChannelsPerGroup;
  const iv = g.inputVolume;
  let row = 0;
  for (let oc = 0; oc < cog; oc++) {
    const plane = (image * g.outChannels + group * cog + oc) * g.outputVolume;
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++, row++) {
          let column = row * iv;
          for (let id = 0; id < ID; id++) {
            const od = id * SD - PD + kd * DD;
            for (let ih = 0; ih < IH; ih++) {
              const oh = ih * SH - PH + kh * DH;
              for (let iw = 0; iw < IW; iw++, column++) {
                const ow = iw * SW - PW + kw * DW;
                if (od < 0 || od >= OD || oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
                const at = plane + (od * OH + oh) * OW + ow;
                out[at] = out[at]! + columns[column]!;
              }
            }
          }
        }
      }
    }
  }
}

/**
 * ConvTranspose by GEMM and col2im in the given dtype. Operands are row-major
 * in that dtype; the result too.
 *
 * @example
 * ```ts
 * const y = col2imConvTranspose(p, x, w, b, 'float32'); // Float32Array
 * ```
 */
export function col2imConvTranspose(
  problem: ConvTransposeProblem,
  input: FloatArray,
  weight: FloatArray,
  bias: FloatArray | undefined,
  dtype: DType,
): FloatArray {
  const g = convTransposeGeometry(problem);
  const Float = dtype === 'float32' ? Float32Array : Float64Array;
  const M = g.outChannelsPerGroup * g.kernelVolume;
  const K = g.inChannelsPerGroup;
  const N = g.inputVolume;
  const a = new Float(M * K);
  const x = input instanceof Float ? input : Float.from(input);
  const columns = new Float(M * N);
  const out = new Float64Array(g.outputLength);
  for (let group = 0; group < g.groups; group++) {
    transposedGroupWeight(g, weight, group, a);
    for (let n = 0; n < g.batch; n++) {
      const xOffset = (n * g.inChannels + group * K) * N;
      if (dtype === 'float32') {
        sgemm(
          M,
          N,
          K,
          a as Float32Array,
          0,
          K,
          x as Float32Array,
          xOffset,
          N,
          columns as Float32Array,
          0,
          N,
          false,
        );
      } else {
        dgemm(
          M,
          N,
          K,
          a as Float64Array,
          0,
          K,
          x as Float64Array,
          xOffset,
          N,
          columns as Float64Array,
          0,
          N,
          false,
        );
      }
      col2im(g, columns, n, group, out);
    }
  }
  if (bias) {
    for (let i = 0; i < out.length; i++) {
      out[i] = out[i]! + bias[Math.floor(i / g.outputVolume) % g.outChannels]!;
    }
  }
  return Float.from(out);
}
