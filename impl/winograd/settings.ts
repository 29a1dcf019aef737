/**
 * The Winograd kernel's settings: its options validated once (each bad option
 * names the field and the value), the problems it supports, and its plan.
 */
import type { ConvGeometry } from '../../reference/index.ts';
import {
  type WinogradPlan,
  type WinogradPointChooser,
  winogradPlan,
  workspaceBytesOf,
} from './plan.ts';

/** Options of {@link createWinogradKernel}. */
export interface WinogradKernelOptions {
  /** Outputs per tile along each dimension (F(m×m, r×r)). */
  m: number;
  /** Element type of inputs, workspaces and output; default 'float32'. */
  dtype?: 'float32' | 'float64';
  /** Interpolation points per F(m, r); default {@link defaultWinogradPoints}. */
  points?: WinogradPointChooser;
  /** Problems needing more scratch than this are refused by `supports`; default 256 MiB. */
  maxWorkspaceBytes?: number;
  /**
   * Scratch kept by the kernel between calls, so that repeated calls do not allocate;
   * larger needs are allocated per call and released. Default 64 MiB; 0 keeps nothing.
   */
  retainWorkspaceBytes?: number;
  /**
   * Largest tile length α = m + r − 1 accepted per dimension; default 8. Beyond 8 the
   * amplification of the default points grows ~20× per step (docs/winograd.md).
   */
  maxAlpha?: number;
  /** Tiles per transform/product block; default from the plan (cache-sized). */
  tilesPerBlock?: number;
  /** Output channels per filter-transform/product block; default from the plan. */
  outChannelsPerBlock?: number;
  /**
   * 'compiled' (default): tile transforms generated as straight-line code from the
   * exact matrices; 'generic': the same sums by loops over the matrices' nonzeros.
   * Both give identical results; 'generic' is kept as the comparison.
   */
  tileTransforms?: 'compiled' | 'generic';
  /** Shown in reports; default `winograd-f<m>` (with `-f64` for float64). */
  name?: string;
}

const DEFAULT_MAX_WORKSPACE = 256 * 1024 * 1024;
const DEFAULT_RETAINED_WORKSPACE = 64 * 1024 * 1024;
const DEFAULT_MAX_ALPHA = 8;

export interface Settings {
  m: number;
  dtype: 'float32' | 'float64';
  points: WinogradPointChooser | undefined;
  maxWorkspaceBytes: number;
  retainWorkspaceBytes: number;
  maxAlpha: number;
  tilesPerBlock: number | undefined;
  outChannelsPerBlock: number | undefined;
  tileTransforms: 'compiled' | 'generic';
  name: string;
  /** Run with |Aᵀ|, |G|, |Bᵀ| (see {@link winogradMagnitudes}). */
  magnitudes: boolean;
}

function positiveInteger(field: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(
      `createWinogradKernel: options.${field} must be a positive integer, got ${v}`,
    );
  }
  return v;
}

function nonNegativeInteger(field: string, value: number | undefined, fallback: number): number {
  return value === 0 ? 0 : positiveInteger(field, value, fallback);
}

export function settingsOf(options: WinogradKernelOptions): Settings {
  const m = positiveInteger('m', options.m, 0);
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new RangeError(
      `createWinogradKernel: options.dtype must be 'float32' or 'float64', got ${dtype}`,
    );
  }
  return {
    m,
    dtype,
    points: options.points,
    maxWorkspaceBytes: positiveInteger(
      'maxWorkspaceBytes',
      options.maxWorkspaceBytes,
      DEFAULT_MAX_WORKSPACE,
    ),
    retainWorkspaceBytes: nonNegativeInteger(
      'retainWorkspaceBytes',
      options.retainWorkspaceBytes,
      DEFAULT_RETAINED_WORKSPACE,
    ),
    maxAlpha: positiveInteger('maxAlpha', options.maxAlpha, DEFAULT_MAX_ALPHA),
    tilesPerBlock:
      options.tilesPerBlock === undefined
        ? undefined
        : positiveInteger('tilesPerBlock', options.tilesPerBlock, 1),
    outChannelsPerBlock:
      options.outChannelsPerBlock === undefined
        ? undefined
        : positiveInteger('outChannelsPerBlock', options.outChannelsPerBlock, 1),
    tileTransforms: options.tileTransforms === 'generic' ? 'generic' : 'compiled',
    name: options.name ?? `winograd-f${m}${dtype === 'float64' ? '-f64' : ''}`,
    magnitudes: false,
  };
}

/** `true`, or why the geometry is outside what the Winograd transforms compute. */
export function supportReason(g: ConvGeometry, s: Settings): true | string {
  if (g.rank > 2) return `${g.rank}-D problems are not supported (Winograd here is 1-D or 2-D)`;
  if (g.stride.some((v) => v !== 1)) {
    return `stride [${g.stride.join(', ')}] is not supported (Winograd needs stride 1)`;
  }
  if (g.dilation.some((v) => v !== 1)) {
    return `dilation [${g.dilation.join(', ')}] is not supported (Winograd needs dilation 1)`;
  }
  for (const [i, r] of g.kernelSize.entries()) {
    const alpha = r === 1 ? 1 : s.m + r - 1;
    if (alpha > s.maxAlpha) {
      return (
        `kernelSize[${i}] = ${r} needs F(${s.m}, ${r}) with tile α = ${alpha} > maxAlpha = ` +
        `${s.maxAlpha}: its transforms amplify rounding error too much`
      );
    }
  }
  return true;
}

/**
 * `true`, or why the JavaScript products' workspace (the float64 panels and M) would
 * exceed `maxWorkspaceBytes`. The WebAssembly engine bounds its own memory instead.
 */
export function workspaceRefusal(g: ConvGeometry, s: Settings): true | string {
  const bytes = workspaceBytesOf(planOf(g, s), s.dtype);
  if (bytes > s.maxWorkspaceBytes) {
    return `needs ${bytes} bytes of workspace > maxWorkspaceBytes = ${s.maxWorkspaceBytes}`;
  }
  return true;
}

export function planOf(g: ConvGeometry, s: Settings): WinogradPlan {
  return winogradPlan(g, {
    m: s.m,
    ...(s.points ? { points: s.points } : {}),
    ...(s.tilesPerBlock ? { tilesPerBlock: s.tilesPerBlock } : {}),
    ...(s.outChannelsPerBlock ? { outChannelsPerBlock: s.outChannelsPerBlock } : {}),
  });
}
