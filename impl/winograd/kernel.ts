/**
 * Winograd convolution for stride-1, dilation-1, 1-D and 2-D problems: nested
 * F(m, r_h) × F(m, r_w) with transforms derived exactly for the problem's kernel.
 *
 * Per group: the filters are transformed once, U[ξν] = (G g Gᵀ)[ξν] as α² matrices
 * [C_out/g × C_in/g]; then, block by block of tiles (across the batch), the input
 * tiles are transformed, V[ξν] = (Bᵀ d B)[ξν] as α² matrices [C_in/g × tiles], α² GEMMs
 * give M[ξν] = U[ξν]·V[ξν], and each tile's α×α block of M is transformed back with
 * Aᵀ … A, biased and written out (only its valid part for ragged edge tiles).
 */
import {
  type ConvGeometry,
  type ConvKernel,
  type ConvProblem,
  checkConvOperands,
  convGeometry,
  type FloatArray,
} from '../../reference/index.ts';
import { dgemm, type GemmWorkspace, sgemm } from '../gemm/index.ts';
import {
  type WinogradAxis,
  type WinogradPlan,
  type WinogradPointChooser,
  winogradPlan,
  workspaceBytesOf,
} from './plan.ts';
import {
  type BlockLayout,
  compileSeparable,
  type SeparableApply,
  SeparableTransform,
  sparseRows,
} from './separable.ts';
import { WinogradWorkspace } from './workspace.ts';

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
  /** Tiles per transform/GEMM block; default sized so that V and M stay near 512 KiB. */
  tilesPerBlock?: number;
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

interface Settings {
  m: number;
  dtype: 'float32' | 'float64';
  points: WinogradPointChooser | undefined;
  maxWorkspaceBytes: number;
  retainWorkspaceBytes: number;
  maxAlpha: number;
  tilesPerBlock: number | undefined;
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

function settingsOf(options: WinogradKernelOptions): Settings {
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
    tileTransforms: options.tileTransforms === 'generic' ? 'generic' : 'compiled',
    name: options.name ?? `winograd-f${m}${dtype === 'float64' ? '-f64' : ''}`,
    magnitudes: false,
  };
}

/** `true`, or why the geometry is outside what this kernel computes. */
function supportReason(g: ConvGeometry, s: Settings): true | string {
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
  const bytes = workspaceBytesOf(planOf(g, s), g, s.dtype);
  if (bytes > s.maxWorkspaceBytes) {
    return `needs ${bytes} bytes of workspace > maxWorkspaceBytes = ${s.maxWorkspaceBytes}`;
  }
  return true;
}

function planOf(g: ConvGeometry, s: Settings): WinogradPlan {
  return winogradPlan(g, {
    m: s.m,
    ...(s.points ? { points: s.points } : {}),
    ...(s.tilesPerBlock ? { tilesPerBlock: s.tilesPerBlock } : {}),
  });
}

/** Left and right factors of a nested transform along (height, width). */
function separable(
  plan: WinogradPlan,
  settings: Settings,
  pick: (a: WinogradAxis) => { dense: Float64Array; rows: number; cols: number },
): SeparableApply {
  const kind = settings.tileTransforms;
  const magnitude = (dense: Float64Array) => (settings.magnitudes ? dense.map(Math.abs) : dense);
  const h = { ...pick(plan.height), dense: magnitude(pick(plan.height).dense) };
  const w = { ...pick(plan.width), dense: magnitude(pick(plan.width).dense) };
  const left = sparseRows(h.dense, h.rows, h.cols);
  const right = sparseRows(w.dense, w.rows, w.cols);
  // One compiled copy per dtype as well: each then sees one array type only.
  const key = `${kind}:${settings.dtype}:${h.dense.join()}|${h.rows}|${w.dense.join()}|${w.rows}`;
  let apply = compiledCache.get(key);
  if (!apply) {
    if (kind === 'compiled') {
      apply = compileSeparable(left, right);
    } else {
      const transform = new SeparableTransform(left, right);
      apply = (input, from, output, to, addend, count) =>
        transform.apply(input, from, output, to, addend, count);
    }
    compiledCache.set(key, apply);
  }
  return apply;
}

/** Tile transforms per matrix pair; compiling costs far more than one small call. */
const compiledCache = new Map<string, SeparableApply>();

