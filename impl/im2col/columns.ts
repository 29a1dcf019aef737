/**
 * The column matrix ("im2col") of one image and one channel group, for a block of
 * output positions: row r = (ci, kd, kh, kw) in weight order, column q = output
 * position p0 + q, entry = the (zero-padded) input element that tap r of output
 * position p multiplies. The GEMM weight[Cout/g × R] · columns[R × W] then gives
 * W output positions of every output channel of the group.
 *
 * The matrix is written straight into the GEMM's packed-B layout (panels of NR
 * columns, k-major; see `reservePackedB`), as float64, so the GEMM does not copy it
 * again: element (r, q) goes to start + ⌊q/NR⌋·NR·R + r·NR + (q mod NR).
 *
 * No per-element branches: for every tap the valid output range along each axis is
 * precomputed, so each output row becomes zeros · copy · zeros. Padded entries are
 * written as real zeros, so 0 · Inf = NaN exactly as in the oracle.
 *
 * True convolution ('convolution' mode) is handled here too, without touching the
 * weights: row r of tap t reads the input at the mirrored tap K−1−t, because
 * Σ_k x[o·s + k·d]·w[K−1−k] = Σ_t x[o·s + (K−1−t)·d]·w[t].
 *
 * Over 300 lines, on purpose: one column-plan record and the loops that read it
 * (per rank, per edge case) share their invariants; split, each half would restate
 * them.
 */
import { type ConvGeometry, type FloatArray, lift3 } from '../../reference/index.ts';
import { gemmBlocking, type PackedBuffer } from '../gemm/index.ts';

/** Columns per packed panel; copyColumns unrolls for exactly 4. */
const LANES = 4;
if (gemmBlocking.NR !== LANES) {
  throw new Error(
    `im2col: packs panels of ${LANES} columns, but the GEMM's NR is ${gemmBlocking.NR}`,
  );
}

/** Output-position range [lo, hi) of every tap along one axis. */
interface AxisTaps {
  /** First output index whose tap t (weight order) lands inside the input. */
  lo: Int32Array;
  /** One past the last such output index (≥ lo). */
  hi: Int32Array;
  /** Input offset of tap t: t'·dilation − padBegin, with t' the mirrored tap when flipping. */
  offset: Int32Array;
}

/**
 * Everything about the geometry the column builder needs, derived once per problem
 * and reused for every image, group and block.
 */
export interface ColumnPlan {
  inputSize: [number, number, number];
  kernelSize: [number, number, number];
  outputSize: [number, number, number];
  stride: [number, number, number];
  /** Per axis D, H, W. */
  taps: [AxisTaps, AxisTaps, AxisTaps];
  inChannelsPerGroup: number;
  inputVolume: number;
  kernelVolume: number;
}

function axisTaps(
  input: number,
  kernel: number,
  output: number,
  stride: number,
  dilation: number,
  padBegin: number,
  flip: boolean,
): AxisTaps {
  const lo = new Int32Array(kernel);
  const hi = new Int32Array(kernel);
  const offset = new Int32Array(kernel);
  for (let t = 0; t < kernel; t++) {
    const shift = (flip ? kernel - 1 - t : t) * dilation - padBegin;
    // o·stride + shift ∈ [0, input)  ⇔  o ∈ [⌈−shift/stride⌉, ⌊(input−1−shift)/stride⌋].
    const first = Math.max(0, Math.ceil(-shift / stride));
    const last = Math.min(output - 1, Math.floor((input - 1 - shift) / stride));
    lo[t] = first;
    hi[t] = Math.max(first, last + 1);
    offset[t] = shift;
  }
  return { lo, hi, offset };
}

/**
 * Derives the {@link ColumnPlan} from the geometry record.
 *
 * @example
 * ```ts
 * const plan = columnPlan(convGeometry(p));
 * ```
 */
