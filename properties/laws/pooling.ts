/**
 * Pooling laws. Average pooling is a depthwise convolution with a constant
 * kernel divided by the tap count (which countIncludePad and ceil mode change),
 * and the maximum of a window is at least its mean.
 */
import fc from 'fast-check';
import { poolGeometry } from '../../reference/geometry.ts';
import type { ConvKernel, ConvProblem, PoolProblem } from '../../reference/problem.ts';
import { type PoolProblemConstraints, poolProblemArbitrary } from '../arbitraries/poolProblem.ts';
import { integerTensor } from '../data.ts';
import { runKernel } from '../kernels.ts';
import { type PoolKernel, referencePoolKernel } from '../pooling.ts';
import { assertSameTensor, LawViolation, oracleKernel } from './support.ts';

/** A pooling law's input: the problem and the data seed. */
export interface PoolLawCase {
  problem: PoolProblem;
  data: 'exact';
  dataSeed: number;
}

/** A pooling law as a property. */
export type PoolLawProperty = fc.IAsyncPropertyWithHooks<[PoolLawCase]>;

/** Options of the pooling laws. */
export interface PoolLawOptions {
  constraints?: PoolProblemConstraints;
}

function poolCaseArbitrary(constraints: PoolProblemConstraints): fc.Arbitrary<PoolLawCase> {
  return fc.record({
    problem: poolProblemArbitrary(constraints),
    data: fc.constant('exact' as const),
    dataSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
}

/**
 * The depthwise convolution with a pooling problem's windows: one group per
 * channel, same kernel, stride, dilation and begin pad, and the end pad grown
 * by the ceil-mode overhang so that the output sizes agree.
 *
 * @example
 * ```ts
 * depthwiseForPool(p).groups === p.channels; // true
 * ```
 */
export function depthwiseForPool(p: PoolProblem): ConvProblem {
  const g = poolGeometry(p);
  const padEnd = p.padEnd.map((pe, d) => {
    const needed = (g.outputSize[d]! - 1) * p.stride[d]! + g.effectiveKernel[d]!;
    return pe + Math.max(0, needed - (p.inputSize[d]! + p.padBegin[d]! + pe));
  });
  return {
    mode: 'cross-correlation',
    batch: p.batch,
    inChannels: p.channels,
    outChannels: p.channels,
    groups: p.channels,
    inputSize: [...p.inputSize],
    kernelSize: [...p.kernelSize],
    stride: [...p.stride],
    dilation: [...p.dilation],
    padBegin: [...p.padBegin],
    padEnd,
    bias: false,
  };
}

/** Number of taps of every window that count toward the mean, via the conv kernel. */
async function tapCounts(
  conv: ConvKernel,
  p: PoolProblem,
  depthwise: ConvProblem,
): Promise<Float64Array> {
  const g = poolGeometry(p);
  const ones = new Float64Array(p.channels * g.kernelVolume).fill(1);
  if (!p.countIncludePad) {
    return runKernel(conv, depthwise, new Float64Array(g.inputLength).fill(1), ones);
  }
  // Count the explicit padding too (never the ceil overhang): ones over [−Pb, I + Pe).
  const padded: ConvProblem = {
    ...depthwise,
    inputSize: p.inputSize.map((s, d) => s + p.padBegin[d]! + p.padEnd[d]!),
    padBegin: p.padBegin.map(() => 0),
    padEnd: depthwise.padEnd.map((pe, d) => pe - p.padEnd[d]!),
  };
  const length = p.batch * p.channels * padded.inputSize.reduce((a, b) => a * b, 1);
  return runKernel(conv, padded, new Float64Array(length).fill(1), ones);
}

/**
 * avgpool(x) = depthwise_conv(x, ones) / count, with count the taps inside the
 * input (or inside the explicitly padded input with countIncludePad; the ceil
 * overhang never counts). Exact on integer data: both sides divide the same
 * exact integer sum by the same count.
 *
 * @example
 * ```ts
 * await fc.assert(avgPoolDepthwiseLaw(referencePoolKernel, im2colKernel));
 * ```
 */
export function avgPoolDepthwiseLaw(
  pool: PoolKernel = referencePoolKernel,
  conv: ConvKernel = oracleKernel,
  options?: PoolLawOptions,
): PoolLawProperty {
  const arbitrary = poolCaseArbitrary({ ...options?.constraints, ops: ['avgpool'] });
  return fc.asyncProperty(arbitrary, async (c) => {
    const g = poolGeometry(c.problem);
    const x = integerTensor(g.inputLength, c.dataSeed, 8);
    const lhs = Float64Array.from(await pool.pool(c.problem, x));
    const depthwise = depthwiseForPool(c.problem);
    const sums = await runKernel(
      conv,
      depthwise,
      x,
      new Float64Array(c.problem.channels * g.kernelVolume).fill(1),
    );
    const counts = await tapCounts(conv, c.problem, depthwise);
    const rhs = sums.map((s, i) => s / counts[i]!);
    assertSameTensor('average pooling = depthwise convolution / tap count', depthwise, lhs, rhs);
  });
}

/**
 * maxpool(x) ≥ avgpool(x) window by window. With countIncludePad the mean also
 * averages the explicit padding's zeros, so the maximum is taken over them too
 * (max(max, 0) for windows touching the padding): otherwise an all-negative
 * window next to padding would break the law legitimately.
 *
 * @example
 * ```ts
 * await fc.assert(maxAtLeastAvgLaw());
 * ```
 */
export function maxAtLeastAvgLaw(
  pool: PoolKernel = referencePoolKernel,
  options?: PoolLawOptions,
): PoolLawProperty {
  return fc.asyncProperty(poolCaseArbitrary({ ...options?.constraints }), async (c) => {
    const g = poolGeometry(c.problem);
    const x = integerTensor(g.inputLength, c.dataSeed, 8);
    const max = await pool.pool({ ...c.problem, op: 'maxpool' }, x);
    const avg = await pool.pool({ ...c.problem, op: 'avgpool' }, x);
    const touchesPad = padTouchMask(c.problem);
    for (let i = 0; i < avg.length; i++) {
      const top =
        c.problem.countIncludePad && touchesPad[i % touchesPad.length] === 1
          ? Math.max(max[i]!, 0)
          : max[i]!;
      if (!(top >= avg[i]!)) {
        throw new LawViolation(`max pool ≥ avg pool: output ${i} has max ${top} < mean ${avg[i]}`);
      }
    }
  });
}

/** Per spatial output, 1 when its window has a tap in the explicit padding. */
function padTouchMask(p: PoolProblem): Uint8Array {
  const g = poolGeometry(p);
  const mask = new Uint8Array(g.outputVolume);
  for (let s = 0; s < g.outputVolume; s++) {
    let rest = s;
    for (let d = g.rank - 1; d >= 0; d--) {
      const o = rest % g.outputSize[d]!;
      rest = Math.floor(rest / g.outputSize[d]!);
      for (let k = 0; k < p.kernelSize[d]!; k++) {
        const i = o * p.stride[d]! - p.padBegin[d]! + k * p.dilation[d]!;
        const inPadding =
          (i < 0 && i >= -p.padBegin[d]!) ||
          (i >= p.inputSize[d]! && i < p.inputSize[d]! + p.padEnd[d]!);
        if (inPadding) mask[s] = 1;
      }
    }
  }
  return mask;
}