/** Everything one call needs, allocated once per call and reused by every tile. */
class WinogradRun {
  readonly g: ConvGeometry;
  readonly plan: WinogradPlan;
  readonly dtype: 'float32' | 'float64';
  readonly input: FloatArray;
  readonly weight: FloatArray;
  readonly bias: FloatArray | undefined;
  readonly output: FloatArray;
  private readonly U: FloatArray;
  private readonly V: FloatArray;
  private readonly M: FloatArray;
  /** A border tile's input, zero-padded; of the input's own type, so transforms stay monomorphic. */
  private readonly patch: FloatArray;
  /** A ragged tile's outputs before the valid part is copied; of the output's type. */
  private readonly tileOutput: FloatArray;
  /** Per tile of the current block: its image, and its output origin (row, column). */
  private readonly tileImage: Int32Array;
  private readonly tileRow: Int32Array;
  private readonly tileColumn: Int32Array;
  /**
   * Per tile of the current block: how many tiles from it on, in the same image and
   * tile row, read only the input (0 for a border tile) / write whole m×m outputs
   * (0 for a ragged tile). Such runs are transformed by one call.
   */
  private readonly insideRun: Int32Array;
  private readonly wholeRun: Int32Array;
  private readonly filterTransform: SeparableApply;
  private readonly inputTransform: SeparableApply;
  private readonly outputTransform: SeparableApply;
  private readonly workspace: GemmWorkspace;
  // Reused layouts: filled in per tile instead of allocating.
  private readonly from: BlockLayout = { offset: 0, rowStride: 0, colStride: 0, step: 0 };
  private readonly to: BlockLayout = { offset: 0, rowStride: 0, colStride: 0, step: 0 };

  constructor(
    g: ConvGeometry,
    plan: WinogradPlan,
    settings: Settings,
    operands: { input: FloatArray; weight: FloatArray; bias: FloatArray | undefined },
    scratch: WinogradWorkspace,
  ) {
    const dtype = settings.dtype;
    this.g = g;
    this.plan = plan;
    this.dtype = dtype;
    this.input = operands.input;
    this.weight = operands.weight;
    this.bias = operands.bias;
    const Store = dtype === 'float32' ? Float32Array : Float64Array;
    const { alphaArea, height, width } = plan;
    this.output = new Store(g.outputLength);
    this.U = scratch.take('U', dtype, alphaArea * plan.matrixStride.U);
    this.V = scratch.take('V', dtype, alphaArea * plan.matrixStride.V);
    this.M = scratch.take('M', dtype, alphaArea * plan.matrixStride.M);
    this.workspace = scratch.gemm;
    this.patch =
      this.input instanceof Float32Array
        ? new Float32Array(alphaArea)
        : new Float64Array(alphaArea);
    this.tileOutput = new Store(height.m * width.m);
    this.tileImage = new Int32Array(plan.tilesPerBlock);
    this.tileRow = new Int32Array(plan.tilesPerBlock);
    this.tileColumn = new Int32Array(plan.tilesPerBlock);
    this.insideRun = new Int32Array(plan.tilesPerBlock);
    this.wholeRun = new Int32Array(plan.tilesPerBlock);
    this.filterTransform = separable(plan, settings, (a) => ({
      dense: a.transforms.Gf,
      rows: a.alpha,
      cols: a.r,
    }));
    this.inputTransform = separable(plan, settings, (a) => ({
      dense: a.transforms.BTf,
      rows: a.alpha,
      cols: a.alpha,
    }));
    this.outputTransform = separable(plan, settings, (a) => ({
      dense: a.transforms.ATf,
      rows: a.m,
      cols: a.alpha,
    }));
  }

  run(): FloatArray {
    const totalTiles = this.g.batch * this.plan.tilesPerImage;
    for (let group = 0; group < this.g.groups; group++) {
      this.transformFilters(group);
      for (let first = 0; first < totalTiles; first += this.plan.tilesPerBlock) {
        const count = Math.min(this.plan.tilesPerBlock, totalTiles - first);
        this.locateTiles(first, count);
        this.transformInputs(group, count);
        this.multiply(count);
        this.transformOutputs(group, count);
      }
    }
    return this.output;
  }

