/**
 * The plane domain: the problems that single-image, single-channel libraries
 * (ml-convolution, ml-matrix-convolution, @thi.ng/pixel-convolve) compute with
 * one library call per output plane and no arithmetic of ours. That is every
 * problem in which each output plane (n, oc) reads exactly one input plane
 * with exactly one kernel — one channel, or a depthwise layer with multiplier
 * 1 (groups = inChannels = outChannels) — with no bias (none of these
 * libraries adds one, and adding it here would be our rounding, not theirs).
 * Batch and channels are then only a loop over planes.
 */
import {
  type ConvGeometry,
  type ConvProblem,
  convGeometry,
  type DType,
  type FloatArray,
} from '../../reference/index.ts';
import { geometryOrReason } from './peer.ts';

/** One call of a plane library: an input plane and its kernel, both row-major. */
export interface PlaneCall {
  /** The input plane, row-major over the problem's spatial axes. */
  plane: Float64Array;
  /** The kernel of that plane, row-major over the kernel's spatial axes. */
  kernel: Float64Array;
  /** The problem's geometry (sizes, output size). */
  geometry: ConvGeometry;
}

/**
 * Whether `p` is in the plane domain of a library of the given ranks, or the
 * reason it is not (prefixed with the library's name).
 *
 * @example
 * ```ts
 * planeDomain(p, 'ml-matrix-convolution', [2]); // true, or 'ml-matrix-convolution: …'
 * ```
 */
export function planeDomain(
  p: ConvProblem,
  library: string,
  ranks: readonly number[],
): ConvGeometry | string {
  const g = geometryOrReason(p);
  if (typeof g === 'string') return `${library}: ${g}`;
  const reasons: string[] = [];
  if (!ranks.includes(p.inputSize.length)) {
    reasons.push(`only ${ranks.join(' or ')}-D images (rank ${p.inputSize.length})`);
  }
  if (g.inChannelsPerGroup !== 1 || g.outChannelsPerGroup !== 1) {
    reasons.push(
      'one image with one kernel per output plane (one channel, or depthwise with multiplier 1)',
    );
  }
  if (p.bias) reasons.push('no bias (the library adds none)');
  return reasons.length === 0 ? g : `${library}: ${reasons.join('; ')}`;
}

/**
 * Runs `call` once per output plane (n, oc) of a plane-domain problem and
 * assembles the output in the kernel's dtype. A library answer of the wrong
 * length is reported, not cropped or padded.
 *
 * @example
 * ```ts
 * const y = await perPlane(p, x, w, 'float64', ({ plane, kernel }) => directConvolution(plane, kernel));
 * ```
 */
export async function perPlane(
  p: ConvProblem,
  input: FloatArray,
  weight: FloatArray,
  dtype: DType,
  call: (c: PlaneCall) => ArrayLike<number> | Promise<ArrayLike<number>>,
): Promise<FloatArray> {
  const g = convGeometry(p);
  const planeLength = g.inputVolume;
  const outPlane = g.outputVolume;
  const output =
    dtype === 'float32' ? new Float32Array(g.outputLength) : new Float64Array(g.outputLength);
  for (let n = 0; n < p.batch; n++) {
    for (let c = 0; c < p.outChannels; c++) {
      // One channel per group: output channel c reads input channel c with kernel c.
      const start = (n * p.inChannels + c) * planeLength;
      const plane = Float64Array.from(input.subarray(start, start + planeLength));
      const kernel = Float64Array.from(
        weight.subarray(c * g.kernelVolume, (c + 1) * g.kernelVolume),
      );
      const result = await call({ plane, kernel, geometry: g });
      if (result.length !== outPlane) {
        throw new Error(
          `the library returned ${result.length} values for a plane, expected ${outPlane} ` +
            `(output size [${g.outputSize.join(', ')}])`,
        );
      }
      output.set(result, (n * p.outChannels + c) * outPlane);
    }
  }
  return output;
}

/**
 * A 2-D plane as rows (arrays of arrays), the form matrix libraries take.
 *
 * @example
 * ```ts
 * toRows(Float64Array.of(1, 2, 3, 4), 2, 2); // [[1, 2], [3, 4]]
 * ```
 */
export function toRows(values: ArrayLike<number>, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: cols }, (_, c) => values[r * cols + c]!),
  );
}

/**
 * `values` with `before` zeros in front and `after` behind (1-D explicit zero padding).
 *
 * @example
 * ```ts
 * zeroPad1d(Float64Array.of(1, 2), 1, 0); // [0, 1, 2]
 * ```
 */
export function zeroPad1d(values: ArrayLike<number>, before: number, after: number): Float64Array {
  const out = new Float64Array(before + values.length + after);
  out.set(Array.from(values), before);
  return out;
}
