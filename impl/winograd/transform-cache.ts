import type { WinogradAxis, WinogradPlan } from './plan.ts';
import {
  compileSeparable,
  type SeparableApply,
  SeparableTransform,
  sparseRows,
} from './separable.ts';
import type { Settings } from './settings.ts';
/** The three tile transforms; each is compiled (and cached) once per role, dtype and target. */
export type TransformRole = 'filter' | 'input' | 'output';

/**
 * Where U and V are written: the GEMM's float64 packed buffer ('packed', rounded to
 * float32 by `Math.fround` for a float32 kernel) or a Float32Array ('float32', the
 * WebAssembly GEMM's memory, rounded by the store). Separate compiled copies keep
 * each one's array accesses monomorphic.
 */
export type TransformTargetKind = 'packed' | 'float32';

/**
 * Left and right factors of a nested transform along (height, width). Filter and
 * input transforms write the packed panels, rounded to float32 for a float32 kernel
 * (see {@link TransformTargetKind}); the output transform writes the output array itself.
 */
export function separable(
  plan: WinogradPlan,
  settings: Settings,
  role: TransformRole,
  target: TransformTargetKind,
  pick: (a: WinogradAxis) => { dense: Float64Array; rows: number; cols: number },
): SeparableApply {
  const kind = settings.tileTransforms;
  const roundToFloat32 = role !== 'output' && settings.dtype === 'float32' && target === 'packed';
  const magnitude = (dense: Float64Array) => (settings.magnitudes ? dense.map(Math.abs) : dense);
  const h = { ...pick(plan.height), dense: magnitude(pick(plan.height).dense) };
  const w = { ...pick(plan.width), dense: magnitude(pick(plan.width).dense) };
  const left = sparseRows(h.dense, h.rows, h.cols);
  const right = sparseRows(w.dense, w.rows, w.cols);
  // One compiled copy per role and dtype: each then sees one pair of array types only.
  const key = `${kind}:${role}:${settings.dtype}:${target}:${h.dense.join()}|${h.rows}|${w.dense.join()}|${w.rows}`;
  let apply = compiledCache.get(key);
  if (!apply) {
    if (kind === 'compiled') {
      apply = compileSeparable(left, right, roundToFloat32);
    } else {
      const transform = new SeparableTransform(left, right, roundToFloat32);
      apply = (input, from, output, to, addend, count) =>
        transform.apply(input, from, output, to, addend, count);
    }
    compiledCache.set(key, apply);
  }
  return apply;
}

/** Tile transforms per matrix pair; compiling costs far more than one small call. */
const compiledCache = new Map<string, SeparableApply>();
