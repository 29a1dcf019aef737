/**
 * The laws that tie convolution, its two backward passes and transposed
 * convolution together, as properties over a set of operations (default: the
 * float64 oracles), so that a broken copy of any one of them can be shown to
 * fail:
 *
 * - adjoint identity: ⟨conv(x, w), dy⟩ = ⟨x, backwardData(dy, w)⟩ = ⟨w, backwardWeights(x, dy)⟩;
 * - backward data = ConvTranspose with the same geometry;
 * - ConvTranspose = conv of the zero-inserted, padded input with the flipped,
 *   channel-transposed kernel.
 *
 * All three run on small integer data, where every sum is exact in float64:
 * the sides are compared bit for bit (the inner products in BigInt).
 */
import fc from 'fast-check';
import {
  referenceConvBackwardData,
  referenceConvBackwardWeights,
} from '../../reference/backward.ts';
import { referenceConv } from '../../reference/conv.ts';
import {
  backwardDataAsConvTranspose,
  type ConvTransposeProblem,
  convTransposeGeometry,
  referenceConvTranspose,
} from '../../reference/convTranspose.ts';
import { convGeometry, lift3 } from '../../reference/geometry.ts';
import { formatOpDescriptor, type OpDescriptor } from '../../reference/opDescriptor.ts';
import type { ConvProblem } from '../../reference/problem.ts';
import { convProblemArbitrary } from '../arbitraries/convProblem.ts';
import {
  type ConvTransposeProblemConstraints,
  convTransposeProblemArbitrary,
} from '../arbitraries/convTransposeProblem.ts';
import { integerTensor } from '../data.ts';
import { LawViolation } from './support.ts';

type Tensor = ArrayLike<number>;

/** The four operations the laws relate; each computes in float64 on plain arrays. */
export interface ConvOps {
  /** Shown in violations. */
  name: string;
  conv(p: ConvProblem, x: Tensor, w: Tensor, b?: Tensor): Tensor;
  backwardData(p: ConvProblem, dy: Tensor, w: Tensor): Tensor;
  backwardWeights(p: ConvProblem, x: Tensor, dy: Tensor): Tensor;
  convTranspose(p: ConvTransposeProblem, x: Tensor, w: Tensor, b?: Tensor): Tensor;
}

/** The oracles of reference/: the default operations of every law here. */
export const referenceOps: ConvOps = {
  name: 'reference',
  conv: referenceConv,
  backwardData: referenceConvBackwardData,
  backwardWeights: referenceConvBackwardWeights,
  convTranspose: referenceConvTranspose,
};

/** Integer data range: products of three operands summed stay far below 2^53. */
const RANGE = 8;

/** Small conv problems for the backward laws (each law runs the oracle three times). */
const backwardProblems = () =>
  convProblemArbitrary({
    maxMacs: 3000,
    networkLayers: false,
    largePlanes: false,
    bias: false,
    // The backward oracles are defined for zero padding.
    paddingModes: ['zeros'],
  });

const seeds = () => fc.integer({ min: 0, max: 2 ** 31 - 1 });

function tensor(length: number, seed: number): Float64Array {
  return integerTensor(length, seed, RANGE);
}

/** ⟨a, b⟩ in BigInt: exact for the integer tensors of these laws. */
function dot(a: Tensor, b: Tensor): bigint {
  let sum = 0n;
  for (let i = 0; i < a.length; i++) sum += BigInt(a[i]!) * BigInt(b[i]!);
  return sum;
}

function sameTensor(law: string, d: OpDescriptor, lhs: Tensor, rhs: Tensor): void {
  if (lhs.length !== rhs.length) {
    throw new LawViolation(
      `${law}: sides have ${lhs.length} and ${rhs.length} elements on ${formatOpDescriptor(d)}`,
    );
  }
  for (let i = 0; i < lhs.length; i++) {
    if (!Object.is(lhs[i], rhs[i])) {
      throw new LawViolation(
        `${law}: element ${i} is ${lhs[i]} on the left and ${rhs[i]} on the right on ${formatOpDescriptor(d)}`,
      );
    }
  }
}

/**
 * ⟨conv(x, w), dy⟩ = ⟨x, backwardData(dy, w)⟩ = ⟨w, backwardWeights(x, dy)⟩,
 * exactly, on integer x, w and dy: the backward passes are the adjoints of
 * the forward conv in its input and in its weight.
 *
 * @example
 * ```ts
 * fc.assert(adjointLaw());
 * ```
 */
export function adjointLaw(ops: ConvOps = referenceOps) {
  return fc.property(backwardProblems(), seeds(), (p, seed) => {
    const g = convGeometry(p);
    const x = tensor(g.inputLength, seed);
    const w = tensor(g.weightLength, seed + 1);
    const dy = tensor(g.outputLength, seed + 2);
    const forward = dot(ops.conv(p, x, w), dy);
    const data = dot(x, ops.backwardData(p, dy, w));
    const weights = dot(w, ops.backwardWeights(p, x, dy));
    if (forward !== data || forward !== weights) {
      throw new LawViolation(
        `adjoint identity (${ops.name}): ⟨conv(x,w),dy⟩ = ${forward}, ⟨x,backwardData(dy,w)⟩ = ${data}, ` +
          `⟨w,backwardWeights(x,dy)⟩ = ${weights} on ${formatOpDescriptor({ op: 'conv', problem: p })}`,
      );
    }
  });
}

