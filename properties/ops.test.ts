import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConvTransposeProblem } from '../reference/convTranspose.ts';
import { FLOAT_OP_NAMES } from '../reference/ops.ts';
import { EXACT_LIMIT, materializeConvCase } from './data.ts';
import {
  materializeOpCase,
  opCaseArbitrary,
  opGeometry,
  opMagnitude,
  opMistrustCheck,
  opOracle,
} from './ops.ts';

const SMALL = { maxMacs: 2_000, dims: [1, 2] as (1 | 2)[] };

describe('the property side of the op registry', () => {
  it.each(FLOAT_OP_NAMES)(
    '%s: generated problems are valid and exact data stays below 2^24',
    (op) => {
      fc.assert(
        fc.property(opCaseArbitrary(op, 'exact', SMALL), (c) => {
          const operands = materializeOpCase(c, 'float32');
          const g = opGeometry(c);
          expect(operands.map((o) => o.length)).toEqual(
            g.operands.map((o) => o.shape.reduce((a, b) => a * b, 1)),
          );
          // Every partial sum in any order is bounded by the magnitude: below 2^24, float32 is exact.
          const magnitude = opMagnitude(c, operands);
          for (const m of magnitude) expect(m).toBeLessThan(EXACT_LIMIT);
          expect(opOracle(c, operands).length).toBe(g.outputLength);
        }),
        { numRuns: 20 },
      );
    },
  );

  it("conv cases are the conv materializer's bits", () => {
    const c = {
      problem: fc.sample(opCaseArbitrary('conv', 'real', SMALL), { seed: 3, numRuns: 1 })[0]!
        .problem,
      data: 'real' as const,
      dataSeed: 9,
    };
    const { input, weight, bias } = materializeConvCase(c);
    expect(materializeOpCase(c)).toEqual(bias ? [input, weight, bias] : [input, weight]);
  });

  it('is deterministic and puts special values into the data operand', () => {
    const [c] = fc.sample(opCaseArbitrary('conv-backward-data', 'special', SMALL), {
      seed: 5,
      numRuns: 1,
    });
    const a = materializeOpCase(c!);
    expect(materializeOpCase(c!)).toEqual(a);
    const special = (v: number) =>
      !Number.isFinite(v) || Object.is(v, -0) || (v !== 0 && Math.abs(v) < 2 ** -126);
    expect(a[0]!.some(special)).toBe(true);
    expect(a[1]!.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('ConvTranspose problems carry an outputPadding, backward problems no bias', () => {
    const t = fc.sample(opProblemSample('convtranspose'), 30);
    expect(t.some((p) => (p as ConvTransposeProblem).outputPadding.some((v) => v > 0))).toBe(true);
    expect(fc.sample(opProblemSample('conv-backward-weights'), 30).every((p) => !p.bias)).toBe(
      true,
    );
  });

  it("mistrusts an all-zero answer and trusts the oracle's", () => {
    const c = {
      op: 'convtranspose' as const,
      problem: {
        ...fc.sample(opCaseArbitrary('convtranspose', 'exact', SMALL), { seed: 7, numRuns: 1 })[0]!
          .problem,
      },
      data: 'exact' as const,
      dataSeed: 40,
    };
    const reference = opOracle(c, materializeOpCase(c));
    expect(opMistrustCheck(c, reference).mistrusted).toBe(false);
    expect(opMistrustCheck(c, new Float64Array(reference.length)).mistrusted).toBe(true);
  });
});

function opProblemSample(op: (typeof FLOAT_OP_NAMES)[number]) {
  return opCaseArbitrary(op, 'real', SMALL).map((c) => c.problem);
}
