/**
 * The 'wgsl' bound model (docs/tolerance.md, "What WGSL allows"): each test
 * simulates a float32 kernel doing what WGSL permits (or a bug it does not) and
 * checks the verdict against the IEEE dot-product model's.
 */
import { describe, expect, it } from 'vitest';
import { roundToHalf } from '../../reference/float16.ts';
import { referenceConv } from '../../reference/index.ts';
import { mulberry32 } from '../../reference/random.ts';
import { convProblem } from '../../reference/testing.ts';
import {
  type BoundModel,
  boundParameters,
  type Comparison,
  compareConvOutput,
  magnitudeFor,
} from '../tolerance.ts';

const wgsl: BoundModel = { kind: 'wgsl' };
const dot: BoundModel = { kind: 'dot-product' };
const FLT_MIN = 2 ** -126;

// 4 input channels, kernel 5: ksb = 20 products per output, 64 outputs per channel.
const problem = convProblem({ inputSize: [68], kernelSize: [5], inChannels: 4, outChannels: 3 });

function judge(model: BoundModel, x: Float32Array, w: Float32Array, got: Float32Array): Comparison {
  const operands = { input: x, weight: w };
  return compareConvOutput({
    problem,
    got,
    reference: referenceConv(problem, x, w),
    magnitude: magnitudeFor(problem, operands, model, 'float32'),
    dtype: 'float32',
    model,
  });
}

/** A float32 direct kernel: each product and sum goes through `round` (default float32 nearest). */
function directKernel(
  x: Float32Array,
  w: Float32Array,
  options: { operand?: (v: number) => number; round?: (v: number) => number } = {},
): Float32Array {
  const operand = options.operand ?? ((v) => v);
  const round = options.round ?? Math.fround;
  const [IW] = problem.inputSize as [number];
  const [KW] = problem.kernelSize as [number];
  const OW = IW - KW + 1;
  const y = new Float32Array(problem.outChannels * OW);
  for (let oc = 0; oc < problem.outChannels; oc++) {
    for (let ow = 0; ow < OW; ow++) {
      let acc = 0;
      for (let ci = 0; ci < problem.inChannels; ci++) {
        for (let k = 0; k < KW; k++) {
          const product = round(
            operand(x[ci * IW + ow + k]!) * operand(w[(oc * problem.inChannels + ci) * KW + k]!),
          );
          acc = round(acc + product);
        }
      }
      y[oc * OW + ow] = acc;
    }
  }
  return y;
}

/** A uniform source on [0, 1). */
function uniform(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 2 ** 32;
}

function data(seed: number, scale: (r: number) => number): Float32Array {
  const next = uniform(seed);
  return Float32Array.from({ length: 4 * 68 }, () => scale(next()));
}
const realInput = data(1, (r) => 2 * r - 1);
const realWeight = Float32Array.from({ length: 3 * 4 * 5 }, (_, i) => Math.fround(Math.sin(i + 1)));

/** Rounds toward zero to float32: a direction WGSL allows ("correctly rounded" = either neighbour). */
function roundTowardZero(v: number): number {
  const f = Math.fround(v);
  if (Math.abs(f) <= Math.abs(v)) return f;
  const bits = new Uint32Array(Float32Array.of(f).buffer);
  bits[0]! -= 1;
  return new Float32Array(bits.buffer)[0]!;
}

describe("the 'wgsl' model", () => {
  it('accepts a kernel that flushes subnormal inputs to zero, which the IEEE model rejects', () => {
    // Subnormal inputs against weights near 64: the flushed products are ≈ 64·FLT_MIN each.
    const x = data(2, (r) => Math.fround((1 + r) * 2 ** -127));
    const w = Float32Array.from(realWeight, (v) => Math.fround(64 * Math.abs(v) + 1));
    const flushed = directKernel(x, w, { operand: (v) => (Math.abs(v) < FLT_MIN ? 0 : v) });
    expect(Array.from(flushed).every((v) => v === 0)).toBe(true);
    expect(judge(wgsl, x, w, flushed).verdict).toBe('pass');
    expect(judge(dot, x, w, flushed).verdict).toBe('fail');
  });

  it('still fails a kernel that zeroes small normal inputs (only subnormals may flush)', () => {
    const x = data(3, (r) => Math.fround((1 + r) * 2 ** -120));
    const w = Float32Array.from(realWeight, (v) => Math.fround(64 * Math.abs(v) + 1));
    const zeroed = directKernel(x, w, { operand: (v) => (Math.abs(v) < 2 ** -110 ? 0 : v) });
    expect(judge(wgsl, x, w, zeroed).verdict).toBe('fail');
  });

  it('fails a kernel that accumulates in f16', () => {
    const f16 = directKernel(realInput, realWeight, { round: (v) => roundToHalf(v, 'float16') });
    const c = judge(wgsl, realInput, realWeight, f16);
    expect(c.verdict).toBe('fail');
    expect(c.reason).toMatch(/exceed the wgsl bound/);
  });

  it('accepts rounding toward zero at every step, which the round-to-nearest statistics reject', () => {
    // 3072 outputs: enough for the tensor-wide statistics (1000).
    const big = convProblem({ inputSize: [1028], kernelSize: [5], inChannels: 4, outChannels: 3 });
    const next = uniform(4);
    const x = Float32Array.from({ length: 4 * 1028 }, () => Math.fround(next()));
    const w = Float32Array.from({ length: 60 }, () => Math.fround(next()));
    const got = new Float32Array(3 * 1024);
    for (let oc = 0; oc < 3; oc++) {
      for (let ow = 0; ow < 1024; ow++) {
        let acc = 0;
        for (let ci = 0; ci < 4; ci++) {
          for (let k = 0; k < 5; k++) {
            const product = roundTowardZero(x[ci * 1028 + ow + k]! * w[(oc * 4 + ci) * 5 + k]!);
            acc = roundTowardZero(acc + product);
          }
        }
        got[oc * 1024 + ow] = acc;
      }
    }
    const verdict = (model: BoundModel) =>
      compareConvOutput({
        problem: big,
        got,
        reference: referenceConv(big, x, w),
        magnitude: magnitudeFor(big, { input: x, weight: w }, model, 'float32'),
        dtype: 'float32',
        model,
      });
    expect(verdict(wgsl).verdict).toBe('pass');
    expect(verdict(dot)).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(/variance|bias/),
    });
  });

  it('sets no requirement where an infinity meets the sum (finite-math assumption)', () => {
    const x = Float32Array.from(realInput);
    x[10] = Number.POSITIVE_INFINITY;
    const got = directKernel(x, realWeight);
    const reference = referenceConv(problem, x, realWeight);
    const touched = Array.from(reference.keys()).filter((i) => !Number.isFinite(reference[i]!));
    expect(touched.length).toBeGreaterThan(0);
    for (const i of touched) got[i] = Number.NaN;
    expect(judge(wgsl, x, realWeight, got).verdict).toBe('pass');
    expect(judge(dot, x, realWeight, got).verdict).toBe('fail');
  });

  it('still fails a NaN where every operand is finite', () => {
    const got = directKernel(realInput, realWeight);
    got[7] = Number.NaN;
    expect(judge(wgsl, realInput, realWeight, got)).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(/NaN where the oracle gives a number/),
    });
  });

  it('judges float64 as a dot product, saying why', () => {
    expect(boundParameters(problem, 'float64', wgsl)).toMatchObject({
      model: 'dot-product',
      note: expect.stringMatching(/WGSL has no float64/),
    });
  });
});
