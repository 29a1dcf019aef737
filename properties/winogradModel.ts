/**
 * The bound model of convcheck's own Winograd kernels (impl/winograd): one
 * F(m, r) per spatial axis with the transforms the kernel uses, and the
 * identity F(1, 1) on single-tap axes, exactly as its plan does.
 */
// transforms.ts only: the model needs the matrices, not the kernel.
import type { WinogradPointChooser } from '../impl/winograd/plan.ts';
import { type WinogradPoint, winogradTransforms } from '../impl/winograd/transforms.ts';
import {
  identityAxisBound,
  type WinogradAxisBound,
  type WinogradBoundModel,
  winogradAxisBound,
} from './winogradBound.ts';

const cache = new Map<string, WinogradAxisBound>();

function rows(flat: Float64Array, count: number, length: number): number[][] {
  return Array.from({ length: count }, (_, i) =>
    Array.from(flat.subarray(i * length, (i + 1) * length)),
  );
}

function axisBound(
  m: number,
  r: number,
  points: readonly WinogradPoint[] | undefined,
): WinogradAxisBound {
  if (r === 1) return identityAxisBound();
  const key = `${m},${r}:${points?.map(String).join(',') ?? 'default'}`;
  let bound = cache.get(key);
  if (bound === undefined) {
    const t = winogradTransforms(m, r, points);
    bound = winogradAxisBound(m, r, {
      AT: rows(t.ATf, m, t.alpha),
      G: rows(t.Gf, t.alpha, r),
      BT: rows(t.BTf, t.alpha, t.alpha),
    });
    cache.set(key, bound);
  }
  return bound;
}

/**
 * The bound model of `createWinogradKernel({ m, points })` for a problem with
 * this kernel size: F(m, r_d) on every axis with r_d > 1 (the kernel's
 * transforms, default points unless a chooser is given), F(1, 1) elsewhere.
 *
 * @example
 * ```ts
 * const model = winogradModel(4, p.kernelSize);      // for winogradF4Kernel
 * compareConvOutput({ ..., model, magnitude: magnitudeFor(p, operands, model, 'float32') });
 * ```
 */
export function winogradModel(
  m: number,
  kernelSize: readonly number[],
  points?: WinogradPointChooser,
): WinogradBoundModel {
  return {
    kind: 'winograd',
    m,
    axes: kernelSize.map((r) =>
      axisBound(r === 1 ? 1 : m, r, r === 1 ? undefined : points?.(m, r)),
    ),
  };
}
