/**
 * Closed-form layer formulas for one spatial dimension. Kernels never call these
 * directly: they read the geometry record, which is built from these.
 */

/**
 * Effective (dilated) kernel extent: D·(K − 1) + 1.
 *
 * @example
 * ```ts
 * effectiveKernel(3, 2); // 5
 * ```
 */
export function effectiveKernel(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1;
}

/**
 * Output size of a convolution or pooling along one dimension:
 * O = ⌊(I + Pb + Pe − D·(K−1) − 1)/S⌋ + 1, which reduces to the seed's
 * ⌊(I − K + 2P)/S⌋ + 1 for D = 1 and Pb = Pe = P.
 *
 * In ceil mode ⌈⌉ is used instead, and then a last window that would start
 * inside the end padding is dropped, as PyTorch and ONNX do.
 *
 * @example
 * ```ts
 * outputSize(32, 5, 1, 1, 0, 0);           // 28
 * outputSize(6, 3, 2, 1, 0, 0, true);      // 3 (floor mode would give 2)
 * ```
 */
export function outputSize(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
  ceilMode = false,
): number {
  const span = input + padBegin + padEnd - effectiveKernel(kernel, dilation);
  if (!ceilMode) return Math.floor(span / stride) + 1;
  let size = Math.ceil(span / stride) + 1;
  // The last window must start inside the input or the begin padding.
  if ((size - 1) * stride >= input + padBegin) size -= 1;
  return size;
}

/**
 * Output size of a transposed convolution along one dimension:
 * O = (I − 1)·S − Pb − Pe + D·(K − 1) + outputPadding + 1. The pads are removed
 * from the full scatter (Pb at the beginning, Pe at the end) and outputPadding
 * adds rows at the end, as in PyTorch and ONNX.
 *
 * @example
 * ```ts
 * transposedOutputSize(3, 3, 2, 1, 1, 1, 1); // 6
 * ```
 */
export function transposedOutputSize(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
  outputPadding: number,
): number {
  return (
    (input - 1) * stride - padBegin - padEnd + effectiveKernel(kernel, dilation) + outputPadding
  );
}

/** Where the odd unit of a 'same' pad goes: 'upper' puts it at the end. */
export type SameSide = 'upper' | 'lower';

/**
 * The 'same' padding split for one dimension, so that O = ⌈I/S⌉. It uses the
 * dilated kernel, which several converters forget. 'upper' (ONNX SAME_UPPER,
 * TensorFlow 'SAME') puts the odd unit at the end; 'lower' at the beginning.
 *
 * @example
 * ```ts
 * samePadding(5, 4, 1, 1, 'upper'); // { padBegin: 1, padEnd: 2 }
 * samePadding(5, 3, 1, 2, 'upper'); // { padBegin: 2, padEnd: 2 }
 * ```
 */
export function samePadding(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  side: SameSide,
): { padBegin: number; padEnd: number } {
  const target = Math.ceil(input / stride);
  const total = Math.max(0, (target - 1) * stride + effectiveKernel(kernel, dilation) - input);
  const small = Math.floor(total / 2);
  const large = total - small;
  return side === 'upper' ? { padBegin: small, padEnd: large } : { padBegin: large, padEnd: small };
}

/** Product of the entries of a shape; 1 for an empty shape. */
export function volume(shape: readonly number[]): number {
  let v = 1;
  for (const s of shape) v *= s;
  return v;
}
