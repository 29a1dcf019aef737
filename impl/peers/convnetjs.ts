/**
 * convnetjs 0.3.0 `ConvLayer.forward` as a ConvKernel.
 *
 * What it does, read from its source and declared as such:
 * - a `Vol` is one image stored height × width × depth (HWC), and each filter
 *   is a `Vol` of KH × KW × Cin: so `layout: 'nhwc'` and `weightLayout:
 *   'ohwi'`, and the harness hands the operands over in those layouts (no
 *   transposes here); a batch is one `forward` per image;
 * - cross-correlation, one stride and one symmetric pad for both axes, zero
 *   padding whose taps it skips (`if (oy >= 0 && …)`): `padding: 'skip-taps'`;
 * - a bias per filter, always added (0 when the problem has none);
 * - float64 (its `Vol`s are Float64Arrays).
 * 2-D, groups 1, dilation 1, zero padding only.
 */
import {
  type ConvKernel,
  type ConvProblem,
  convGeometry,
  type FloatArray,
} from '../../reference/index.ts';
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import { geometryOrReason, loadPeer, type PeerLoad } from './peer.ts';

/** The parts of convnetjs used here (the package has no types). */
interface Vol {
  w: Float64Array;
}
interface ConvLayer {
  filters: Vol[];
  biases: Vol;
  forward(v: Vol): Vol;
}
interface ConvnetJs {
  Vol: new (sx: number, sy: number, depth: number, c?: number) => Vol;
  ConvLayer: new (opt: Record<string, number>) => ConvLayer;
}

let loaded: Promise<ConvnetJs> | undefined;
function importLibrary(): Promise<ConvnetJs> {
  // A variable specifier: the package ships no types, and ConvnetJs above says what is used.
  const specifier = 'convnetjs';
  loaded ??= import(specifier).then((m: { default?: unknown }) => (m.default ?? m) as ConvnetJs);
  return loaded;
}

function convnetSupports(p: ConvProblem): true | string {
  const g = geometryOrReason(p);
  if (typeof g === 'string') return `convnetjs: ${g}`;
  const reasons: string[] = [];
  if (p.inputSize.length !== 2) reasons.push(`only 2-D (rank ${p.inputSize.length})`);
  if (p.mode !== 'cross-correlation') reasons.push('cross-correlation only');
  if (p.groups !== 1) reasons.push(`groups 1 only (got ${p.groups})`);
  if (p.dilation.some((d) => d !== 1)) reasons.push('dilation 1 only');
  if (new Set(p.stride).size > 1)
    reasons.push(`one stride for both axes (got [${p.stride.join(', ')}])`);
  const pads = [...p.padBegin, ...p.padEnd];
  if (new Set(pads).size > 1)
    reasons.push(`one symmetric pad for every side (got ${pads.join(', ')})`);
  const zeros = zeroPaddingOnly(p);
  if (zeros !== true) reasons.push(zeros);
  return reasons.length === 0 ? true : `convnetjs: ${reasons.join('; ')}`;
}

async function convnetConv(
  p: ConvProblem,
  input: FloatArray,
  weight: FloatArray,
  bias?: FloatArray,
): Promise<Float64Array> {
  const lib = await importLibrary();
  const g = convGeometry(p);
  const [height, width] = p.inputSize as [number, number];
  const [kh, kw] = p.kernelSize as [number, number];
  const layer = new lib.ConvLayer({
    in_sx: width,
    in_sy: height,
    in_depth: p.inChannels,
    sx: kw,
    sy: kh,
    filters: p.outChannels,
    stride: p.stride[0]!,
    pad: p.padBegin[0]!,
  });
  const filterLength = kh * kw * p.inChannels;
  for (let o = 0; o < p.outChannels; o++) {
    layer.filters[o]!.w.set(weight.subarray(o * filterLength, (o + 1) * filterLength));
  }
  layer.biases.w.set(bias ?? new Float64Array(p.outChannels));
  const output = new Float64Array(g.outputLength);
  const imageLength = g.inputVolume * p.inChannels;
  const outLength = g.outputVolume * p.outChannels;
  for (let n = 0; n < p.batch; n++) {
    const image = new lib.Vol(width, height, p.inChannels, 0);
    image.w.set(input.subarray(n * imageLength, (n + 1) * imageLength));
    const result = layer.forward(image).w;
    if (result.length !== outLength) {
      throw new Error(
        `convnetjs returned ${result.length} values per image, expected ${outLength}`,
      );
    }
    output.set(result, n * outLength);
  }
  return output;
}

/**
 * A generated 2-D problem moved into the library's domain: cross-correlation,
 * the first stride on both axes and the largest pad on every side; unchanged
 * when that would not be a valid problem (then `supports` declines it).
 *
 * @example
 * ```ts
 * fitConvnet(p).padEnd; // [m, m], m the largest of p's pads
 * ```
 */
export function fitConvnet(p: ConvProblem): ConvProblem {
  if (p.inputSize.length !== 2) return p;
  const pad = Math.max(...p.padBegin, ...p.padEnd);
  const stride = p.stride[0]!;
  const fitted: ConvProblem = {
    ...p,
    mode: 'cross-correlation',
    stride: [stride, stride],
    padBegin: [pad, pad],
    padEnd: [pad, pad],
  };
  return typeof geometryOrReason(fitted) === 'string' ? p : fitted;
}

/** convnetjs 0.3.0's ConvLayer, HWC images and HWC filters, float64. */
export const convnetjsKernel: ConvKernel = {
  name: 'convnetjs',
  dtype: 'float64',
  padding: 'skip-taps',
  layout: 'nhwc',
  weightLayout: 'ohwi',
  supports: convnetSupports,
  conv: convnetConv,
};

/**
 * Loads convnetjs and returns the kernel, or why it cannot be used.
 *
 * @example
 * ```ts
 * const k = await loadConvnetjsKernel();
 * ```
 */
export function loadConvnetjsKernel(): Promise<PeerLoad> {
  return loadPeer('convnetjs', importLibrary, convnetjsKernel);
}
