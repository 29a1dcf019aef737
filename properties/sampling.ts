/**
 * The sampled oracle: above {@link SAMPLING}.thresholdMacs the float64 oracle is
 * computed only at a stratified sample of output positions, chosen so that a
 * bug confined to a batch index, an output channel (or channel block), a border
 * or a tile remainder cannot avoid it. docs/sampling.md states the rule and the
 * argument; this file is that rule, nothing more.
 *
 * The sample, per output tensor [batch, outChannels, ...outputSize]:
 * - every (batch index, output channel) pair;
 * - per spatial dimension, a set of "special" indices: every index whose window
 *   touches the begin padding, or the input's last element or the end padding,
 *   plus the first and last {@link SAMPLING}.edge indices (16 consecutive
 *   indices hold every residue modulo 4, 8 and 16, and the last 16 hold the
 *   remainder of any tiling by a block of at most 16);
 * - for each (n, oc), a walk through those special indices that visits every
 *   special index of every dimension, rotated from one (n, oc) to the next so
 *   that across channels every combination of special indices is visited;
 * - the first and last `edge` positions of each (n, oc) plane in flat
 *   row-major order (the remainder of a GEMM that tiles the flattened plane);
 * - {@link SAMPLING}.randomOutputs seeded uniform positions (mostly interior).
 */
import {
  type ConvGeometry,
  type ConvProblem,
  convGeometry,
  type DType,
  macs,
  type PaddingRule,
  referenceConv,
  referenceConvAt,
} from '../reference/index.ts';
import { mixSeed, mulberry32 } from '../reference/random.ts';
import { type BoundModel, magnitudeFor } from './tolerance.ts';

/** The sampling rule's constants (documented in docs/sampling.md). */
export const SAMPLING = {
  /** Problems whose oracle costs more MACs than this are sampled (unless --full). */
  thresholdMacs: 2 ** 24,
  /** Leading and trailing indices kept per spatial dimension: covers residues mod 4, 8, 16. */
  edge: 16,
  /** Seeded uniform positions added to the structured strata. */
  randomOutputs: 1024,
  /** A sample larger than this fraction of the output is not worth it: compute everything. */
  maxFraction: 0.5,
} as const;

/** Options of {@link samplePositions}. */
export interface SampleConstraints {
  /** Seed of the random stratum. */
  seed: number;
  /** Compute every output (`check --full`). Default false. */
  full?: boolean;
}

/** Output indices of one spatial dimension whose window touches the begin padding, or the input's last element or beyond. */
export function borderIndices(g: ConvGeometry, dim: number): number[] {
  const out = g.outputSize[dim]!;
  const stride = g.stride[dim]!;
  const padBegin = g.padBegin[dim]!;
  const keep = new Set<number>();
  // o·S − Pb < 0: the window starts in the begin padding.
  for (let o = 0; o < Math.min(out, Math.ceil(padBegin / stride)); o++) keep.add(o);
  // o·S − Pb + span − 1 ≥ I − 1: the window reaches the input's last element or beyond.
  const firstAtEnd = Math.ceil((g.inputSize[dim]! + padBegin - g.effectiveKernel[dim]!) / stride);
  for (let o = Math.max(0, firstAtEnd); o < out; o++) keep.add(o);
  return [...keep].sort((a, b) => a - b);
}

/**
 * The special indices of one spatial dimension: its border indices and its
 * first and last {@link SAMPLING}.edge indices. Sorted and unique.
 */
export function specialIndices(g: ConvGeometry, dim: number): number[] {
  const out = g.outputSize[dim]!;
  const keep = new Set(borderIndices(g, dim));
  for (let o = 0; o < Math.min(out, SAMPLING.edge); o++) {
    keep.add(o);
    keep.add(out - 1 - o);
  }
  return [...keep].sort((a, b) => a - b);
}

/**
 * The flat output indices (row-major, sorted, unique) at which the sampled
 * oracle is computed, or undefined when every output is computed: below the
 * threshold, with `full`, or when the sample would be most of the output.
 *
 * @example
 * ```ts
 * const at = samplePositions(vggConv1_2, { seed: 7 }); // a few thousand of 3,211,264 outputs
 * ```
 */
export function samplePositions(
  problem: ConvProblem,
  constraints: SampleConstraints,
): Uint32Array | undefined {
  const g = convGeometry(problem);
  if (constraints.full === true || macs(g) <= SAMPLING.thresholdMacs) return undefined;
  const chosen = new Set<number>();
  addPlaneWalks(g, chosen);
  addBorderPositions(g, chosen);
  addRandom(g, chosen, constraints.seed);
  if (chosen.size > SAMPLING.maxFraction * g.outputLength) return undefined;
  return Uint32Array.from(chosen).sort();
}

/** Flat offset within one (n, oc) plane of spatial coordinates. */
function planeOffset(g: ConvGeometry, coords: readonly number[]): number {
  return coords.reduce((offset, c, d) => offset * g.outputSize[d]! + c, 0);
}

