/**
 * What every peer adapter shares: the "could not load" result, problem
 * validation for `supports`, and the dtype and kernel-flip conversions.
 */
// Direct imports, not reference/index.ts: the browser adapters bundle this file for
// the page, and the index also loads the Node-only exact oracle (mathjs).
import { type ConvGeometry, convGeometry } from '../../reference/geometry.ts';
import type { ConvKernel, ConvProblem, FloatArray } from '../../reference/problem.ts';

/** Returned instead of a kernel when the peer package cannot be loaded. */
export interface PeerUnavailable {
  /** Why, e.g. the import error's message; shown as "skipped: <why>". */
  unavailable: string;
}

/** A loaded peer kernel, or the reason it is unavailable. */
export type PeerLoad = ConvKernel | PeerUnavailable;

/**
 * Narrows a {@link PeerLoad}.
 *
 * @example
 * ```ts
 * const ort = await loadOrtKernel();
 * if (isUnavailable(ort)) console.log(`skipped: ${ort.unavailable}`);
 * ```
 */
export function isUnavailable(load: PeerLoad): load is PeerUnavailable {
  return 'unavailable' in load;
}

/**
 * The geometry of `p`, or the validation message when `p` is not a valid
 * problem, so that `supports` answers instead of throwing.
 *
 * @example
 * ```ts
 * const g = geometryOrReason(p);
 * if (typeof g === 'string') return g;
 * ```
 */
export function geometryOrReason(p: ConvProblem): ConvGeometry | string {
  try {
    return convGeometry(p);
  } catch (error) {
    return `invalid problem: ${messageOf(error)}`;
  }
}

/**
 * `data` as a Float32Array: the array itself when it already is one, otherwise a
 * rounded copy (peers compute in float32 only).
 *
 * @example
 * ```ts
 * asFloat32(new Float64Array([0.1]))[0]; // 0.10000000149011612
 * ```
 */
export function asFloat32(data: FloatArray): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

/**
 * The weights with every spatial dimension flipped, turning a true convolution
 * into the cross-correlation libraries compute. In a row-major [Cout, Cin/g,
 * ...K] tensor, flipping all spatial axes of one (oc, ci) kernel maps the flat
 * offset f to kernelVolume − 1 − f, so each kernel block is simply reversed.
 *
 * @example
 * ```ts
 * flipKernels(convGeometry(p), new Float32Array([1, 2, 3])); // [3, 2, 1] for one 1-D kernel
 * ```
 */
export function flipKernels(g: ConvGeometry, weight: FloatArray): Float32Array {
  const flipped = new Float32Array(g.weightLength);
  const block = g.kernelVolume;
  for (let start = 0; start < g.weightLength; start += block) {
    for (let offset = 0; offset < block; offset++) {
      flipped[start + offset] = weight[start + block - 1 - offset]!;
    }
  }
  return flipped;
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `kernel` once its package loads, or why it cannot be used: the one
 * "optional peer" pattern of the small library adapters.
 *
 * @example
 * ```ts
 * await loadPeer('convnetjs', importLibrary, convnetjsKernel); // the kernel, or { unavailable }
 * ```
 */
export async function loadPeer(
  library: string,
  load: () => Promise<unknown>,
  kernel: ConvKernel,
): Promise<PeerLoad> {
  try {
    await load();
    return kernel;
  } catch (error) {
    return { unavailable: `${library} could not be loaded: ${messageOf(error)}` };
  }
}
