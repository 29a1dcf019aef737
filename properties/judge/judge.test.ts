import { describe, expect, it } from 'vitest';
import { referenceConv } from '../../reference/conv.ts';
import { convProblem } from '../../reference/testing.ts';
import type { ConvOperands } from '../data.ts';
import { copyOperands, type JudgeInput, judgeCase, writtenOperands } from './judge.ts';

const p = convProblem({ inChannels: 2, outChannels: 2, inputSize: [4, 4], kernelSize: [2, 2] });

/** Integer operands (exact sums) scaled by `scale`. */
function operands(scale: number): ConvOperands {
  const fill = (n: number, k: number) =>
    Float32Array.from({ length: n }, (_, i) => ((i * k) % 7) - 3 || 1);
  return { input: fill(32, 3).map((v) => v * scale), weight: fill(16, 5) };
}

function input(ops: ConvOperands, over: Partial<JudgeInput> = {}): JudgeInput {
  return {
    problem: p,
    dtype: 'float32',
    operands: ops,
    output: Float32Array.from(referenceConv(p, ops.input, ops.weight)),
    written: [],
    model: { kind: 'dot-product' },
    data: 'exact',
    // Hand-made data: never mistrusted (the mistrust rule has its own test).
    source: 'stored',
    ...over,
  };
}

/** The oracle's output with one element nudged by one float32 ulp. */
function oneUlpOff(ops: ConvOperands): Float32Array {
  const y = Float32Array.from(referenceConv(p, ops.input, ops.weight));
  const i = y.findIndex((v) => v !== 0);
  y[i] = y[i]! + Math.abs(y[i]!) * 2 ** -23;
  return y;
}

describe('judgeCase, rule 3: bit-exact on exact data', () => {
  it('demands bit-exact output while every magnitude is below 2^24', () => {
    const ops = operands(1);
    expect(judgeCase(input(ops)).verdict).toBe('pass');
    const outcome = judgeCase(input(ops, { output: oneUlpOff(ops) }));
    expect([outcome.verdict, outcome.model?.kind]).toEqual(['fail', 'exact']);
  });

  it('falls back to the dot-product bound when a magnitude reaches 2^24', () => {
    const ops = operands(2 ** 22);
    const outcome = judgeCase(input(ops, { output: oneUlpOff(ops) }));
    expect([outcome.verdict, outcome.model?.kind]).toEqual(['pass', 'dot-product']);
  });

  it('keeps the dot-product bound with exactOnExactData: false, and on real data', () => {
    const ops = operands(1);
    expect(judgeCase(input(ops, { output: oneUlpOff(ops), exactOnExactData: false })).verdict).toBe(
      'pass',
    );
    expect(judgeCase(input(ops, { output: oneUlpOff(ops), data: 'real' })).verdict).toBe('pass');
  });
});

describe('judgeCase, rules 1 and 2: output type and input writes', () => {
  it('is an error for an output of another dtype, or a plain array', () => {
    const ops = operands(1);
    const good = input(ops).output as Float32Array;
    expect(judgeCase(input(ops, { output: Float64Array.from(good) })).verdict).toBe('error');
    expect(judgeCase(input(ops, { output: Array.from(good) })).message).toMatch(/returned a Array/);
  });

  it('is an error when the kernel wrote into its inputs, whatever its output', () => {
    const outcome = judgeCase(input(operands(1), { written: ['weight'] }));
    expect([outcome.verdict, outcome.message]).toEqual([
      'error',
      'the kernel wrote into its weight',
    ]);
  });

  it('writtenOperands compares bytes: −0 over +0 and a bias appearing count', () => {
    const ops: ConvOperands = { input: new Float32Array([0, 1]), weight: new Float32Array([2]) };
    const before = copyOperands(ops);
    expect(writtenOperands(before, ops)).toEqual([]);
    ops.input[0] = -0;
    ops.bias = new Float32Array([1]);
    expect(writtenOperands(before, ops)).toEqual(['input', 'bias']);
  });
});

describe('judgeCase, boundDtype', () => {
  it('judges a float64 kernel by a float32 bound when asked', () => {
    const ops = operands(1);
    const exact = referenceConv(p, ops.input, ops.weight);
    const off = Float64Array.from(exact, (v) => v + 1e-7 * Math.abs(v));
    const judged = { output: off, dtype: 'float64', data: 'real' } as const;
    expect(judgeCase(input(ops, judged)).verdict).toBe('fail');
    expect(judgeCase(input(ops, { ...judged, boundDtype: 'float32' })).verdict).toBe('pass');
  });
});
