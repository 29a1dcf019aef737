/**
 * N-D (1-, 2-, 3-D) convolution by im2col + packed GEMM. For every image n, channel
 * group g and block of output positions:
 *
 *   y[n, g·Cout/g + :, block] (+)= weight[g·Cout/g + :, R] · columns[R × block]
 *
 * with R = (Cin/g)·ΠK the reduction length. The weight slice of a group is a
 * contiguous row-major [Cout/g × R] matrix, so it feeds the GEMM in place; the output
 * slice is a row-major [Cout/g × ΠO] matrix with the block as a column window.
 * Sizes come from the geometry record only.
 */
import {
  type ConvGeometry,
  type ConvProblem,
  checkConvOperands,
  convGeometry,
  type DType,
  formatDescriptor,
} from '../../reference/index.ts';
import {
  dgemm,
  type GemmWorkspace,
  gemmWithPackedB,
  reservePackedB,
  sgemm,
} from '../gemm/index.ts';
import { columnPlan, fillColumns, outputRuns } from './columns.ts';
import {
  columnBlockWidth,
  defaultMaxWorkspaceBytes,
  gemmWorkspace,
  im2colWorkspaceBytes,
  inputIsColumns,
} from './workspace.ts';

/** Options of the im2col kernel. */
export interface Im2colOptions {
  /**
   * Refuse problems whose workspace ({@link im2colWorkspaceBytes}) exceeds this many
   * bytes, instead of risking an out-of-memory crash. Default 1 GiB.
   */
  maxWorkspaceBytes?: number;
}

/**
 * Why a problem is refused for its workspace, or undefined when it fits.
 *
 * @example
 * ```ts
 * workspaceRefusal(convGeometry(p), 'float32', { maxWorkspaceBytes: 2 ** 20 });
 * // 'im2col: xcorr:mb1g1ic256… needs 9437184 bytes of workspace, more than maxWorkspaceBytes = 1048576'
 * ```
 */
export function workspaceRefusal(
  g: ConvGeometry,
  dtype: DType,
  options: Im2colOptions = {},
): string | undefined {
  const limit = workspaceLimit(options);
  const needed = im2colWorkspaceBytes(g, dtype);
  if (needed <= limit) return undefined;
  return (
    `im2col: ${formatDescriptor(g.problem)} needs ${needed} bytes of workspace ` +
    `(${dtype}), more than maxWorkspaceBytes = ${limit}`
  );
}

/**
 * The workspace limit in bytes the options ask for (default 1 GiB).
 *
 * @throws RangeError when `maxWorkspaceBytes` is not a number ≥ 0.
 * @example
 * ```ts
 * workspaceLimit({}); // 1073741824
 * ```
 */
export function workspaceLimit(options: Im2colOptions = {}): number {
  const limit = options.maxWorkspaceBytes ?? defaultMaxWorkspaceBytes;
  if (typeof limit !== 'number' || !(limit >= 0)) {
    throw new RangeError(`im2col: maxWorkspaceBytes must be a number ≥ 0, got ${String(limit)}`);
  }
  return limit;
}

type Gemm<T extends Float32Array | Float64Array> = (
  M: number,
  N: number,
  K: number,
  A: T,
  aOffset: number,
  lda: number,
  B: T,
  bOffset: number,
  ldb: number,
  C: T,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
  workspace?: GemmWorkspace,
) => void;

/**
 * Float32 im2col convolution; returns a fresh output array owned by the caller.
 * Inputs are not modified.
 *
 * @throws ProblemError for an invalid problem, TypeError for operands of the wrong
 *   length or type, RangeError when the workspace would exceed `maxWorkspaceBytes`.
 *
 * @example
 * ```ts
 * const y = im2colConv(p, x, w, p.bias ? b : undefined); // Float32Array [N, Cout, ...out]
 * ```
 */
export function im2colConv(
  p: ConvProblem,
  x: Float32Array,
  w: Float32Array,
  b?: Float32Array,
  options?: Im2colOptions,
): Float32Array {
  const g = prepare(p, x, w, b, 'float32', options);
  const out = new Float32Array(g.outputLength);
  convolve(g, x, w, b, out, sgemm);
  return out;
}

/**
 * Float64 im2col convolution; the same contract as {@link im2colConv}.
 *
 * @example
 * ```ts
 * const y = im2colConv64(p, Float64Array.from(x), Float64Array.from(w));
 * ```
 */
export function im2colConv64(
  p: ConvProblem,
  x: Float64Array,
  w: Float64Array,
  b?: Float64Array,
  options?: Im2colOptions,
): Float64Array {
  const g = prepare(p, x, w, b, 'float64', options);
  const out = new Float64Array(g.outputLength);
  convolve(g, x, w, b, out, dgemm);
  return out;
}

/** Validates problem and operands, and refuses an over-budget workspace. */
function prepare(
  p: ConvProblem,
  x: Float32Array | Float64Array,
  w: Float32Array | Float64Array,
  b: Float32Array | Float64Array | undefined,
  dtype: DType,
  options: Im2colOptions | undefined,
): ConvGeometry {
  const g = convGeometry(p);
  checkConvOperands(g, x, w, b);
  const refusal = workspaceRefusal(g, dtype, options);
  if (refusal !== undefined) throw new RangeError(refusal);
  return g;
}

/** The loop over column blocks, images and groups. */
function convolve<T extends Float32Array | Float64Array>(
  g: ConvGeometry,
  x: T,
  w: T,
  b: T | undefined,
  out: T,
  gemm: Gemm<T>,
): void {
  const P = g.outputVolume;
  const R = g.reductionLength;
  const cig = g.inChannelsPerGroup;
  const cog = g.outChannelsPerGroup;
  const ws = gemmWorkspace();
  if (b !== undefined) fillBias(g, b, out);
  const accumulate = b !== undefined;
  if (inputIsColumns(g)) {
    // Input channels of a group are already a row-major [Cin/g × ΠO] matrix.
    for (let n = 0; n < g.batch; n++) {
      for (let group = 0; group < g.groups; group++) {
        const xStart = (n * g.inChannels + group * cig) * P;
        const yStart = (n * g.outChannels + group * cog) * P;
        gemm(cog, P, R, w, group * cog * R, R, x, xStart, P, out, yStart, P, accumulate, ws);
      }
    }
    return;
  }
  const plan = columnPlan(g);
  const blockWidth = columnBlockWidth(g);
  const { packed, start } = reservePackedB(cog, blockWidth, R, ws);
  for (let p0 = 0; p0 < P; p0 += blockWidth) {
    const width = Math.min(blockWidth, P - p0);
    const runs = outputRuns(plan, p0, width);
    for (let n = 0; n < g.batch; n++) {
      for (let group = 0; group < g.groups; group++) {
        const xStart = (n * g.inChannels + group * cig) * g.inputVolume;
        const yStart = (n * g.outChannels + group * cog) * P + p0;
        fillColumns(plan, x, xStart, runs, width, packed, start);
        gemmWithPackedB(cog, width, R, w, group * cog * R, R, out, yStart, P, accumulate, ws);
      }
    }
  }
}

/** out[n, oc, :] = bias[oc]; the GEMM then accumulates onto it. */
function fillBias(
  g: ConvGeometry,
  bias: Float32Array | Float64Array,
  out: Float32Array | Float64Array,
) {
  const P = g.outputVolume;
  for (let n = 0; n < g.batch; n++) {
    for (let oc = 0; oc < g.outChannels; oc++) {
      const start = (n * g.outChannels + oc) * P;
      out.fill(bias[oc]!, start, start + P);
    }
  }
}