export function columnPlan(g: ConvGeometry): ColumnPlan {
  const inputSize = lift3(g.inputSize, 1);
  const kernelSize = lift3(g.kernelSize, 1);
  const outputSize = lift3(g.outputSize, 1);
  const stride = lift3(g.stride, 1);
  const dilation = lift3(g.dilation, 1);
  const padBegin = lift3(g.padBegin, 0);
  const axis = (a: 0 | 1 | 2) =>
    axisTaps(
      inputSize[a],
      kernelSize[a],
      outputSize[a],
      stride[a],
      dilation[a],
      padBegin[a],
      g.flipKernel,
    );
  return {
    inputSize,
    kernelSize,
    outputSize,
    stride,
    taps: [axis(0), axis(1), axis(2)],
    inChannelsPerGroup: g.inChannelsPerGroup,
    inputVolume: g.inputVolume,
    kernelVolume: g.kernelVolume,
  };
}

/** Ints per entry of {@link OutputRuns}. */
const RUN = 4;

/**
 * The runs of a block of output positions [p0, p0 + width) that stay within one
 * output row (fixed od, oh): RUN ints per run (od, oh, first ow, one past the last
 * ow). The column of a run's first position is the sum of the earlier run lengths.
 */
export type OutputRuns = Int32Array;

/**
 * Splits output positions [p0, p0 + width) into runs along the W axis; a block of
 * width positions has at most ⌈width/OW⌉ + 1 runs.
 *
 * @example
 * ```ts
 * const runs = outputRuns(plan, 0, plan.outputSize[2]); // one run: the first output row
 * ```
 */
export function outputRuns(plan: ColumnPlan, p0: number, width: number): OutputRuns {
  const [, OH, OW] = plan.outputSize;
  const runs = new Int32Array(RUN * (Math.ceil(width / OW) + 1));
  let count = 0;
  const p1 = p0 + width;
  for (let p = p0; p < p1; count += RUN) {
    const ow = p % OW;
    const row = (p - ow) / OW;
    const oh = row % OH;
    const length = Math.min(OW - ow, p1 - p);
    runs[count] = (row - oh) / OH;
    runs[count + 1] = oh;
    runs[count + 2] = ow;
    runs[count + 3] = ow + length;
    p += length;
  }
  return runs.subarray(0, count);
}

/**
 * Writes the column matrix [R × width] for the output positions of `runs` (width
 * of them), from the input channels starting at `channelStart` in x, into `packed`
 * at `start` in packed-B layout. Lanes of the last panel beyond `width` are zeroed.
 *
 * @param x - the whole input tensor.
 * @param channelStart - index in x of the first element of the group's first channel.
 *
 * @example
 * ```ts
 * const runs = outputRuns(plan, p0, width);
 * const { packed, start } = reservePackedB(cog, width, R, ws);
 * fillColumns(plan, x, (n * Cin + group * cig) * plan.inputVolume, runs, width, packed, start);
 * ```
 */
export function fillColumns(
  plan: ColumnPlan,
  x: FloatArray,
  channelStart: number,
  runs: OutputRuns,
  width: number,
  packed: PackedBuffer,
  start: number,
): void {
  const [KD, KH, KW] = plan.kernelSize;
  const panelStride = LANES * plan.inChannelsPerGroup * plan.kernelVolume;
  let rowStart = start;
  for (let ci = 0; ci < plan.inChannelsPerGroup; ci++) {
    const channel = channelStart + ci * plan.inputVolume;
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          fillTapRow(plan, x, channel, kd, kh, kw, runs, packed, rowStart, panelStride);
          zeroPadLanes(packed, rowStart, panelStride, width);
          rowStart += LANES;
        }
      }
    }
  }
}

