/**
 * `@thi.ng/pixel-convolve` 1.1.31 `convolveChannel` on a one-channel float
 * image (`FLOAT_GRAY`, Float32Array pixels) as a ConvKernel.
 *
 * What it does, read from its source and declared as such:
 * - cross-correlation: coefficient (y, x) of `spec` multiplies the pixel at
 *   (y − ⌊h/2⌋, x − ⌊w/2⌋) from the output pixel;
 * - clamped borders (reads are clamped to the image): PyTorch's
 *   `padding_mode='replicate'`, with pads ⌊K/2⌋ before and K − 1 − ⌊K/2⌋ after;
 * - `stride` samples every s-th pixel and gives ⌊I/s⌋ outputs per axis, so the
 *   end pad is K − 1 − ⌊K/2⌋ − (I mod s) (the output size then agrees; no crop);
 * - the sum is formed in JS numbers and stored into a Float32Array.
 * 2-D, dilation 1, one channel per plane (plane.ts), no bias. It builds its
 * kernel as generated code that leaves out zero coefficients: nothing here
 * works around that (docs/results/ecosystem-js.md).
 */
import type { ConvKernel, ConvProblem, FloatArray } from '../../reference/index.ts';
import { loadPeer, type PeerLoad } from './peer.ts';
import { perPlane, planeDomain } from './plane.ts';

interface ThingModules {
  convolveChannel: typeof import('@thi.ng/pixel-convolve').convolveChannel;
  floatBuffer: typeof import('@thi.ng/pixel/float').floatBuffer;
  FLOAT_GRAY: typeof import('@thi.ng/pixel/format/float-gray').FLOAT_GRAY;
}

let loaded: Promise<ThingModules> | undefined;
function importLibrary(): Promise<ThingModules> {
  loaded ??= (async () => ({
    convolveChannel: (await import('@thi.ng/pixel-convolve')).convolveChannel,
    // @thi.ng/pixel comes with @thi.ng/pixel-convolve (its dependency): the image type it takes.
    floatBuffer: (await import('@thi.ng/pixel/float')).floatBuffer,
    FLOAT_GRAY: (await import('@thi.ng/pixel/format/float-gray')).FLOAT_GRAY,
  }))();
  return loaded;
}

/** The library's pads for kernel extent k, input extent i and stride s on one axis. */
export function clampPads(k: number, i: number, s: number): { begin: number; end: number } {
  const begin = Math.floor(k / 2);
  return { begin, end: k - 1 - begin - (i % s) };
}

function thingSupports(p: ConvProblem): true | string {
  const g = planeDomain(p, '@thi.ng/pixel-convolve', [2]);
  if (typeof g === 'string') return g;
  const reasons: string[] = [];
  if (p.mode !== 'cross-correlation') reasons.push('cross-correlation only');
  if (p.dilation.some((d) => d !== 1)) reasons.push('dilation 1 only');
  const pads = p.kernelSize.map((k, d) => clampPads(k, p.inputSize[d]!, p.stride[d]!));
  if (pads.some((pad, d) => p.padBegin[d] !== pad.begin || p.padEnd[d] !== pad.end)) {
    reasons.push(
      `pads fixed by the kernel, image and stride: [${pads.map((x) => x.begin).join(', ')}] before, [${pads.map((x) => x.end).join(', ')}] after`,
    );
  }
  const anyPad = [...p.padBegin, ...p.padEnd].some((v) => v > 0);
  if (anyPad && p.paddingMode !== 'replicate') {
    reasons.push(
      `borders are clamped: paddingMode 'replicate' only (got '${p.paddingMode ?? 'zeros'}')`,
    );
  }
  return reasons.length === 0 ? true : `@thi.ng/pixel-convolve: ${reasons.join('; ')}`;
}

async function thingConv(
  p: ConvProblem,
  input: FloatArray,
  weight: FloatArray,
): Promise<Float32Array> {
  const lib = await importLibrary();
  const [height, width] = p.inputSize as [number, number];
  const [kh, kw] = p.kernelSize as [number, number];
  const [sy, sx] = p.stride as [number, number];
  const output = await perPlane(p, input, weight, 'float32', ({ plane, kernel }) => {
    const image = lib.floatBuffer(width, height, lib.FLOAT_GRAY, Float32Array.from(plane));
    const kernelSpec = { spec: Array.from(kernel), size: [kw, kh] as [number, number] };
    return lib.convolveChannel(image, { kernel: kernelSpec, stride: [sx, sy] }).data;
  });
  return output as Float32Array;
}

/**
 * A generated 2-D problem moved into the library's domain: cross-correlation,
 * replicate padding with the library's pads; unchanged when the end pad would
 * be negative (then `supports` declines it with the reason).
 *
 * @example
 * ```ts
 * fitThing(p).paddingMode; // 'replicate'
 * ```
 */
export function fitThing(p: ConvProblem): ConvProblem {
  if (p.inputSize.length !== 2) return p;
  const pads = p.kernelSize.map((k, d) => clampPads(k, p.inputSize[d]!, p.stride[d]!));
  if (pads.some((pad) => pad.end < 0)) return p;
  return {
    ...p,
    mode: 'cross-correlation',
    paddingMode: 'replicate',
    padBegin: pads.map((x) => x.begin),
    padEnd: pads.map((x) => x.end),
  };
}

/** `convolveChannel` of @thi.ng/pixel-convolve 1.1.31 on a FLOAT_GRAY image. */
export const thingPixelConvolveKernel: ConvKernel = {
  name: 'thing-pixel-convolve',
  dtype: 'float32',
  supports: thingSupports,
  conv: thingConv,
};

/**
 * Loads @thi.ng/pixel-convolve and returns the kernel, or why it cannot be used.
 *
 * @example
 * ```ts
 * const k = await loadThingKernel();
 * ```
 */
export function loadThingKernel(): Promise<PeerLoad> {
  return loadPeer('@thi.ng/pixel-convolve', importLibrary, thingPixelConvolveKernel);
}
