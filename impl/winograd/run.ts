/**
 * One Winograd convolution call: the transforms, the products and the output
 * transform over blocks of tiles (see kernel.ts for the algorithm).
 *
 * Over 300 lines, on purpose: WinogradRun is one class whose methods share the
 * call's buffers and plan; splitting it would pass a dozen fields between files.
 */
import type { ConvGeometry, FloatArray } from '../../reference/index.ts';
import { PANEL_LANES, type WinogradPlan } from './plan.ts';
import type { TilePositions, WinogradProducts, WinogradTileTransforms } from './products.ts';
import type { BlockLayout, SeparableApply } from './separable.ts';
import type { Settings } from './settings.ts';
import { separable } from './transform-cache.ts';

const LANES = PANEL_LANES;

/** Everything one call needs, allocated once per call and reused by every tile. */
export class WinogradRun {
  readonly g: ConvGeometry;
  readonly plan: WinogradPlan;
  readonly input: FloatArray;
  readonly weight: FloatArray;
  readonly bias: FloatArray | undefined;
  /** The output the JS output transform writes (allocated in run(); empty when the products' transforms run). */
  private output: FloatArray;
  /** Where U, V and M live, and the products (products.ts). */
  private readonly products: WinogradProducts;
  /** M of one block: [outChannelsPerBlock × count] per ξν, from `products.mStart`. */
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
  /** The same three arrays, for tile transforms of the products' (products.ts). */
  private readonly positions: TilePositions;
  /** The products' tile transforms when they run this call, else the JS ones below. */
  private tiles: WinogradTileTransforms | undefined;
  private readonly outputLength: number;
  /** The dtype's array type (the output, the ragged tile's buffer). */
  private readonly Store: Float32ArrayConstructor | Float64ArrayConstructor;
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
    products: WinogradProducts,
  ) {
    const dtype = settings.dtype;
    this.g = g;
    this.plan = plan;
    this.input = operands.input;
    this.weight = operands.weight;
    this.bias = operands.bias;
    const Store = dtype === 'float32' ? Float32Array : Float64Array;
    const { alphaArea, height, width } = plan;
    this.Store = Store;
    this.output = new Store(0);
    this.outputLength = g.outputLength;
    this.products = products;
    this.M = products.M;
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
    this.positions = { image: this.tileImage, row: this.tileRow, column: this.tileColumn };
    const target = products.packedFloat32 ? 'float32' : 'packed';
    this.filterTransform = separable(plan, settings, 'filter', target, (a) => ({
      dense: a.transforms.Gf,
      rows: a.alpha,
      cols: a.r,
    }));
    this.inputTransform = separable(plan, settings, 'input', target, (a) => ({
      dense: a.transforms.BTf,
      rows: a.alpha,
      cols: a.alpha,
    }));
    this.outputTransform = separable(plan, settings, 'output', target, (a) => ({
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
    const tiles = this.products.tileTransforms;
    this.tiles = tiles?.begin(this.input, this.bias) ? tiles : undefined;
    // The products' transforms hand back a fresh output at the end: no zeroed array first.
    if (!this.tiles) this.output = new this.Store(this.outputLength);
    for (let group = 0; group < this.g.groups; group++) {
      for (let first = 0; first < totalTiles; first += tilesPerBlock) {
        const count = Math.min(tilesPerBlock, totalTiles - first);
        this.locateTiles(first, count);
        this.transformInputs(group, count);
        for (let oc0 = 0; oc0 < cog; oc0 += outChannelsPerBlock) {
          const channels = Math.min(outChannelsPerBlock, cog - oc0);
          if (!filtersKept) this.transformFilters(group, oc0, channels);
          else if (first === 0) this.groupFilters(group);
          this.products.multiply(channels, count);
          this.transformOutputs(group, oc0, channels, count);
        }
      }
    }
    return this.tiles ? this.tiles.end() : this.output;
  }

  /**
   * U of all of a group's filters, from the products' filter cache when it holds this
   * group's weights, else transformed (and offered to the cache).
   */
  private groupFilters(group: number): void {
    const cache = this.products.filterCache;
    if (cache?.restore(this.weight, group)) return;
    this.transformFilters(group, 0, this.g.outChannelsPerGroup);
    cache?.keep(this.weight, group);
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
      to.offset = this.products.uStart + (c - lane) * cig + lane;
      this.filterTransform(this.weight, from, this.products.packed, to, 0, cig);
    }
  }

  /**
   * V[ξν] = (Bᵀ d B)[ξν] for the input tile d of channel ci and tile t of the block,
   * in lane t mod 4 of panel ⌊t/4⌋.
   */
  private transformInputs(group: number, count: number): void {
    if (this.tiles) {
      this.tiles.inputs(group, count, this.positions);
      return;
    }
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
        to.offset = this.products.vStart + (t - lane) * cig + ci * LANES + lane;
        // A run of interior tiles is one call, up to the end of its panel.
        const run = Math.min(this.insideRun[t]!, LANES - lane);
        if (run > 0) {
          from.offset = channelBase + h0 * IW + w0;
          from.rowStride = IW;
          this.inputTransform(this.input, from, this.products.packed, to, 0, run);
          t += run;
        } else {
          this.readPaddedPatch(channelBase, h0, w0);
          from.offset = 0;
          from.rowStride = width.alpha;
          this.inputTransform(this.patch, from, this.products.packed, to, 0, 1);
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
   * y = Aᵀ M A + bias for each tile and output channel oc0 … oc0 + channels − 1 of the
   * group; only valid outputs are written.
   */
  private transformOutputs(group: number, oc0: number, channels: number, count: number): void {
    if (this.tiles) {
      this.tiles.outputs(group, oc0, channels, count, this.positions);
      return;
    }
    const { g, plan, from, to } = this;
    const { height, width } = plan;
    const cog = g.outChannelsPerGroup;
    const OH = height.outputSize;
    const OW = width.outputSize;
    from.rowStride = width.alpha * plan.matrixStride.M;
    from.colStride = plan.matrixStride.M;
    const strides = this.products.mStrides(channels, count);
    from.step = strides.tile;
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
        from.offset = this.products.mStart + c * strides.channel + t * strides.tile;
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