/** Zeros lanes width..⌈width/NR⌉·NR − 1 of one row (they only feed discarded results). */
function zeroPadLanes(packed: PackedBuffer, rowStart: number, panelStride: number, width: number) {
  const lane = width % LANES;
  if (lane === 0) return;
  const index = rowStart + ((width - lane) / LANES) * panelStride;
  for (let l = lane; l < LANES; l++) packed[index + l] = 0;
}

/**
 * One row of the column matrix: tap (kd, kh, kw) of one channel across the block.
 * Each run of output positions is zeros · copy · zeros, split at the tap's valid range.
 */
function fillTapRow(
  plan: ColumnPlan,
  x: FloatArray,
  channel: number,
  kd: number,
  kh: number,
  kw: number,
  runs: OutputRuns,
  packed: PackedBuffer,
  rowStart: number,
  panelStride: number,
): void {
  const [, IH, IW] = plan.inputSize;
  const [SD, SH, SW] = plan.stride;
  const [tapsD, tapsH, tapsW] = plan.taps;
  const loD = tapsD.lo[kd]!;
  const hiD = tapsD.hi[kd]!;
  const loH = tapsH.lo[kh]!;
  const hiH = tapsH.hi[kh]!;
  const loW = tapsW.lo[kw]!;
  const hiW = tapsW.hi[kw]!;
  const shiftD = tapsD.offset[kd]!;
  const shiftH = tapsH.offset[kh]!;
  const shiftW = tapsW.offset[kw]!;
  let column = 0;
  for (let r = 0; r < runs.length; r += RUN) {
    const od = runs[r]!;
    const oh = runs[r + 1]!;
    const owStart = runs[r + 2]!;
    const owEnd = runs[r + 3]!;
    // Output positions [owStart, lo) and [hi, owEnd) of this run read padding.
    let lo = owEnd;
    let hi = owEnd;
    if (od >= loD && od < hiD && oh >= loH && oh < hiH) {
      lo = Math.min(Math.max(owStart, loW), owEnd);
      hi = Math.max(Math.min(owEnd, hiW), lo);
    }
    copyColumns(packed, rowStart, panelStride, column, lo - owStart, undefined, 0, 0);
    column += lo - owStart;
    const src = channel + ((od * SD + shiftD) * IH + oh * SH + shiftH) * IW + shiftW + lo * SW;
    copyColumns(packed, rowStart, panelStride, column, hi - lo, x, src, SW);
    column += hi - lo;
    copyColumns(packed, rowStart, panelStride, column, owEnd - hi, undefined, 0, 0);
    column += owEnd - hi;
  }
}

/** Columns [q, q + count) of a row = x[src], x[src + step], … (x = undefined: zeros). */
function copyColumns(
  packed: PackedBuffer,
  rowStart: number,
  panelStride: number,
  q: number,
  count: number,
  x: FloatArray | undefined,
  src: number,
  step: number,
): void {
  let lane = q % LANES;
  let index = rowStart + ((q - lane) / LANES) * panelStride + lane;
  // Up to the end of the first, partly filled panel.
  for (; lane !== 0 && count > 0; count--) {
    packed[index++] = x === undefined ? 0 : x[src]!;
    src += step;
    if (++lane === LANES) {
      lane = 0;
      index += panelStride - LANES;
    }
  }
  // Whole panels: four lanes each (NR = 4), then on to the next panel.
  if (x === undefined) {
    for (; count >= LANES; count -= LANES) {
      packed[index] = 0;
      packed[index + 1] = 0;
      packed[index + 2] = 0;
      packed[index + 3] = 0;
      index += panelStride;
    }
  } else {
    for (; count >= LANES; count -= LANES) {
      packed[index] = x[src]!;
      packed[index + 1] = x[src + step]!;
      packed[index + 2] = x[src + 2 * step]!;
      packed[index + 3] = x[src + 3 * step]!;
      index += panelStride;
      src += LANES * step;
    }
  }
  for (let l = 0; l < count; l++) {
    packed[index + l] = x === undefined ? 0 : x[src]!;
    src += step;
  }
}