  /** Image, output origin and runs of tiles first … first + count − 1 (batch-major, then row-major). */
  private locateTiles(first: number, count: number): void {
    const { tilesPerImage, height, width } = this.plan;
    for (let t = 0; t < count; t++) {
      const q = first + t;
      const n = Math.floor(q / tilesPerImage);
      const tile = q - n * tilesPerImage;
      const th = Math.floor(tile / width.tiles);
      this.tileImage[t] = n;
      this.tileRow[t] = th * height.m;
      this.tileColumn[t] = (tile - th * width.tiles) * width.m;
    }
    // Runs, counted backwards: a tile extends the run of the next one in its row.
    for (let t = count - 1; t >= 0; t--) {
      const sameRow =
        t + 1 < count &&
        this.tileImage[t + 1] === this.tileImage[t] &&
        this.tileRow[t + 1] === this.tileRow[t];
      const h0 = this.tileRow[t]! - height.padBegin;
      const w0 = this.tileColumn[t]! - width.padBegin;
      const inside =
        h0 >= 0 &&
        w0 >= 0 &&
        h0 + height.alpha <= height.inputSize &&
        w0 + width.alpha <= width.inputSize;
      const whole =
        this.tileRow[t]! + height.m <= height.outputSize &&
        this.tileColumn[t]! + width.m <= width.outputSize;
      this.insideRun[t] = inside ? 1 + (sameRow ? this.insideRun[t + 1]! : 0) : 0;
      this.wholeRun[t] = whole ? 1 + (sameRow ? this.wholeRun[t + 1]! : 0) : 0;
    }
  }

  /** U[ξν][oc][ci] = (G g Gᵀ)[ξν], the kernel flipped first in 'convolution' mode. */
  private transformFilters(group: number): void {
    const { g, plan, from, to } = this;
    const cig = g.inChannelsPerGroup;
    const cog = g.outChannelsPerGroup;
    const taps = plan.height.r * plan.width.r;
    to.rowStride = plan.width.alpha * plan.matrixStride.U;
    to.colStride = plan.matrixStride.U;
    to.step = 1;
    // A flipped kernel is the same data read backwards from its last tap.
    from.rowStride = g.flipKernel ? -plan.width.r : plan.width.r;
    from.colStride = g.flipKernel ? -1 : 1;
    from.step = taps;
    for (let oc = 0; oc < cog; oc++) {
      const start = (group * cog + oc) * cig * taps;
      from.offset = g.flipKernel ? start + taps - 1 : start;
      to.offset = oc * cig;
      this.filterTransform(this.weight, from, this.U, to, 0, cig);
    }
  }

  /** V[ξν][ci][t] = (Bᵀ d B)[ξν] for the input tile d of channel ci, tile t of the block. */
  private transformInputs(group: number, count: number): void {
    const { g, plan, from, to } = this;
    const { height, width } = plan;
    const cig = g.inChannelsPerGroup;
    const IH = height.inputSize;
    const IW = width.inputSize;
    to.rowStride = width.alpha * plan.matrixStride.V;
    to.colStride = plan.matrixStride.V;
    to.step = 1;
    from.colStride = 1;
    from.step = width.m;
    for (let ci = 0; ci < cig; ci++) {
      for (let t = 0; t < count; ) {
        const h0 = this.tileRow[t]! - height.padBegin;
        const w0 = this.tileColumn[t]! - width.padBegin;
        const channelBase = (this.tileImage[t]! * g.inChannels + group * cig + ci) * IH * IW;
        const run = this.insideRun[t]!;
        to.offset = ci * count + t;
        if (run > 0) {
          from.offset = channelBase + h0 * IW + w0;
          from.rowStride = IW;
          this.inputTransform(this.input, from, this.V, to, 0, run);
          t += run;
        } else {
          this.readPaddedPatch(channelBase, h0, w0);
          from.offset = 0;
          from.rowStride = width.alpha;
          this.inputTransform(this.patch, from, this.V, to, 0, 1);
          t++;
        }
      }
    }
  }

  /** Copies an input tile that overlaps the border, with zeros outside the input. */
  private readPaddedPatch(channelBase: number, h0: number, w0: number): void {
    const { height, width } = this.plan;
    const IH = height.inputSize;
    const IW = width.inputSize;
    for (let i = 0; i < height.alpha; i++) {
      const h = h0 + i;
      for (let j = 0; j < width.alpha; j++) {
        const w = w0 + j;
        const inside = h >= 0 && h < IH && w >= 0 && w < IW;
        this.patch[i * width.alpha + j] = inside ? this.input[channelBase + h * IW + w]! : 0;
      }
    }
  }

