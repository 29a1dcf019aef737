/**
 * Row-major tensor rearrangements the tolerance model and the laws need:
 * flipping, padding, zero-insertion, channel slicing and subsampling.
 */
import { stridesOf } from '../reference/geometry.ts';

/**
 * Reverses every axis from `firstAxis` on (default 2: the spatial axes of an
 * [N, C, ...] or [Cout, Cin/g, ...] tensor).
 *
 * @example
 * ```ts
 * flipSpatial(Float64Array.of(1, 2, 3), [1, 1, 3]); // [3, 2, 1]
 * ```
 */
export function flipSpatial(
  data: ArrayLike<number>,
  shape: readonly number[],
  firstAxis = 2,
): Float64Array {
  const strides = stridesOf(shape);
  const out = new Float64Array(data.length);
  for (let index = 0; index < data.length; index++) {
    let source = 0;
    for (let axis = 0; axis < shape.length; axis++) {
      const coordinate = Math.floor(index / strides[axis]!) % shape[axis]!;
      source += (axis >= firstAxis ? shape[axis]! - 1 - coordinate : coordinate) * strides[axis]!;
    }
    out[index] = data[source]!;
  }
  return out;
}

/**
 * For every element of a block of `blockShape`, its flat index in a tensor of
 * `shape` when the block's coordinate c sits at offset[a] + c[a]·step[a].
 */
function blockIndices(
  blockShape: readonly number[],
  shape: readonly number[],
  offset: readonly number[],
  step: readonly number[],
): Int32Array {
  const blockStrides = stridesOf(blockShape);
  const strides = stridesOf(shape);
  const indices = new Int32Array(blockShape.reduce((a, b) => a * b, 1));
  for (let index = 0; index < indices.length; index++) {
    let target = 0;
    for (let axis = 0; axis < blockShape.length; axis++) {
      const coordinate = Math.floor(index / blockStrides[axis]!) % blockShape[axis]!;
      target += (offset[axis]! + coordinate * step[axis]!) * strides[axis]!;
    }
    indices[index] = target;
  }
  return indices;
}

/**
 * Copies `data` of `shape` into a zero tensor of `outShape` where element at
 * coordinates c lands at offset[a] + c[a]·step[a] on each axis a.
 *
 * @example
 * ```ts
 * // Zero-pad a [1, 1, 3] tensor by 1 before and 2 after: [1, 1, 6].
 * embed(x, [1, 1, 3], [1, 1, 6], [0, 0, 1], [1, 1, 1]);
 * ```
 */
export function embed(
  data: ArrayLike<number>,
  shape: readonly number[],
  outShape: readonly number[],
  offset: readonly number[],
  step: readonly number[],
): Float64Array {
  const out = new Float64Array(outShape.reduce((a, b) => a * b, 1));
  blockIndices(shape, outShape, offset, step).forEach((target, i) => {
    out[target] = data[i]!;
  });
  return out;
}

/**
 * The block of `outShape` read at offset[a] + c[a]·step[a] on each axis
 * (the inverse of {@link embed}): channel slices, subsampling.
 *
 * @example
 * ```ts
 * // Every second output along W of a [1, 1, 7] tensor: [1, 1, 4].
 * extract(y, [1, 1, 7], [1, 1, 4], [0, 0, 0], [1, 1, 2]);
 * ```
 */
export function extract(
  data: ArrayLike<number>,
  shape: readonly number[],
  outShape: readonly number[],
  offset: readonly number[],
  step: readonly number[],
): Float64Array {
  return Float64Array.from(blockIndices(outShape, shape, offset, step), (source) => data[source]!);
}

function axisOffset(rank: number, axis: number, start: number): number[] {
  const offset = new Array<number>(rank).fill(0);
  offset[axis] = start;
  return offset;
}

/**
 * `count` consecutive entries of `axis`, starting at `start` (a channel or
 * group slice of a row-major tensor).
 *
 * @example
 * ```ts
 * sliceAxis(x, [2, 6, 5, 5], 1, 3, 3); // channels 3..5 of an [N, C, H, W] tensor: [2, 3, 5, 5]
 * ```
 */
export function sliceAxis(
  data: ArrayLike<number>,
  shape: readonly number[],
  axis: number,
  start: number,
  count: number,
): Float64Array {
  const block = shape.map((extent, a) => (a === axis ? count : extent));
  return extract(
    data,
    shape,
    block,
    axisOffset(shape.length, axis, start),
    shape.map(() => 1),
  );
}

/**
 * A zero tensor of `shape` holding `data` (of the same shape but for `axis`)
 * at entries start.. of `axis`: the inverse of {@link sliceAxis}.
 *
 * @example
 * ```ts
 * placeAxis(part, [1, 2, 4], [1, 6, 4], 1, 2); // channels 2..3 of a 6-channel output
 * ```
 */
export function placeAxis(
  data: ArrayLike<number>,
  blockShape: readonly number[],
  shape: readonly number[],
  axis: number,
  start: number,
): Float64Array {
  return embed(
    data,
    blockShape,
    shape,
    axisOffset(shape.length, axis, start),
    shape.map(() => 1),
  );
}
