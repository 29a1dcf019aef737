/**
 * The precision ladder proves itself on emulated kernels: each meets its own
 * class on generated problems, a kernel one class worse fails it, the profile
 * names the right tightest class, and the fp32 rung reproduces today's
 * dot-product verdicts (compareConvOutput).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { im2colKernel } from '../../impl/im2col/index.ts';
import type { ConvKernel, ConvProblem } from '../../reference/problem.ts';
import { convProblem } from '../../reference/testing.ts';
import { convProblemArbitrary } from '../arbitraries/convProblem.ts';
import {
  bfloat16AccumulatorKernel,
  biasDroppedKernel,
  roundUpAccumulatorKernel,
} from '../broken/kernels.ts';
import { materializeConvCase } from '../data.ts';
import { boundParameters, compareConvOutput, elementBound } from '../tolerance.ts';
import { emulatedKernel } from './emulated.ts';
import {
  effectiveSignificandBits,
  judgePrecision,
  type ModelSummary,
  type PrecisionCase,
  precisionOracle,
  precisionProfile,
  tightestModel,
} from './judge.ts';
import {
  PRECISION_MODEL_NAMES,
  type PrecisionModelName,
  precisionBound,
  precisionElementBound,
} from './models.ts';

/** Operands of a case: the harness's real data, or its absolute values (no cancellation). */
function operands(problem: ConvProblem, dataSeed: number, positive: boolean) {
  const { input, weight, bias } = materializeConvCase({ problem, data: 'real', dataSeed });
  const abs = (v: Float32Array | Float64Array) => Float32Array.from(v, Math.abs);
  return positive
    ? { input: abs(input), weight: abs(weight), bias: bias && abs(bias) }
    : { input, weight, bias };
}

/** The operands and the oracle's tensors of a case, shared by every kernel judged on it. */
interface Prepared {
  label: string;
  problem: ConvProblem;
  input: Float32Array | Float64Array;
  weight: Float32Array | Float64Array;
  bias?: Float32Array | Float64Array;
  oracle: Omit<PrecisionCase, 'problem' | 'got'>;
}

function prepare(
  label: string,
  problem: ConvProblem,
  dataSeed: number,
  positive: boolean,
): Prepared {
  const ops = operands(problem, dataSeed, positive);
  return {
    label,
    problem,
    ...ops,
    oracle: precisionOracle(problem, ops.input, ops.weight, ops.bias),
  };
}

async function run(kernel: ConvKernel, c: Prepared): Promise<PrecisionCase> {
  const got = await kernel.conv(c.problem, c.input, c.weight, c.bias);
  return { problem: c.problem, got, ...c.oracle };
}

/** 1152 outputs, 144-tap reductions: enough outputs for the statistical checks. */
const MEDIUM = convProblem({
  inputSize: [16, 16],
  kernelSize: [3, 3],
  inChannels: 16,
  outChannels: 8,
  bias: true,
});
/** 1024 outputs, 9217-tap reductions: where float16 accumulation is worse than bfloat16 storage. */
const LONG = convProblem({
  inputSize: [136],
  kernelSize: [9],
  inChannels: 1024,
  outChannels: 8,
  bias: true,
});

const emulated = Object.fromEntries(
  PRECISION_MODEL_NAMES.map((name) => [name, emulatedKernel(name)]),
) as Record<PrecisionModelName, ConvKernel>;

