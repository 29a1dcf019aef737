/**
 * The Winograd magnitudes W: the kernel's own algorithm run on absolute values
 * with absolute transforms, the quantity its rounding error is bounded by.
 */
import { type ConvProblem, checkConvOperands, convGeometry } from '../../reference/index.ts';
import type { WinogradPointChooser } from './plan.ts';
import { jsProducts } from './products.ts';
import { WinogradRun } from './run.ts';
import { planOf, type Settings, settingsOf } from './settings.ts';
import { WinogradWorkspace } from './workspace.ts';
/** What {@link winogradMagnitudes} needs to know about the kernel. */
export interface WinogradMagnitudeOptions {
  m: number;
  points?: WinogradPointChooser;
}

/**
 * W = the kernel's algorithm run with the absolute transforms |Aᵀ|, |G|, |Bᵀ| on |x|
 * and |w|, in float64 and without bias: per output,
 * W = |Aᵀ| (Σ_c (|G| |g_c| |G|ᵀ) ⊙ (|Bᵀ| |d_c| |B|)) |A| over the output's own tile, the
 * quantity every rounding error of the kernel is bounded by (error-constants.ts).
 * All terms are nonnegative, so this float64 value is within 10^-12 of the exact W.
 *
 * @example
 * ```ts
 * const W = winogradMagnitudes(p, x, w, { m: 4 });
 * // |ŷ − y| ≤ c·W + u·|y|, c from winogradRoundingFactor
 * ```
 */
export function winogradMagnitudes(
  p: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  options: WinogradMagnitudeOptions,
): Float64Array {
  const g = convGeometry(p);
  checkConvOperands(g, input, weight, p.bias ? new Float64Array(g.outChannels) : undefined);
  const settings: Settings = {
    ...settingsOf({
      m: options.m,
      dtype: 'float64',
      ...(options.points ? { points: options.points } : {}),
    }),
    magnitudes: true,
  };
  const operands = {
    input: Float64Array.from(input, Math.abs),
    weight: Float64Array.from(weight, Math.abs),
    bias: undefined,
  };
  const plan = planOf(g, settings);
  const products = jsProducts(plan, 'float64', g.inChannelsPerGroup, new WinogradWorkspace(0));
  return new WinogradRun(g, plan, settings, operands, products).run() as Float64Array;
}
