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
  type FloatArray,
} from '../../reference/index.ts';
import { microKernel4x4, type PackedBuffer, writeTile } from '../gemm/index.ts';
import {
  PANEL_LANES,
  packedElementsOf,
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

interface Settings {
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
    outChannelsPerBlock:
      options.outChannelsPerBlock === undefined
        ? undefined
        : positiveInteger('outChannelsPerBlock', options.outChannelsPerBlock, 1),
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
  const bytes = workspaceBytesOf(planOf(g, s), s.dtype);
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
    ...(s.outChannelsPerBlock ? { outChannelsPerBlock: s.outChannelsPerBlock } : {}),
  });
}

/** The three tile transforms; each is compiled (and cached) once per role and dtype. */
type TransformRole = 'filter' | 'input' | 'output';

/**
 * Left and right factors of a nested transform along (height, width). Filter and
 * input transforms write the packed float64 panels, rounded to float32 for a float32
 * kernel; the output transform writes the output array itself.
 */
function separable(
  plan: WinogradPlan,
  settings: Settings,
  role: TransformRole,
  pick: (a: WinogradAxis) => { dense: Float64Array; rows: number; cols: number },
): SeparableApply {
  const kind = settings.tileTransforms;
  const roundToFloat32 = role !== 'output' && settings.dtype === 'float32';
  const magnitude = (dense: Float64Array) => (settings.magnitudes ? dense.map(Math.abs) : dense);
  const h = { ...pick(plan.height), dense: magnitude(pick(plan.height).dense) };
  const w = { ...pick(plan.width), dense: magnitude(pick(plan.width).dense) };
  const left = sparseRows(h.dense, h.rows, h.cols);
  const right = sparseRows(w.dense, w.rows, w.cols);
  // One compiled copy per role and dtype: each then sees one pair of array types only.
  const key = `${kind}:${role}:${settings.dtype}:${h.dense.join()}|${h.rows}|${w.dense.join()}|${w.rows}`;
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

const LANES = PANEL_LANES;

/** Everything one call needs, allocated once per call and reused by every tile. */
class WinogradRun {
  readonly g: ConvGeometry;
  readonly plan: WinogradPlan;
  readonly input: FloatArray;
  readonly weight: FloatArray;
  readonly bias: FloatArray | undefined;
  readonly output: FloatArray;
  /** V (from index 0) and U (from `uStart`) as the micro-kernel's panels, float64. */
  private readonly packed: PackedBuffer;
  private readonly uStart: number;
  /** M of one block: [outChannelsPerBlock × count] per ξν. */
  private readonly M: FloatArray;
  /** The micro-kernel's 4 × 4 result. */
  private readonly tile: Float64Array;
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
    this.input = operands.input;
    this.weight = operands.weight;
    this.bias = operands.bias;
    const Store = dtype === 'float32' ? Float32Array : Float64Array;
    const { alphaArea, height, width } = plan;
    this.output = new Store(g.outputLength);
    this.packed = scratch.packed(packedElementsOf(plan));
    this.uStart = alphaArea * plan.matrixStride.V;
    this.M = scratch.take('M', dtype, alphaArea * plan.matrixStride.M);
    this.tile = scratch.tile;
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
    this.filterTransform = separable(plan, settings, 'filter', (a) => ({
      dense: a.transforms.Gf,
      rows: a.alpha,
      cols: a.r,
    }));
    this.inputTransform = separable(plan, settings, 'input', (a) => ({
      dense: a.transforms.BTf,
      rows: a.alpha,
      cols: a.alpha,
    }));
    this.outputTransform = separable(plan, settings, 'output', (a) => ({
      dense: a.transforms.ATf,
      rows: a.m,
      cols: a.alpha,
    }));
  }

  run(): FloatArray {
    const { tilesPerBlock, outChannelsPerBlock } = this.plan;
    const totalTiles = this.g.batch * this.plan.tilesPerImage;
    const cog = this.g.outChannelsPerGroup;
    // All of a group's filters in one block: transform them for its first tile block only.
    const filtersKept = outChannelsPerBlock >= cog;
    for (let group = 0; group < this.g.groups; group++) {
      for (let first = 0; first < totalTiles; first += tilesPerBlock) {
        const count = Math.min(tilesPerBlock, totalTiles - first);
        this.locateTiles(first, count);
        this.transformInputs(group, count);
        for (let oc0 = 0; oc0 < cog; oc0 += outChannelsPerBlock) {
          const channels = Math.min(outChannelsPerBlock, cog - oc0);
          if (!filtersKept || first === 0) this.transformFilters(group, oc0, channels);
          this.multiply(channels, count);
          this.transformOutputs(group, oc0, channels, count);
        }
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

  /**
   * U[ξν] = (G g Gᵀ)[ξν] for output channels oc0 … oc0 + channels − 1 of the group,
   * output channel c of the block in lane c mod 4 of panel ⌊c/4⌋; the kernel is read
   * flipped in 'convolution' mode.
   */
  private transformFilters(group: number, oc0: number, channels: number): void {
    const { g, plan, from, to } = this;
    const cig = g.inChannelsPerGroup;
    const cog = g.outChannelsPerGroup;
    const taps = plan.height.r * plan.width.r;
    to.rowStride = plan.width.alpha * plan.matrixStride.U;
    to.colStride = plan.matrixStride.U;
    to.step = LANES;
    // A flipped kernel is the same data read backwards from its last tap.
    from.rowStride = g.flipKernel ? -plan.width.r : plan.width.r;
    from.colStride = g.flipKernel ? -1 : 1;
    from.step = taps;
    for (let c = 0; c < channels; c++) {
      const start = (group * cog + oc0 + c) * cig * taps;
      from.offset = g.flipKernel ? start + taps - 1 : start;
      const lane = c % LANES;
      to.offset = this.uStart + (c - lane) * cig + lane;
      this.filterTransform(this.weight, from, this.packed, to, 0, cig);
    }
  }

  /**
   * V[ξν] = (Bᵀ d B)[ξν] for the input tile d of channel ci and tile t of the block,
   * in lane t mod 4 of panel ⌊t/4⌋.
   */
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
        const lane = t % LANES;
        to.offset = (t - lane) * cig + ci * LANES + lane;
        // A run of interior tiles is one call, up to the end of its panel.
        const run = Math.min(this.insideRun[t]!, LANES - lane);
        if (run > 0) {
          from.offset = channelBase + h0 * IW + w0;
          from.rowStride = IW;
          this.inputTransform(this.input, from, this.packed, to, 0, run);
          t += run;
        } else {
          this.readPaddedPatch(channelBase, h0, w0);
          from.offset = 0;
          from.rowStride = width.alpha;
          this.inputTransform(this.patch, from, this.packed, to, 0, 1);
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

  /**
   * M[ξν] = U[ξν] · V[ξν] for every ξν: [channels × C_in/g] · [C_in/g × count], one
   * 4 × 4 micro-kernel call per pair of panels, over the whole depth C_in/g in float64
   * and rounded once, when stored in M.
   */
  private multiply(channels: number, count: number): void {
    const { packed, tile, M, plan } = this;
    const cig = this.g.inChannelsPerGroup;
    for (let xi = 0; xi < plan.alphaArea; xi++) {
      const v = xi * plan.matrixStride.V;
      const u = this.uStart + xi * plan.matrixStride.U;
      const m = xi * plan.matrixStride.M;
      for (let c = 0; c < channels; c += LANES) {
        const rows = Math.min(LANES, channels - c);
        for (let t = 0; t < count; t += LANES) {
          microKernel4x4(cig, packed, u + c * cig, v + t * cig, tile);
          writeTile(tile, M, m + c * count + t, count, rows, Math.min(LANES, count - t), false);
        }
      }
    }
  }

  /**
   * y = Aᵀ M A + bias for each tile and output channel oc0 … oc0 + channels − 1 of the
   * group; only valid outputs are written.
   */
  private transformOutputs(group: number, oc0: number, channels: number, count: number): void {
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
    for (let c = 0; c < channels; c++) {
      const co = group * cog + oc0 + c;
      const addend = this.bias ? this.bias[co]! : 0;
      for (let t = 0; t < count; ) {
        const oh0 = this.tileRow[t]!;
        const ow0 = this.tileColumn[t]!;
        const outBase = ((this.tileImage[t]! * g.outChannels + co) * OH + oh0) * OW + ow0;
        const run = this.wholeRun[t]!;
        from.offset = c * count + t;
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
 * A kernel made on first use. Why: nothing of the built-in kernels runs while the
 * module loads, so every line of the kernel is covered test by test (Stryker's
 * vitest runner activates a mutant only after the modules have loaded, so code run
 * at load time can never be judged; stryker-js#6144).
 */
function lazyKernel(create: () => ConvKernel): ConvKernel {
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
