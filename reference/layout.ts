/**
 * Memory layouts of a kernel's tensors, as pure permutations of the canonical
 * ones (reference/problem.ts): the oracle, the judge and every report compute in
 * NCHW / OIHW; a kernel that declares another layout gets its operands
 * transposed into it before the call and its output transposed back after it,
 * at the host boundary only ({@link operandsInLayout}, {@link outputFromLayout}).
 *
 * Names follow the 2-D case; 1-D and 3-D drop or add spatial axes in place:
 * 'nhwc' is NWC in 1-D and NDHWC in 3-D, 'hwio' is WIO and DHWIO.
 */
import { convGeometry } from './geometry.ts';
import type { ConvProblem, FloatArray } from './problem.ts';

/** Input and output layout: channels first (canonical) or channels last (TF, TFLite, XNNPACK, WebNN). */
export type ActivationLayout = 'nchw' | 'nhwc';

/**
 * Weight layout, 'o' = output channels, 'i' = input channels per group:
 * 'oihw' canonical (PyTorch, ONNX); 'ohwi' (TFLite, XNNPACK); 'hwio' (TF, tfjs
 * conv2d); 'ihwo' (depthwise in TF and WebNN, where i is 1).
 */
export type WeightLayout = 'oihw' | 'ohwi' | 'hwio' | 'ihwo';

/** The layouts a kernel computes in. */
export interface KernelLayouts {
  layout: ActivationLayout;
  weightLayout: WeightLayout;
}

/** Every activation layout, for validation messages and exhaustive tests. */
export const ACTIVATION_LAYOUTS: readonly ActivationLayout[] = ['nchw', 'nhwc'];
/** Every weight layout, for validation messages and exhaustive tests. */
export const WEIGHT_LAYOUTS: readonly WeightLayout[] = ['oihw', 'ohwi', 'hwio', 'ihwo'];

/** The canonical layouts: no transposes. */
export const CANONICAL_LAYOUTS: KernelLayouts = { layout: 'nchw', weightLayout: 'oihw' };

/**
 * The layouts a kernel declares, defaults filled in.
 *
 * @example
 * ```ts
 * layoutsOf({ layout: 'nhwc' }); // { layout: 'nhwc', weightLayout: 'oihw' }
 * ```
 */
export function layoutsOf(declared: Partial<KernelLayouts>): KernelLayouts {
  return {
    layout: declared.layout ?? CANONICAL_LAYOUTS.layout,
    weightLayout: declared.weightLayout ?? CANONICAL_LAYOUTS.weightLayout,
  };
}

/** True when nothing needs transposing. */
export function isCanonical(layouts: KernelLayouts): boolean {
  return layouts.layout === 'nchw' && layouts.weightLayout === 'oihw';
}

/** `[2, 3, …, rank + 1]`: the spatial axes of a canonical tensor. */
function spatialAxes(rank: number): number[] {
  return Array.from({ length: rank }, (_, d) => d + 2);
}

/**
 * For each axis of a tensor in `layout`, the canonical axis it holds
 * (canonical [n, c, ...spatial]).
 *
 * @example
 * ```ts
 * activationAxes(2, 'nhwc'); // [0, 2, 3, 1]
 * ```
 */
export function activationAxes(rank: number, layout: ActivationLayout): number[] {
  return layout === 'nchw' ? [0, 1, ...spatialAxes(rank)] : [0, ...spatialAxes(rank), 1];
}

/**
 * For each axis of a weight in `layout`, the canonical axis it holds
 * (canonical [o, i, ...kernel]).
 *
 * @example
 * ```ts
 * weightAxes(2, 'hwio'); // [2, 3, 1, 0]
 * ```
 */
export function weightAxes(rank: number, layout: WeightLayout): number[] {
  const k = spatialAxes(rank);
  switch (layout) {
    case 'oihw':
      return [0, 1, ...k];
    case 'ohwi':
      return [0, ...k, 1];
    case 'hwio':
      return [...k, 1, 0];
    case 'ihwo':
      return [1, ...k, 0];
  }
}

/**
 * Transposes a row-major tensor of `shape`: axis j of the result is axis
 * `axes[j]` of the source. Returns a new array of the source's type.
 *
 * @example
 * ```ts
 * transpose(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], [1, 0]); // [1, 4, 2, 5, 3, 6]
 * ```
 */