  /** M[ξν] = U[ξν] · V[ξν] for every ξν: [C_out/g × C_in/g] · [C_in/g × count]. */
  private multiply(count: number): void {
    const cig = this.g.inChannelsPerGroup;
    const cog = this.g.outChannelsPerGroup;
    for (let xi = 0; xi < this.plan.alphaArea; xi++) {
      const u = xi * this.plan.matrixStride.U;
      const v = xi * this.plan.matrixStride.V;
      const m = xi * this.plan.matrixStride.M;
      if (this.dtype === 'float32') {
        sgemm(
          cog,
          count,
          cig,
          this.U as Float32Array,
          u,
          cig,
          this.V as Float32Array,
          v,
          count,
          this.M as Float32Array,
          m,
          count,
          false,
          this.workspace,
        );
      } else {
        dgemm(
          cog,
          count,
          cig,
          this.U as Float64Array,
          u,
          cig,
          this.V as Float64Array,
          v,
          count,
          this.M as Float64Array,
          m,
          count,
          false,
          this.workspace,
        );
      }
    }
  }

  /** y = Aᵀ M A + bias for each tile and output channel; only valid outputs are written. */
  private transformOutputs(group: number, count: number): void {
    const { g, plan, from, to } = this;
    const { height, width } = plan;
    const cog = g.outChannelsPerGroup;
    const OH = height.outputSize;
    const OW = width.outputSize;
    from.rowStride = width.alpha * plan.matrixStride.M;
    from.colStride = plan.matrixStride.M;
    from.step = 1;
    to.colStride = 1;
    to.step = width.m;
    for (let oc = 0; oc < cog; oc++) {
      const co = group * cog + oc;
      const addend = this.bias ? this.bias[co]! : 0;
      for (let t = 0; t < count; ) {
        const oh0 = this.tileRow[t]!;
        const ow0 = this.tileColumn[t]!;
        const outBase = ((this.tileImage[t]! * g.outChannels + co) * OH + oh0) * OW + ow0;
        const run = this.wholeRun[t]!;
        from.offset = oc * count + t;
        if (run > 0) {
          to.offset = outBase;
          to.rowStride = OW;
          this.outputTransform(this.M, from, this.output, to, addend, run);
          t += run;
        } else {
          to.offset = 0;
          to.rowStride = width.m;
          this.outputTransform(this.M, from, this.tileOutput, to, addend, 1);
          this.writeRaggedTile(outBase, Math.min(height.m, OH - oh0), Math.min(width.m, OW - ow0));
          t++;
        }
      }
    }
  }

  /** Copies the valid rows × cols corner of an edge tile to the output. */
  private writeRaggedTile(outBase: number, rows: number, cols: number): void {
    const OW = this.plan.width.outputSize;
    const mw = this.plan.width.m;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++)
        this.output[outBase + i * OW + j] = this.tileOutput[i * mw + j]!;
    }
  }
}

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
  const supports = (p: ConvProblem): true | string => {
    try {
      return supportReason(convGeometry(p), settings);
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
      const reason = supportReason(g, settings);
      if (reason !== true) throw new RangeError(`${settings.name}: ${reason}`);
      const plan = planOf(g, settings);
      return new WinogradRun(g, plan, settings, { input, weight, bias }, scratch).run();
    },
  };
}

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
  const scratch = new WinogradWorkspace(0);
  return new WinogradRun(g, planOf(g, settings), settings, operands, scratch).run() as Float64Array;
}

/**
 * F(2×2, 3×3) Winograd (F(2×2, r×r) and 1-D F(2, r) for other kernel sizes), float32.
 *
 * @example
 * ```ts
 * const y = winogradF2Kernel.conv(p, x, w);
 * ```
 */
export const winogradF2Kernel: ConvKernel = createWinogradKernel({ m: 2, name: 'winograd-f2' });

/**
 * F(4×4, 3×3) Winograd (Lavin & Gray's points 0, ±1, ±2, ∞), float32.
 *
 * @example
 * ```ts
 * const y = winogradF4Kernel.conv(p, x, w);
 * ```
 */
export const winogradF4Kernel: ConvKernel = createWinogradKernel({ m: 4, name: 'winograd-f4' });