/**
 * backwardData(p, dy, w) = convTranspose(t, dy, w), t the ConvTranspose with
 * p's geometry (backwardDataAsConvTranspose: channels swapped, outputPadding
 * restoring the rows the conv's floor dropped), bit for bit on integer data.
 *
 * @example
 * ```ts
 * fc.assert(backwardDataIsTransposeLaw());
 * ```
 */
export function backwardDataIsTransposeLaw(ops: ConvOps = referenceOps) {
  return fc.property(backwardProblems(), seeds(), (p, seed) => {
    const g = convGeometry(p);
    const dy = tensor(g.outputLength, seed);
    const w = tensor(g.weightLength, seed + 1);
    const t = backwardDataAsConvTranspose(p);
    sameTensor(
      `backward data = ConvTranspose (${ops.name})`,
      { op: 'convtranspose', problem: t },
      ops.backwardData(p, dy, w),
      ops.convTranspose(t, dy, w),
    );
  });
}

/**
 * The conv that computes a ConvTranspose: its input is x with S − 1 zeros
 * inserted between neighbours and D·(K−1) − Pb zeros before, D·(K−1) − Pe +
 * outputPadding after (a negative count crops instead); stride 1, the same
 * dilation, no pads; its kernel is the ConvTranspose kernel flipped and with
 * the channels of each group transposed, [outChannels, inChannels/G, ...K].
 * Returned as the problem and a function of (x, w) giving its operands.
 */
export function zeroInsertedConv(t: ConvTransposeProblem) {
  const g = convTransposeGeometry(t);
  const before = g.dilation.map((d, i) => d * (g.kernelSize[i]! - 1) - g.padBegin[i]!);
  const size = g.outputSize.map((o, i) => o + g.effectiveKernel[i]! - 1);
  const zeros = size.map(() => 0);
  const problem: ConvProblem = {
    mode: t.mode,
    batch: g.batch,
    inChannels: g.inChannels,
    outChannels: g.outChannels,
    groups: g.groups,
    inputSize: size,
    kernelSize: [...g.kernelSize],
    stride: size.map(() => 1),
    dilation: [...g.dilation],
    padBegin: zeros,
    padEnd: [...zeros],
    bias: t.bias,
  };
  const [ZD, ZH, ZW] = lift3(size, 1);
  const [ID, IH, IW] = lift3(g.inputSize, 1);
  const [SD, SH, SW] = lift3(g.stride, 1);
  const [BD, BH, BW] = lift3(before, 0);
  const [KD, KH, KW] = lift3(g.kernelSize, 1);
  /** The input position that zero-inserted position z holds, or −1 for an inserted zero. */
  const source = (z: number, before: number, stride: number, input: number) => {
    const q = z - before;
    return q >= 0 && q % stride === 0 && q / stride < input ? q / stride : -1;
  };
  const input = (x: Tensor): Float64Array => {
    const out = new Float64Array(g.batch * g.inChannels * ZD * ZH * ZW);
    let index = 0;
    for (let nc = 0; nc < g.batch * g.inChannels; nc++) {
      for (let zd = 0; zd < ZD; zd++) {
        const d = source(zd, BD, SD, ID);
        for (let zh = 0; zh < ZH; zh++) {
          const h = source(zh, BH, SH, IH);
          for (let zw = 0; zw < ZW; zw++, index++) {
            const w = source(zw, BW, SW, IW);
            if (d >= 0 && h >= 0 && w >= 0) out[index] = x[((nc * ID + d) * IH + h) * IW + w]!;
          }
        }
      }
    }
    return out;
  };
  const weight = (w: Tensor): Float64Array => {
    const cig = g.inChannelsPerGroup;
    const cog = g.outChannelsPerGroup;
    const out = new Float64Array(g.weightLength);
    let index = 0;
    for (let oc = 0; oc < g.outChannels; oc++) {
      const group = Math.floor(oc / cog);
      for (let ci = 0; ci < cig; ci++) {
        const ic = group * cig + ci;
        for (let kd = 0; kd < KD; kd++) {
          for (let kh = 0; kh < KH; kh++) {
            for (let kw = 0; kw < KW; kw++, index++) {
              const flipped = ((KD - 1 - kd) * KH + (KH - 1 - kh)) * KW + (KW - 1 - kw);
              out[index] = w[(ic * cog + (oc % cog)) * KD * KH * KW + flipped]!;
            }
          }
        }
      }
    }
    return out;
  };
  return { problem, input, weight };
}

/**
 * convTranspose(t, x, w, b) = conv(zero-inserted padded x, flipped
 * channel-transposed w, b), bit for bit on integer data, over problems biased
 * toward the ConvTranspose convention bugs.
 *
 * @example
 * ```ts
 * fc.assert(zeroInsertionLaw());
 * ```
 */
export function zeroInsertionLaw(
  ops: ConvOps = referenceOps,
  constraints: ConvTransposeProblemConstraints = {},
) {
  return fc.property(convTransposeProblemArbitrary(constraints), seeds(), (t, seed) => {
    const g = convTransposeGeometry(t);
    const x = tensor(g.inputLength, seed);
    const w = tensor(g.weightLength, seed + 1);
    const b = t.bias ? tensor(g.outChannels, seed + 2) : undefined;
    const conv = zeroInsertedConv(t);
    sameTensor(
      `ConvTranspose = conv of the zero-inserted input (${ops.name})`,
      { op: 'convtranspose', problem: t },
      ops.convTranspose(t, x, w, b),
      ops.conv(conv.problem, conv.input(x), conv.weight(w), b),
    );
  });
}