/**
 * Every (n, oc) plane gets a walk that visits every special index of every
 * dimension; the walk is rotated from plane to plane so that over
 * Π_{d≥1} |S_d| consecutive planes every combination of special indices occurs.
 */
function addPlaneWalks(g: ConvGeometry, chosen: Set<number>): void {
  const special = g.outputSize.map((_, d) => specialIndices(g, d));
  const walk = Math.max(...special.map((s) => s.length));
  const period = special.slice(1).reduce((p, s) => p * s.length, 1);
  const planes = g.batch * g.outChannels;
  for (let t = 0; t < Math.max(planes, period); t++) {
    const base = (t % planes) * g.outputVolume;
    for (let i = 0; i < walk; i++) {
      // Dimension d is shifted by ⌊t / Π_{0<e<d} |S_e|⌋; dimension 0 never shifts.
      let divisor = 1;
      const coords = special.map((s, d) => {
        const shift = d === 0 ? 0 : Math.floor(t / divisor);
        if (d > 0) divisor *= s.length;
        return s[(i + shift) % s.length]!;
      });
      chosen.add(base + planeOffset(g, coords));
    }
  }
}

/** Every spatial position whose window touches a border in some dimension, spread over the planes. */
function addBorderPositions(g: ConvGeometry, chosen: Set<number>): void {
  const planes = g.batch * g.outChannels;
  let j = 0;
  g.outputSize.forEach((_, dim) => {
    for (const b of borderIndices(g, dim)) {
      // Every position with coordinate `dim` = b: the other dimensions run over their whole range.
      const others = g.outputSize.map((o, d) => (d === dim ? 1 : o));
      const count = others.reduce((p, o) => p * o, 1);
      for (let k = 0; k < count; k++) {
        let rest = k;
        const coords = others.map((o, d) => {
          if (d === dim) return b;
          const c = rest % o;
          rest = Math.floor(rest / o);
          return c;
        });
        chosen.add((j++ % planes) * g.outputVolume + planeOffset(g, coords));
      }
    }
  });
}

function addRandom(g: ConvGeometry, chosen: Set<number>, seed: number): void {
  const next = mulberry32(mixSeed(seed, 11));
  for (let i = 0; i < SAMPLING.randomOutputs; i++) {
    // Two draws give 53 bits, ample for outputs below 2^26.
    const u = ((next() >>> 5) * 2 ** 26 + (next() >>> 6)) / 2 ** 53;
    chosen.add(Math.floor(u * g.outputLength));
  }
}

/** The oracle's answer for one case, as {@link compareConvOutput} reads it. */
export interface OracleAnswer {
  /**
   * Full-length reference. When sampled, an unsampled position holds the
   * kernel's own value and a zero magnitude, which the comparison neither
   * judges nor counts in its statistics.
   */
  reference: Float64Array;
  magnitude: Float64Array;
  /** Present when sampled: how many outputs the oracle computed, of how many. */
  sampled?: { count: number; total: number };
}

/** Arguments of {@link oracleOutputs}. */
export interface OracleArgs {
  problem: ConvProblem;
  operands: { input: ArrayLike<number>; weight: ArrayLike<number>; bias?: ArrayLike<number> };
  model: BoundModel;
  dtype: DType;
  /** The kernel's output (only its length and its values at unsampled positions are read). */
  got: ArrayLike<number>;
  constraints: SampleConstraints;
  /** The padding rule the kernel is judged by; default 'zeros'. */
  padding?: PaddingRule;
}

/**
 * The oracle and magnitude for a case: whole below the threshold (or with
 * `full`), else at {@link samplePositions} only.
 *
 * @example
 * ```ts
 * const { reference, magnitude, sampled } = oracleOutputs({ problem, operands, model,
 *   dtype: 'float32', got, constraints: { seed: 7 } });
 * ```
 */
export function oracleOutputs(args: OracleArgs): OracleAnswer {
  const { problem, operands, model, dtype, got } = args;
  const padding = args.padding ?? 'zeros';
  const { input, weight, bias } = operands;
  const positions = samplePositions(problem, args.constraints);
  const total = convGeometry(problem).outputLength;
  if (positions === undefined || got.length !== total) {
    return {
      reference: referenceConv(problem, input, weight, bias, padding),
      magnitude: magnitudeFor(problem, operands, model, dtype, undefined, padding),
    };
  }
  const referenceAt = referenceConvAt(problem, input, weight, bias, positions, padding);
  const magnitudeAt = magnitudeFor(problem, operands, model, dtype, positions, padding);
  const reference = Float64Array.from(got);
  const magnitude = new Float64Array(total);
  positions.forEach((index, i) => {
    reference[index] = referenceAt[i]!;
    magnitude[index] = magnitudeAt[i]!;
  });
  return { reference, magnitude, sampled: { count: positions.length, total } };
}
