/**
 * The judge's rules for the quantized operators (ONNX ConvInteger, QLinearConv):
 * the same order as judgeCase's (judge.ts), on integer outputs.
 *
 * 1. Output type: ConvInteger returns an Int32Array; QLinearConv an Int8Array or a
 *    Uint8Array, of its y type. Anything else, or the wrong length, is an error.
 * 2. Input writes: a kernel that changed any byte of x, w or the bias is an error.
 * 3. Comparison with the exact oracle: ConvInteger must match referenceConvInteger
 *    bit for bit; QLinearConv must lie in qlinearConvBounds — the exact result, or
 *    ±1 only next to a rounding tie a floating-point rescale may miss
 *    (docs/quantized.md). Anything else is a failure.
 * 4. Mistrust (benchdnn's MISTRUSTED): a passing case on generated data whose
 *    exact accumulators are mostly zero tested little; it is a skip.
 *
 * `boundRatio` is the largest distance outside the admissible range, in output units
 * (0 on a pass): an exact integer bound has no ratio.
 */
import { convGeometry } from '../../reference/geometry.ts';
import type { ConvProblem } from '../../reference/problem.ts';
import { referenceConvInteger } from '../../reference/quantized.ts';
import { qlinearConvBounds } from '../../reference/quantized-bounds.ts';
import { mistrustCheck } from '../data.ts';
import type { QuantizedOperands } from '../quantized/data.ts';
import { coordsOf } from '../tolerance/compare.ts';
import { type CaseOutcome, type DataSource, earlyOutcome, MISTRUSTED_MESSAGE } from './judge.ts';

/** Everything the judge needs to know about one run of one quantized case. */
export interface QuantizedJudgeInput {
  problem: ConvProblem;
  /** The operands as they were before the kernel ran. */
  operands: QuantizedOperands;
  /** What the kernel returned (checked: any value may come back). */
  output: unknown;
  /** Operands the kernel wrote into ({@link writtenQuantizedOperands}). */
  written: readonly string[];
  /** Default 'generated'. */
  source?: DataSource;
}

// Where the quantized hosts' copies and write checks live too (a kernel's process loads no judge).
export { copyQuantizedOperands, writtenQuantizedOperands } from '../quantized/data.ts';

/** What each output must be: the exact value and the admissible range around it. */
interface Expectation {
  expected: ArrayLike<number>;
  low: ArrayLike<number>;
  high: ArrayLike<number>;
  /** The exact int32 accumulators (bias included), for reports and mistrust. */
  accumulators: Int32Array;
  outputType: 'Int32Array' | 'Int8Array' | 'Uint8Array';
  rule: string;
}

function expectationOf(problem: ConvProblem, o: QuantizedOperands): Expectation {
  if (o.op === 'conv-integer') {
    const exact = referenceConvInteger(problem, o.x, o.w, o.xZeroPoint, o.wZeroPoint);
    const rule = 'exact int32 (referenceConvInteger)';
    return {
      expected: exact,
      low: exact,
      high: exact,
      accumulators: exact,
      outputType: 'Int32Array',
      rule,
    };
  }
  const b = qlinearConvBounds(problem, o.x, o.w, o.params, o.bias);
  const p = o.params;
  const plain = referenceConvInteger(
    { ...problem, bias: false },
    o.x,
    o.w,
    p.xZeroPoint,
    p.wZeroPoint,
  );
  const perChannelOutputs = plain.length / (problem.batch * problem.outChannels);
  const accumulators = o.bias
    ? plain.map((s, i) => s + o.bias![Math.floor(i / perChannelOutputs) % problem.outChannels]!)
    : plain;
  return {
    ...b,
    accumulators,
    outputType: b.expected instanceof Int8Array ? 'Int8Array' : 'Uint8Array',
    rule: 'exact, or ±1 only next to a rounding tie a float rescale may miss (docs/quantized.md)',
  };
}

function typeName(value: unknown): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

/** How many of the worst elements a failure lists. */
const WORST_LISTED = 5;

/**
 * Decides one quantized case's verdict (see the module comment for the rules).
 *
 * @example
 * ```ts
 * const before = copyQuantizedOperands(operands);
 * const output = await kernel.qlinearConv!(p, operands.x, operands.w, operands.params, operands.bias);
 * judgeQuantizedCase({ problem: p, operands: before, output, written: writtenQuantizedOperands(before, operands) });
 * ```
 */
export function judgeQuantizedCase(input: QuantizedJudgeInput): CaseOutcome {
  const { problem, operands, output } = input;
  const e = expectationOf(problem, operands);
  if (typeName(output) !== e.outputType) {
    return earlyOutcome(
      'error',
      `the kernel returned a ${typeName(output)}, expected an ${e.outputType}`,
    );
  }
  if (input.written.length > 0) {
    return earlyOutcome('error', `the kernel wrote into its ${input.written.join(' and ')}`);
  }
  const got = output as ArrayLike<number>;
  if (got.length !== e.expected.length) {
    return earlyOutcome(
      'error',
      `the kernel returned ${got.length} outputs, expected ${e.expected.length}`,
    );
  }
  const outside: { index: number; distance: number }[] = [];
  for (let i = 0; i < got.length; i++) {
    const v = got[i]!;
    const distance = v < e.low[i]! ? e.low[i]! - v : v > e.high[i]! ? v - e.high[i]! : 0;
    if (distance > 0) outside.push({ index: i, distance });
  }
  if (outside.length > 0) {
    outside.sort((a, b) => b.distance - a.distance || a.index - b.index);
    const worst = outside[0]!;
    const message = `${outside.length} of ${got.length} outputs outside the bound (${e.rule}); largest miss ${worst.distance}`;
    const shape = convGeometry(problem).outputShape;
    const lines = [
      `  verdict:  fail: ${message}`,
      `  bound:    ${e.rule}`,
      `  worst elements ([n, c, spatial…]):`,
    ];
    for (const { index } of outside.slice(0, WORST_LISTED)) {
      const range =
        e.low[index] === e.high[index] ? '' : ` (admissible ${e.low[index]}..${e.high[index]})`;
      lines.push(
        `    [${coordsOf(index, shape).join(', ')}] got ${got[index]} expected ${e.expected[index]}${range}, accumulator ${e.accumulators[index]}`,
      );
    }
    return { verdict: 'fail', message, details: lines.join('\n'), boundRatio: worst.distance };
  }
  if ((input.source ?? 'generated') === 'generated') {
    const trust = mistrustCheck(problem, e.accumulators);
    if (trust.mistrusted) {
      return {
        ...earlyOutcome('skip', MISTRUSTED_MESSAGE),
        mistrustedZeroFraction: trust.zeroFraction,
      };
    }
  }
  return { verdict: 'pass', message: '', details: '', boundRatio: 0 };
}