describe('each emulated kernel meets its own class on generated problems', () => {
  it.each(PRECISION_MODEL_NAMES)('%s', async (name) => {
    await fc.assert(
      fc.asyncProperty(
        convProblemArbitrary({ maxMacs: 20_000 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (problem, dataSeed) => {
          const c = await run(emulated[name], prepare('generated', problem, dataSeed, false));
          const verdict = judgePrecision(c, precisionBound(problem, name));
          expect(verdict.reason).toBeUndefined();
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('a kernel one class worse fails the class', () => {
  const worse: [PrecisionModelName, ConvKernel, ConvProblem, boolean][] = [
    ['fp32', emulated.tf32, MEDIUM, false],
    // TF32 and float16 operands both have 11 bits: only the output rounding differs,
    // which shows where the output is as large as its magnitude (no cancellation).
    ['tf32', emulated['fp16-acc32'], MEDIUM, true],
    ['fp16-acc32', emulated['bf16-acc32'], MEDIUM, false],
    ['bf16-acc32', emulated['fp16-acc16'], LONG, false],
    // The loosest rung: a bfloat16 accumulator is worse still.
    ['fp16-acc16', bfloat16AccumulatorKernel, MEDIUM, true],
  ];
  it.each(worse)('%s rejects %s', async (model, kernel, problem, positive) => {
    // Seeds ≢ 3 (mod 4): the harness's wide-range data overflows float16, where no
    // accuracy is required (judged in the storage type), leaving too few outputs.
    for (const dataSeed of problem === LONG ? [12] : [12, 13]) {
      const c = await run(kernel, prepare('worse', problem, dataSeed, positive));
      expect(judgePrecision(c, precisionBound(problem, model)).pass).toBe(false);
    }
  });
});

describe('the statistical checks', () => {
  it('no false alarm where many outputs share one rounded operand (1×1 kernel, padding windows)', async () => {
    // Found by fast-check: every output of a channel reads the same rounded weight, and
    // the windows in padding all equal the same rounded bias. The bias check, which
    // assumes independent errors, rejected this correct TF32 kernel; it now applies to
    // accumulation errors only.
    const p = convProblem({
      inputSize: [20, 1, 1],
      kernelSize: [1, 1, 1],
      outChannels: 2,
      padBegin: [0, 2, 4],
      padEnd: [0, 2, 0],
      bias: true,
    });
    for (const name of PRECISION_MODEL_NAMES) {
      const c = await run(emulated[name], prepare('shared', p, 0, false));
      expect(judgePrecision(c, precisionBound(p, name)).reason).toBeUndefined();
    }
  });

  it('the fp32 bias check still catches an accumulator that rounds up', async () => {
    const c = await run(roundUpAccumulatorKernel, prepare('round-up', MEDIUM, 12, false));
    const verdict = judgePrecision(c, precisionBound(MEDIUM, 'fp32'));
    expect(verdict.failures).toBe(0);
    expect(verdict.reason).toMatch(/bias|variance/);
  });
});

describe('the precision profile', () => {
  let prepared: Prepared[];
  beforeAll(() => {
    const generated = fc.sample(
      convProblemArbitrary({ maxMacs: 20_000, paddingModes: ['zeros'] }),
      {
        numRuns: 12,
        seed: 7,
      },
    );
    prepared = [
      ...generated.map((p, i) => prepare(`generated ${i}`, p, 100 + i, false)),
      prepare('medium signed', MEDIUM, 21, false),
      prepare('medium positive', MEDIUM, 22, true),
      prepare('long signed', LONG, 24, false),
    ];
  });

  const expected: [string, ConvKernel, PrecisionModelName | 'none'][] = [
    ...PRECISION_MODEL_NAMES.map((n): [string, ConvKernel, PrecisionModelName] => [
      n,
      emulated[n],
      n,
    ]),
    ['im2col (built-in float32)', im2colKernel, 'fp32'],
    ['broken:bf16-accumulator', bfloat16AccumulatorKernel, 'none'],
  ];
  it.each(expected)('%s is reported as %s', async (_label, kernel, tightest) => {
    const cases = await Promise.all(prepared.map((c) => run(kernel, c)));
    const profile = precisionProfile(cases);
    expect(profile.tightest).toBe(tightest);
    if (tightest !== 'none') expect(profile.meets[0]).toBe(tightest);
  });

  it('estimates the effective significand bits of each class on signed data', async () => {
    const signed = prepared.filter((c) => c.label.endsWith('signed'));
    const bitsOf = async (k: ConvKernel) =>
      effectiveSignificandBits(await Promise.all(signed.map((c) => run(k, c))))!;
    // Each class's kernel runs once: the estimate is the slow part of this file.
    const [fp32, tf32, fp16, bf16, fp16acc16] = await Promise.all(
      (['fp32', 'tf32', 'fp16-acc32', 'bf16-acc32', 'fp16-acc16'] as const).map((name) =>
        bitsOf(emulated[name]),
      ),
    );
    // Operand formats: 24, 11, 11, 8 bits; accumulation and output roundings cost a little more.
    expect(fp32).toBeGreaterThan(18);
    expect(tf32).toBeGreaterThan(10.5);
    expect(tf32).toBeLessThan(12.5);
    expect(fp16).toBeGreaterThan(10);
    expect(fp16).toBeLessThan(12);
    expect(bf16).toBeGreaterThan(7.5);
    expect(bf16).toBeLessThan(9);
    expect(fp16acc16).toBeLessThan(fp16!);
  });
});

describe('the fp32 rung is today’s dot-product model', () => {
  it('has the same per-element bound as boundParameters', () => {
    const b = precisionBound(MEDIUM, 'fp32');
    expect(b.coefficient).toBe(b.ksb * 2 ** -24);
    const params = boundParameters(MEDIUM, 'float32', { kind: 'dot-product' });
    for (const magnitude of [0, 1e-40, 3, 1e6]) {
      expect(precisionElementBound(b, magnitude)).toBe(elementBound(params, magnitude));
    }
  });

  it('gives compareConvOutput’s verdicts on correct and broken kernels', async () => {
    const kernels = [emulated.fp32, emulated.tf32, biasDroppedKernel, im2colKernel];
    await fc.assert(
      fc.asyncProperty(
        convProblemArbitrary({ maxMacs: 20_000, paddingModes: ['zeros'] }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom(...kernels),
        async (problem, dataSeed, kernel) => {
          const c = await run(kernel, prepare('generated', problem, dataSeed, false));
          const ours = judgePrecision(c, precisionBound(problem, 'fp32'));
          const theirs = compareConvOutput({
            problem,
            got: c.got,
            reference: c.reference,
            magnitude: c.magnitude,
            dtype: 'float32',
            model: { kind: 'dot-product' },
          });
          expect(ours.failures).toBe(theirs.failures);
          expect(ours.pass).toBe(theirs.verdict === 'pass');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('operands stored in the class format are no error', () => {
    expect(precisionBound(MEDIUM, 'fp16-acc32', { operandsStored: true }).operandRoundoff).toBe(0);
    expect(precisionBound(MEDIUM, 'fp16-acc32').operandRoundoff).toBe(2 ** -11);
  });
});

describe('tightestModel', () => {
  const summary = (model: PrecisionModelName, meets: boolean, looseness: number): ModelSummary => ({
    model,
    meets,
    failedCases: meets ? 0 : 1,
    looseness,
  });

  it('picks the holding model with the smallest bound, not the first in the list', () => {
    // Short reductions: float16 accumulation's bound is below bfloat16 storage's.
    const short = [
      summary('fp16-acc32', false, 1),
      summary('bf16-acc32', true, 30),
      summary('fp16-acc16', true, 12),
    ];
    expect(tightestModel(short)).toBe('fp16-acc16');
    const long = [summary('bf16-acc32', true, 30), summary('fp16-acc16', true, 900)];
    expect(tightestModel(long)).toBe('bf16-acc32');
  });

  it("says 'none' when no model holds", () => {
    expect(tightestModel(PRECISION_MODEL_NAMES.map((m) => summary(m, false, 1)))).toBe('none');
  });
});
