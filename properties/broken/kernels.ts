/**
 * Deliberately broken kernels, each carrying one bug the way it really
 * happens: one wrong line in an otherwise correct direct loop. Every property
 * and law must catch at least one of them ("a property that cannot fail is a
 * defect"); the tests assert which catches which.
 */
import type { ConvKernel } from '../../reference/problem.ts';
import { defaultInputCoordinate, directKernel, sequentialReduce } from './direct.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Rounds a float32 value to bfloat16 (8 significant bits), to nearest even,
 * the way bf16 hardware accumulators round.
 *
 * @example
 * ```ts
 * toBfloat16(1 + 2 ** -9); // 1
 * ```
 */
export function toBfloat16(v: number): number {
  f32[0] = v;
  if (Number.isNaN(f32[0])) return v;
  const bits = u32[0]!;
  u32[0] = (bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000;
  return f32[0];
}

/** The float32 value just above a finite float32 `r` (toward +∞). */
function nextFloat32Up(r: number): number {
  if (r === 0) return 2 ** -149;
  f32[0] = r;
  u32[0] = r > 0 ? u32[0]! + 1 : u32[0]! - 1;
  return f32[0];
}

/**
 * True convolution computed as cross-correlation: the flip was never written.
 *
 * @example
 * ```ts
 * (await fc.check(conformanceProperty(flipMissingKernel, { data: 'exact' }))).failed; // true
 * ```
 */
export const flipMissingKernel: ConvKernel = directKernel('broken:flip-missing', {
  weightTap: (_g, _axis, k) => k,
});

/**
 * padBegin and padEnd read from each other's field (an asymmetric-padding bug).
 *
 * @example
 * ```ts
 * (await fc.check(conformanceProperty(padsSwappedKernel, { data: 'exact' }))).failed; // true
 * ```
 */
export const padsSwappedKernel: ConvKernel = directKernel('broken:pads-swapped', {
  inputCoordinate: (g, axis, o, k) => {
    const i = axis - (3 - g.rank);
    if (i < 0) return defaultInputCoordinate(g, axis, o, k);
    return o * g.stride[i]! - g.padEnd[i]! + k * g.dilation[i]!;
  },
});

/**
 * Taps advance by 1 instead of by the dilation (output size still right).
 *
 * @example
 * ```ts
 * (await fc.check(conformanceProperty(dilationIgnoredKernel, { data: 'exact' }))).failed; // true
 * ```
 */
export const dilationIgnoredKernel: ConvKernel = directKernel('broken:dilation-ignored', {
  inputCoordinate: (g, axis, o, k) => {
    const i = axis - (3 - g.rank);
    if (i < 0) return defaultInputCoordinate(g, axis, o, k);
    return o * g.stride[i]! - g.padBegin[i]! + k;
  },
});

/**
 * Every group reads the first group's input channels (groups bolted onto a groups=1 loop).
 *
 * @example
 * ```ts
 * (await fc.check(conformanceProperty(groupsMisMappedKernel, { data: 'exact' }))).failed; // true
 * ```
 */
export const groupsMisMappedKernel: ConvKernel = directKernel('broken:groups-mis-mapped', {
  inputChannel: (_g, _oc, ci) => ci,
});

/**
 * The bias is accepted and never added.
 *
 * @example
 * ```ts
 * (await fc.check(conformanceProperty(biasDroppedKernel, { data: 'exact' }))).failed; // true
 * ```
 */
export const biasDroppedKernel: ConvKernel = directKernel('broken:bias-dropped', {
  reduce: (products, count, _bias, round) => sequentialReduce(products, count, undefined, round),
});

/**
 * Outputs along W in tiles of 4; the remainder loop after the last full tile was forgotten.
 *
 * @example
 * ```ts
 * (await fc.check(conformanceProperty(tileEdgeKernel, { data: 'exact' }))).failed; // true
 * ```
 */
export const tileEdgeKernel: ConvKernel = directKernel('broken:tile-edge', {
  computes: (g, [, , ow]) => ow < Math.floor(g.outputSize[g.rank - 1]! / 4) * 4,
});

/**
 * The accumulator is a bfloat16 register: rounded to 8 significant bits after every add.
 *
 * @example
 * ```ts
 * (await fc.check(conformanceProperty(bfloat16AccumulatorKernel, { data: 'exact' }))).failed; // true
 * ```
 */
export const bfloat16AccumulatorKernel: ConvKernel = directKernel('broken:bf16-accumulator', {
  reduce: (products, count, bias) => {
    let acc = 0;
    for (let i = 0; i < count; i++) acc = toBfloat16(acc + products[i]!);
    return bias === undefined ? acc : toBfloat16(acc + bias);
  },
});

/**
 * A ReLU fused into the epilogue and left on for a layer that has none.
 *
 * @example
 * ```ts
 * (await fc.check(conformanceProperty(reluFusedKernel, { data: 'exact' }))).failed; // true
 * ```
 */
export const reluFusedKernel: ConvKernel = directKernel('broken:relu-fused', {
  finish: (v) => Math.max(v, 0),
});

/**
 * The begin pad applied in output units: (o − Pb)·S instead of o·S − Pb.
 *
 * @example
 * ```ts
 * (await fc.check(conformanceProperty(padScaledByStrideKernel, { data: 'exact' }))).failed; // true
 * ```
 */
export const padScaledByStrideKernel: ConvKernel = directKernel('broken:pad-scaled-by-stride', {
  inputCoordinate: (g, axis, o, k) => {
    const i = axis - (3 - g.rank);
    if (i < 0) return defaultInputCoordinate(g, axis, o, k);
    return (o - g.padBegin[i]!) * g.stride[i]! + k * g.dilation[i]!;
  },
});

/**
 * The width of the output computed with the height's kernel and stride
 * (tfjs#649), so the output has the wrong shape whenever they differ.
 *
 * @example
 * ```ts
 * (await fc.check(conformanceProperty(outputWidthFromHeightKernel, { data: 'exact' }))).failed; // true
 * ```
 */
export const outputWidthFromHeightKernel: ConvKernel = directKernel('broken:width-from-height', {
  outputSize: (g) => {
    const [od, oh, ow] = [
      g.outputSize[g.rank - 3] ?? 1,
      g.outputSize[g.rank - 2] ?? 1,
      g.outputSize[g.rank - 1]!,
    ];
    if (g.rank < 2) return [od, oh, ow];
    const h = g.rank - 2;
    const w = g.rank - 1;
    const span =
      g.inputSize[w]! + g.padBegin[w]! + g.padEnd[w]! - g.dilation[w]! * (g.kernelSize[h]! - 1) - 1;
    return [od, oh, Math.max(1, Math.floor(span / g.stride[h]!) + 1)];
  },
});

/**
 * The accumulator rounds toward +∞ (a mis-set rounding mode): every element
 * stays within the per-element bound, only the error bias check sees it.
 *
 * @example
 * ```ts
 * (await fc.check(conformanceProperty(roundUpAccumulatorKernel, { data: 'real' }))).failed; // true (bias check)
 * ```
 */
export const roundUpAccumulatorKernel: ConvKernel = directKernel('broken:round-up-accumulator', {
  reduce: (products, count, bias) => {
    const up = (v: number) => {
      const r = Math.fround(v);
      return r < v ? nextFloat32Up(r) : r;
    };
    let acc = 0;
    for (let i = 0; i < count; i++) acc = up(acc + products[i]!);
    return bias === undefined ? acc : up(acc + bias);
  },
});

/**
 * Every broken kernel, by name.
 *
 * @example
 * ```ts
 * for (const k of brokenKernels) expect((await fc.check(conformanceProperty(k, { data: 'real' }))).failed).toBe(true);
 * ```
 */
export const brokenKernels: readonly ConvKernel[] = [
  flipMissingKernel,
  padsSwappedKernel,
  dilationIgnoredKernel,
  groupsMisMappedKernel,
  biasDroppedKernel,
  tileEdgeKernel,
  bfloat16AccumulatorKernel,
  reluFusedKernel,
  padScaledByStrideKernel,
  outputWidthFromHeightKernel,
  roundUpAccumulatorKernel,
];