export function transpose<T extends FloatArray>(
  data: T,
  shape: readonly number[],
  axes: readonly number[],
): T {
  const sourceStrides = new Array<number>(shape.length);
  let stride = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    sourceStrides[a] = stride;
    stride *= shape[a]!;
  }
  const outShape = axes.map((a) => shape[a]!);
  const step = axes.map((a) => sourceStrides[a]!);
  const result = new (data.constructor as new (n: number) => T)(data.length);
  const index = new Array<number>(outShape.length).fill(0);
  let source = 0;
  for (let i = 0; i < data.length; i++) {
    result[i] = data[source]!;
    // Odometer over the result's index, keeping the source offset in step.
    for (let j = outShape.length - 1; j >= 0; j--) {
      index[j]!++;
      source += step[j]!;
      if (index[j]! < outShape[j]!) break;
      source -= step[j]! * outShape[j]!;
      index[j] = 0;
    }
  }
  return result;
}

/**
 * The inverse permutation of `axes`: transposing by `axes`, then by
 * `inverseAxes(axes)`, gives the tensor back.
 *
 * @example
 * ```ts
 * inverseAxes([0, 2, 3, 1]); // [0, 3, 1, 2]
 * ```
 */
export function inverseAxes(axes: readonly number[]): number[] {
  const back = new Array<number>(axes.length);
  axes.forEach((a, j) => {
    back[a] = j;
  });
  return back;
}

/** The operands of one case (a bias, when present, never moves). */
export interface LayoutOperands {
  input: FloatArray;
  weight: FloatArray;
  bias?: FloatArray | undefined;
}

/**
 * The canonical operands as a kernel of `layouts` reads them: new arrays when a
 * transpose is needed, the same object otherwise.
 *
 * @example
 * ```ts
 * const k = operandsInLayout(p, { input: x, weight: w, bias: undefined }, { layout: 'nhwc', weightLayout: 'ohwi' });
 * ```
 */
export function operandsInLayout<O extends LayoutOperands>(
  p: ConvProblem,
  operands: O,
  layouts: KernelLayouts,
): O {
  if (isCanonical(layouts)) return operands;
  const g = convGeometry(p);
  const { input, weight } = operands;
  return {
    ...operands,
    input:
      layouts.layout === 'nchw'
        ? input
        : transpose(input, g.inputShape, activationAxes(g.rank, layouts.layout)),
    weight:
      layouts.weightLayout === 'oihw'
        ? weight
        : transpose(weight, g.weightShape, weightAxes(g.rank, layouts.weightLayout)),
  };
}

/**
 * A kernel's output, written in `layout`, back in canonical NCHW order. Anything
 * but a typed array of the output's length is returned as it is, for the judge
 * to refuse.
 *
 * @example
 * ```ts
 * const nchw = outputFromLayout(p, await kernel.conv(p, x, w), 'nhwc');
 * ```
 */
export function outputFromLayout<T>(p: ConvProblem, output: T, layout: ActivationLayout): T {
  if (layout === 'nchw') return output;
  if (!(output instanceof Float32Array || output instanceof Float64Array)) return output;
  const g = convGeometry(p);
  const axes = activationAxes(g.rank, layout);
  if (output.length !== g.outputLength) return output;
  const stored = axes.map((a) => g.outputShape[a]!);
  return transpose(output, stored, inverseAxes(axes)) as T;
}

/**
 * A canonical NCHW output as a kernel of `layout` writes it (the inverse of
 * {@link outputFromLayout}); for adapters and tests.
 *
 * @example
 * ```ts
 * outputInLayout(p, referenceConv(p, x, w), 'nhwc');
 * ```
 */
export function outputInLayout<T extends FloatArray>(
  p: ConvProblem,
  output: T,
  layout: ActivationLayout,
): T {
  if (layout === 'nchw') return output;
  const g = convGeometry(p);
  return transpose(output, g.outputShape, activationAxes(g.rank, layout));
}

/**
 * Canonical output coordinates [n, c, ...spatial] and the flat index of the same
 * element in `layout`, for reports written in the kernel's own index order.
 *
 * @example
 * ```ts
 * coordsInLayout([0, 2, 1, 3], [1, 4, 5, 6], 'nhwc'); // { coords: [0, 1, 3, 2], index: 62 }
 * ```
 */
export function coordsInLayout(
  coords: readonly number[],
  shape: readonly number[],
  layout: ActivationLayout,
): { coords: number[]; index: number } {
  const axes = activationAxes(shape.length - 2, layout);
  const moved = axes.map((a) => coords[a]!);
  const index = axes.reduce((offset, a, j) => offset * shape[a]! + moved[j]!, 0);
  return { coords: moved, index };
}

/**
 * The axis names of an activation in `layout`, e.g. 'n, h, w, c'.
 *
 * @example
 * ```ts
 * activationAxisNames(3, 'nhwc'); // 'n, d, h, w, c'
 * ```
 */
export function activationAxisNames(rank: number, layout: ActivationLayout): string {
  const names = ['n', 'c', ...['d', 'h', 'w'].slice(3 - rank)];
  return activationAxes(rank, layout)
    .map((a) => names[a]!)
    .join(', ');
}
