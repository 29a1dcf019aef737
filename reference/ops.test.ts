import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConvTransposeProblem } from './convTranspose.ts';
import { fractionToNumber } from './exact.ts';
import {
  FLOAT_OP_NAMES,
  implementedOps,
  OP_NAMES,
  OPS,
  opEntry,
  opOfDescriptor,
  parseOpList,
} from './ops.ts';
import type { ConvProblem } from './problem.ts';
import { convProblem, errorOf, integerData, smallConvProblemArbitrary } from './testing.ts';

const volume = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A small problem every op accepts: no bias, zero padding; plus outputPadding for ConvTranspose. */
function problemFor(op: string, p: ConvProblem): ConvProblem {
  const base = { ...p, bias: false };
  delete base.paddingMode;
  if (op !== 'convtranspose') return base;
  return {
    ...base,
    outputPadding: p.stride.map((s, i) => (s > 1 ? 1 : p.dilation[i]! > 1 ? 1 : 0)),
  } as ConvTransposeProblem;
}

function operandsFor(op: string, p: ConvProblem, seed: number): number[][] {
  return OPS[op as keyof typeof OPS]
    .geometry(p)
    .operands.map((o, i) => integerData(volume(o.shape), seed + i, 4));
}

/** The most products any one output of the op sums: the oracle on all-ones operands. */
function largestTermCount(op: string, p: ConvProblem): number {
  const entry = opEntry(op);
  const ones = entry.geometry(p).operands.map((o) => new Array(volume(o.shape)).fill(1));
  return Math.max(0, ...entry.oracle(p, ones));
}

/** A valid problem, kept small and without padding that empties the ConvTranspose output. */
const small = smallConvProblemArbitrary().filter((p) => {
  try {
    for (const op of FLOAT_OP_NAMES) OPS[op].geometry(problemFor(op, p));
    return true;
  } catch {
    return false;
  }
});

describe('the op registry', () => {
  it('lists every op under its own name, with a distinct contract method and descriptor kind', () => {
    expect(OP_NAMES.map((n) => OPS[n].name)).toEqual([...OP_NAMES]);
    expect(new Set(OP_NAMES.map((n) => OPS[n].method)).size).toBe(OP_NAMES.length);
    for (const n of OP_NAMES) expect(opOfDescriptor(OPS[n].descriptorOp)).toBe(n);
  });

  it.each(FLOAT_OP_NAMES)(
    '%s: the oracle gives the geometry output length, and the exact oracle agrees on integers',
    (op) => {
      fc.assert(
        fc.property(small, fc.integer({ min: 0, max: 1000 }), (raw, seed) => {
          const p = problemFor(op, raw);
          const entry = OPS[op];
          const g = entry.geometry(p);
          expect(g.outputLength).toBe(volume(g.outputShape));
          const operands = operandsFor(op, p, seed);
          const y = entry.oracle(p, operands);
          expect(y.length).toBe(g.outputLength);
          expect(entry.exact(p, operands).map(fractionToNumber)).toEqual([...y]);
        }),
        { numRuns: 15 },
      );
    },
  );

  it.each(FLOAT_OP_NAMES)(
    '%s: the term count bounds the products of every output, and is reached',
    (op) => {
      fc.assert(
        fc.property(small, (raw) => {
          const p = problemFor(op, raw);
          const counted = largestTermCount(op, p);
          const { terms } = OPS[op].geometry(p);
          expect(counted).toBeLessThanOrEqual(terms);
          return true;
        }),
        { numRuns: 25 },
      );
    },
  );

  it('the term-count check fails on an undercount (the conv reduction length used for backward weights)', () => {
    const p = convProblem({ inputSize: [5], kernelSize: [2], batch: 2 });
    const conv = OPS.conv.geometry(p).terms;
    // dw sums over 2 batches × 4 outputs: the conv's 2 taps are far too few.
    expect(largestTermCount('conv-backward-weights', p)).toBeGreaterThan(conv);
    expect(OPS['conv-backward-weights'].geometry(p).terms).toBe(8);
  });

  it('counts the ConvTranspose taps that can meet at one output (stride 2, kernel 3: 2 of 3)', () => {
    const p = {
      ...convProblem({ inputSize: [4], kernelSize: [3], stride: [2] }),
      outputPadding: [1],
    };
    expect(OPS.convtranspose.geometry(p).terms).toBe(2);
    expect(largestTermCount('convtranspose', p)).toBe(2);
  });

  it('names the operands and outputs as the contract does', () => {
    const p = convProblem({ inputSize: [4], kernelSize: [2], inChannels: 2, outChannels: 3 });
    const names = (op: (typeof OP_NAMES)[number]) => {
      const t: ConvTransposeProblem = { ...p, outputPadding: [0] };
      const g = OPS[op].geometry(op === 'convtranspose' ? t : p);
      return [
        ...g.operands.map((o) => `${o.name}[${o.shape}]`),
        `${g.outputName}[${g.outputShape}]`,
      ];
    };
    expect(names('conv')).toEqual(['input[1,2,4]', 'weight[3,2,2]', 'output[1,3,3]']);
    expect(names('convtranspose')).toEqual(['input[1,2,4]', 'weight[2,3,2]', 'output[1,3,5]']);
    expect(names('conv-backward-data')).toEqual([
      'outputGradient[1,3,3]',
      'weight[3,2,2]',
      'inputGradient[1,2,4]',
    ]);
    expect(names('conv-backward-weights')).toEqual([
      'input[1,2,4]',
      'outputGradient[1,3,3]',
      'weightGradient[3,2,2]',
    ]);
  });

  it('refuses what an op cannot take, naming the field', () => {
    const p = convProblem({ inputSize: [4], kernelSize: [2] });
    expect(errorOf(() => OPS['conv-backward-data'].geometry({ ...p, bias: true })).field).toBe(
      'ConvProblem.bias',
    );
    expect(
      errorOf(() =>
        OPS['conv-backward-weights'].geometry({ ...p, padBegin: [1], paddingMode: 'reflect' }),
      ).field,
    ).toBe('ConvProblem.paddingMode');
    expect(errorOf(() => OPS.convtranspose.geometry(p)).field).toMatch(/outputPadding/);
    expect(errorOf(() => opEntry('deconv')).field).toBe('op');
  });

  it('parses op lists in registry order and names an unknown op', () => {
    expect(parseOpList('convtranspose,conv')).toEqual(['conv', 'convtranspose']);
    expect(errorOf(() => parseOpList('conv,bwd')).message).toMatch(/ops must be .*got "bwd"/);
  });

  it('finds the ops a kernel object implements by its methods', () => {
    const noop = () => new Float32Array(0);
    expect(implementedOps({ name: 'k', conv: noop })).toEqual(['conv']);
    expect(
      implementedOps({ name: 'k', conv: noop, convBackwardWeights: noop, convTranspose: 3 }),
    ).toEqual(['conv', 'conv-backward-weights']);
  });
});
