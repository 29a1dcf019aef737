/**
 * The quantized generators, judge and built-in kernel: im2col-int8 passes every
 * generated case of both operators; each planted bug fails; the generators reach
 * what they promise (zero points at the range ends, saturation, exact ties,
 * per-channel parameters); the judge's early rules (type, writes, length) hold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { im2colInt8Kernel } from '../../impl/quantized/index.ts';
import { QUANTIZED_RANGE, referenceQLinearConv } from '../../reference/quantized.ts';
import type { QuantizedKernel, QuantizedOp } from '../../reference/quantized-kernel.ts';
import { convProblem } from '../../reference/testing.ts';
import {
  noSaturationKernel,
  perChannelScaleMisappliedKernel,
  roundHalfAwayKernel,
  xZeroPointIgnoredKernel,
} from '../broken/quantized.ts';
import { currentPropertyConfig } from '../config.ts';
import { judgeQuantizedCase } from '../judge/quantized.ts';
import { runAndJudgeQuantized } from '../judge/run-quantized.ts';
import { type QuantizedCase, quantizedCaseArbitrary } from './case.ts';
import { materializeQuantizedCase, type QuantizedOperands } from './data.ts';

const seed = () => currentPropertyConfig().seed;

/** A property: the kernel's outcome on each generated case is a pass or a skip. */
function passes(kernel: QuantizedKernel, op: QuantizedOp) {
  return fc.asyncProperty(quantizedCaseArbitrary(op), async (c) => {
    const outcome = await runAndJudgeQuantized(kernel, c, materializeQuantizedCase(c));
    return outcome.verdict === 'pass' || outcome.verdict === 'skip';
  });
}

describe('im2col-int8 against the exact oracles', () => {
  it.each(['conv-integer', 'qlinear-conv'] as const)(
    '%s: every generated case passes',
    async (op) => {
      const verdicts: Record<string, number> = {};
      await fc.assert(
        fc.asyncProperty(quantizedCaseArbitrary(op), async (c) => {
          const outcome = await runAndJudgeQuantized(
            im2colInt8Kernel,
            c,
            materializeQuantizedCase(c),
          );
          verdicts[outcome.verdict] = (verdicts[outcome.verdict] ?? 0) + 1;
          expect(outcome.verdict, outcome.details).not.toBe('fail');
          expect(outcome.verdict, outcome.message).not.toBe('error');
        }),
        { numRuns: 60, seed: seed() },
      );
      expect(verdicts.pass).toBeGreaterThan(40);
    },
  );
});

describe('each planted bug fails', () => {
  const planted: [QuantizedOp, QuantizedKernel][] = [
    ['conv-integer', xZeroPointIgnoredKernel],
    ['qlinear-conv', xZeroPointIgnoredKernel],
    ['qlinear-conv', roundHalfAwayKernel],
    ['qlinear-conv', noSaturationKernel],
    ['qlinear-conv', perChannelScaleMisappliedKernel],
  ];
  it.each(planted.map(([op, k]) => [op, k.name, k] as const))('%s: %s', async (op, _name, k) => {
    const result = await fc.check(passes(k, op), { numRuns: 300, seed: seed() });
    expect(result.failed).toBe(true);
  });
});

/** Statistics of the generated QLinearConv cases (what the generator promises). */
function qlinearStatistics(runs: number) {
  const stats = { cases: 0, ends: 0, perChannel: 0, saturated: 0, outputs: 0, powerOfTwo: 0 };
  fc.assert(
    fc.property(quantizedCaseArbitrary('qlinear-conv'), (c) => {
      const o = materializeQuantizedCase(c);
      if (o.op !== 'qlinear-conv') throw new Error('not a qlinear-conv case');
      stats.cases++;
      const { min, max } = QUANTIZED_RANGE[c.xType];
      if (o.params.xZeroPoint === min || o.params.xZeroPoint === max) stats.ends++;
      if (typeof o.params.wScale !== 'number') stats.perChannel++;
      if (Number.isInteger(Math.log2(o.params.xScale))) stats.powerOfTwo++;
      const y = referenceQLinearConv(c.problem, o.x, o.w, o.params, o.bias);
      const range = QUANTIZED_RANGE[o.params.yType!];
      for (const v of y) if (v === range.min || v === range.max) stats.saturated++;
      stats.outputs += y.length;
    }),
    { numRuns: runs, seed: seed() },
  );
  return stats;
}

describe('the quantized generators', () => {
  it('reach zero points at the range ends, per-channel parameters, power-of-two scales and saturation', () => {
    const s = qlinearStatistics(120);
    expect(s.ends / s.cases).toBeGreaterThan(0.25);
    expect(s.perChannel / s.cases).toBeGreaterThan(0.15);
    expect(s.powerOfTwo / s.cases).toBeGreaterThan(0.15);
    expect(s.saturated).toBeGreaterThan(0);
    expect(s.saturated).toBeLessThan(s.outputs);
  });

  it('are a pure function of the case; ConvInteger has no bias; no padding mode', () => {
    fc.assert(
      fc.property(quantizedCaseArbitrary('conv-integer'), (c) => {
        expect(c.problem.bias).toBe(false);
        expect(c.problem.paddingMode).toBeUndefined();
        expect(materializeQuantizedCase(c)).toEqual(materializeQuantizedCase(c));
      }),
      { numRuns: 30, seed: seed() },
    );
  });
});

describe('the quantized judge', () => {
  const c: QuantizedCase = {
    op: 'conv-integer',
    problem: convProblem({ inputSize: [3], kernelSize: [1] }),
    xType: 'uint8',
    wType: 'int8',
    perChannel: false,
    dataSeed: 0,
  };
  const operands: QuantizedOperands = {
    op: 'conv-integer',
    x: Uint8Array.from([10, 200, 30]),
    w: Int8Array.from([3]),
    xZeroPoint: 100,
    wZeroPoint: 1,
  };
  // By hand: (x − 100)·(3 − 1) = −180, 200, −140.
  const judge = (output: unknown, written: string[] = []) =>
    judgeQuantizedCase({ problem: c.problem, operands, output, written, source: 'stored' });

  it('passes the exact result and fails an off-by-one', () => {
    expect(judge(Int32Array.from([-180, 200, -140])).verdict).toBe('pass');
    const off = judge(Int32Array.from([-180, 201, -140]));
    expect(off.verdict).toBe('fail');
    expect(off.details).toContain('[0, 0, 1] got 201 expected 200');
  });

  it('errors on the wrong type, the wrong length and a write into an input', () => {
    expect(judge(Float32Array.from([-180, 200, -140])).message).toContain('expected an Int32Array');
    expect(judge(Int32Array.from([-180, 200])).verdict).toBe('error');
    expect(judge(Int32Array.from([-180, 200, -140]), ['x']).message).toContain('wrote into its x');
  });
});
