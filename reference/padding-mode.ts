/**
 * Padding modes: what the padded coordinates of the input hold. 'zeros' is the
 * default; 'reflect', 'replicate' and 'circular' are PyTorch's `padding_mode`
 * (and ONNX Pad's 'reflect', 'edge' and 'wrap') applied to each spatial axis.
 *
 * A coordinate i of an axis of size I, padded to [−padBegin, I + padEnd):
 * - 'zeros': outside [0, I) it is a real zero;
 * - 'reflect': mirrored about the edge element, not repeating it
 *   (i < 0 → −i; i ≥ I → 2(I − 1) − i); needs pad < I on both sides;
 * - 'replicate': clamped to the edge element (ONNX 'edge');
 * - 'circular': wrapped, i mod I (ONNX 'wrap'); needs pad ≤ I on both sides,
 *   so it wraps at most once.
 */
import type { PaddingMode } from './problem.ts';

/** Every padding mode, for validation messages and exhaustive tests. */
export const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

/**
 * The input index a padded coordinate `i` reads on an axis of `size`, or −1 for
 * a zero of the 'zeros' mode. Valid for the pads {@link paddingModeRule} allows.
 *
 * @example
 * ```ts
 * paddedIndex('reflect', -2, 5); // 2
 * paddedIndex('circular', 5, 5); // 0
 * ```
 */
export function paddedIndex(mode: PaddingMode, i: number, size: number): number {
  if (i >= 0 && i < size) return i;
  switch (mode) {
    case 'zeros':
      return -1;
    case 'reflect':
      return i < 0 ? -i : 2 * (size - 1) - i;
    case 'replicate':
      return i < 0 ? 0 : size - 1;
    case 'circular':
      return ((i % size) + size) % size;
  }
}

/**
 * The largest pad `mode` allows on an axis of `size` (PyTorch's rules: reflect
 * "padding size should be less than the corresponding input dimension";
 * circular pads may not wrap "around more than once"), or Infinity.
 *
 * @example
 * ```ts
 * maxPadFor('reflect', 4); // 3
 * ```
 */
export function maxPadFor(mode: PaddingMode, size: number): number {
  if (mode === 'reflect') return size - 1;
  if (mode === 'circular') return size;
  return Number.POSITIVE_INFINITY;
}

/**
 * `true` for a problem padded with zeros, otherwise the reason a kernel that
 * implements zero padding only declines it (for `supports`).
 *
 * @example
 * ```ts
 * zeroPaddingOnly({ ...p, paddingMode: 'reflect' }); // "only zero padding (paddingMode 'reflect')"
 * ```
 */
export function zeroPaddingOnly(p: { paddingMode?: PaddingMode }): true | string {
  const mode = p.paddingMode ?? 'zeros';
  return mode === 'zeros' ? true : `only zero padding (paddingMode '${mode}')`;
}
