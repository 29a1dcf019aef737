/**
 * Winograd convolution for stride-1, dilation-1, 1-D and 2-D problems: nested
 * F(m, r_h) × F(m, r_w) with transforms derived exactly for the problem's kernel.
 *
 * Per group and block of tiles (across the batch): the input tiles are transformed,
 * V[ξν] = (Bᵀ d B)[ξν]; then per block of output channels, their filters are
 * transformed, U[ξν] = (G g Gᵀ)[ξν] (once per group when all of its filters fit the
 * plan's block), the α² products M[ξν] = U[ξν]·V[ξν] are formed, and each tile's α×α
 * block of M is transformed back with Aᵀ … A, biased and written out (only its valid
 * part for ragged edge tiles).
 *
 * The transforms write U and V straight into the GEMM micro-kernel's packed panel
 * layout, so the products need no packing pass and no GEMM driver: each is a loop of
 * 4 × 4 micro-kernel calls over panels that stay in cache (plan.ts sizes the blocks).
 */

import {
  type ConvGeometry,
  type ConvKernel,
  type ConvProblem,
  checkConvOperands,
  convGeometry,
} from '../../reference/index.ts';
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import type { WinogradPlan } from './plan.ts';
import { jsProducts, type WinogradProducts } from './products.ts';
import { WinogradRun } from './run.ts';
import {
  planOf,
  type Settings,
  settingsOf,
  supportReason,
  type WinogradKernelOptions,
  workspaceRefusal,
} from './settings.ts';
import { WinogradWorkspace } from './workspace.ts';

export { type WinogradMagnitudeOptions, winogradMagnitudes } from './magnitudes.ts';
export type { WinogradKernelOptions } from './settings.ts';

/**
 * A Winograd convolution kernel F(m×m, r×r) (F(m, r) in 1-D) for stride-1,
 * dilation-1 problems; r is each problem's own kernel size.
 *
 * @example
 * ```ts
 * const k = createWinogradKernel({ m: 4 });
 * k.supports?.(p); // true, or the reason it is skipped
 * const y = await k.conv(p, x, w, b);
 * ```
 */
export function createWinogradKernel(options: WinogradKernelOptions): ConvKernel {
  const settings = settingsOf(options);
  const scratch = new WinogradWorkspace(settings.retainWorkspaceBytes);
  return createWinogradKernelOn(settings, {
    plan: planOf,
    refusal: workspaceRefusal,
    products: (g, plan, s) => jsProducts(plan, s.dtype, g.inChannelsPerGroup, scratch),
  });
}

/**
 * How a Winograd kernel forms its products: the JavaScript micro-kernel
 * ({@link createWinogradKernel}) or the WebAssembly SIMD GEMM (impl/wasm/winograd-simd.ts).
 * The transforms, the tiling and the supported set are the same for both.
 */
export interface WinogradEngine {
  /** The plan of a supported geometry (the engine's block sizes). */
  plan(g: ConvGeometry, settings: Settings): WinogradPlan;
  /** `true`, or why this engine cannot run a geometry the transforms support. */
  refusal(g: ConvGeometry, settings: Settings): true | string;
  /** Where one call keeps U, V and M, ready for its products. */
  products(g: ConvGeometry, plan: WinogradPlan, settings: Settings): WinogradProducts;
}

/**
 * The Winograd kernel of `settings` on `engine`. `supports(p)` declines non-zero
 * padding modes, what the transforms do not cover (`supportReason`) and what the
 * engine refuses; `conv` throws a RangeError with the same reason.
 *
 * @example
 * ```ts
 * const k = createWinogradKernelOn(settingsOf({ m: 4, name: 'winograd-f4-simd' }), engine);
 * ```
 */
export function createWinogradKernelOn(settings: Settings, engine: WinogradEngine): ConvKernel {
  const reasonFor = (g: ConvGeometry): true | string => {
    const reason = supportReason(g, settings);
    return reason === true ? engine.refusal(g, settings) : reason;
  };
  const supports = (p: ConvProblem): true | string => {
    try {
      const g = convGeometry(p);
      const zeros = zeroPaddingOnly(p);
      return zeros === true ? reasonFor(g) : `${settings.name}: ${zeros}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
  return {
    name: settings.name,
    dtype: settings.dtype,
    supports,
    conv(p, input, weight, bias) {
      const g = convGeometry(p);
      checkConvOperands(g, input, weight, bias);
      const reason = reasonFor(g);
      if (reason !== true) throw new RangeError(`${settings.name}: ${reason}`);
      const plan = engine.plan(g, settings);
      const products = engine.products(g, plan, settings);
      return new WinogradRun(g, plan, settings, { input, weight, bias }, products).run();
    },
  };
}

/**
 * A kernel made on first use. Why: nothing of the built-in kernels runs while the
 * module loads, so every line of the kernel is covered test by test (Stryker's
 * vitest runner activates a mutant only after the modules have loaded, so code run
 * at load time can never be judged; stryker-js#6144).
 */
export function lazyKernel(create: () => ConvKernel): ConvKernel {
  let made: ConvKernel | undefined;
  const kernel = () => {
    made ??= create();
    return made;
  };
  return {
    get name() {
      return kernel().name;
    },
    get dtype() {
      return kernel().dtype;
    },
    supports: (p) => kernel().supports?.(p) ?? true,
    conv: (p, input, weight, bias) => kernel().conv(p, input, weight, bias),
  };
}

/**
 * F(2×2, 3×3) Winograd (F(2×2, r×r) and 1-D F(2, r) for other kernel sizes), float32.
 *
 * @example
 * ```ts
 * const y = winogradF2Kernel.conv(p, x, w);
 * ```
 */
export const winogradF2Kernel: ConvKernel = lazyKernel(() =>
  createWinogradKernel({ m: 2, name: 'winograd-f2' }),
);

/**
 * F(4×4, 3×3) Winograd (Lavin & Gray's points 0, ±1, ±2, ∞), float32.
 *
 * @example
 * ```ts
 * const y = winogradF4Kernel.conv(p, x, w);
 * ```
 */
export const winogradF4Kernel: ConvKernel = lazyKernel(() =>
  createWinogradKernel({ m: 4, name: 'winograd-f4' }),
);
