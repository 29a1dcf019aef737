/**
 * The property side of the op registry (reference/ops.ts): per op, the problem
 * generator, the case data (operands in call order), the magnitude the error
 * bound multiplies, and benchdnn's mistrust rule. The judge, the CLI's phase
 * groups and the fixtures read ops through these functions only.
 *
 * The forward conv keeps its own machinery (covering arrays, padding modes,
 * layouts, precision ladder, sampling): {@link materializeOpCase} and the
 * others delegate to it for 'conv', so a conv case is the same bits whichever
 * way it is made.
 */
import fc from 'fast-check';
import { isFloatOp, type OpGeometry, type OpName, opEntry } from '../reference/ops.ts';
import type { ConvProblem, DType, FloatArray } from '../reference/problem.ts';
import { mixSeed, mulberry32 } from '../reference/random.ts';
import { type ConvProblemConstraints, convProblemArbitrary } from './arbitraries/convProblem.ts';
import { convTransposeProblemArbitrary } from './arbitraries/convTransposeProblem.ts';
import {
  allocate,
  applyWeightVariant,
  type ConvCase,
  exactDataRange,
  fillExact,
  fillUniform,
  INPUT_SPECIALS,
  MISTRUST_ZERO_FRACTION,
  materializeConvCase,
  mistrustCheck,
  sprinkle,
  type TrustCheck,
  WEIGHT_SPECIALS,
} from './data.ts';

/** The op of a case ('conv' when the case does not say). */
export function caseOp(c: Pick<ConvCase, 'op'>): OpName {
  return c.op ?? 'conv';
}

/**
 * Problems for an op within the conv generator's constraints: the conv
 * generator itself for 'conv'; for the backward passes, the conv generator's
 * problems with no bias and zero padding; for ConvTranspose, the biased
 * generator of properties/arbitraries/convTransposeProblem.ts, within the same
 * ranks, modes and cost budget.
 *
 * @example
 * ```ts
 * fc.sample(opProblemArbitrary('convtranspose', { dims: [2] }), 1)[0].outputPadding;
 * ```
 */
export function opProblemArbitrary(
  op: OpName,
  constraints: ConvProblemConstraints = {},
): fc.Arbitrary<ConvProblem> {
  if (op === 'conv') return convProblemArbitrary(constraints);
  if (op === 'convtranspose') {
    return convTransposeProblemArbitrary({
      ...(constraints.dims ? { dims: constraints.dims } : {}),
      ...(constraints.modes ? { modes: constraints.modes } : {}),
      ...(constraints.bias !== undefined ? { bias: constraints.bias } : {}),
      ...(constraints.maxMacs !== undefined ? { maxMacs: constraints.maxMacs } : {}),
      ...(constraints.allowGroups === false ? { maxGroups: 1 } : {}),
    }) as fc.Arbitrary<ConvProblem>;
  }
  if (!isFloatOp(op)) {
    // ConvInteger has no bias input; both quantized operators pad with x's zero point.
    const bias = op === 'conv-integer' ? false : (constraints.bias ?? 'any');
    return convProblemArbitrary({ ...constraints, bias, paddingModes: ['zeros'] });
  }
  // The backward passes model zero padding only.
  return convProblemArbitrary({ ...constraints, bias: false, paddingModes: ['zeros'] });
}

/**
 * Arbitrary of cases of one op and data kind (the conv case arbitrary's shape).
 *
 * @example
 * ```ts
 * fc.sample(opCaseArbitrary('conv-backward-data', 'exact'), 1)[0].op; // 'conv-backward-data'
 * ```
 */
export function opCaseArbitrary(
  op: OpName,
  data: ConvCase['data'],
  constraints: ConvProblemConstraints = {},
): fc.Arbitrary<ConvCase> {
  return fc.record({
    op: fc.constant(op),
    problem: opProblemArbitrary(op, constraints),
    data: fc.constant(data),
    dataSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
}

/**
 * The op's geometry for a case's problem (validates it).
 *
 * @example
 * ```ts
 * opGeometry({ op: 'convtranspose', problem: p }).outputShape;
 * ```
 */
export function opGeometry(c: Pick<ConvCase, 'op' | 'problem'>): OpGeometry {
  return opEntry(caseOp(c)).geometry(c.problem);
}

/**
 * The operands of a case in call order, in the kernel's dtype. For 'conv' they
 * are {@link materializeConvCase}'s. For the other ops, each operand has its own
 * stream; 'exact' data is nonzero integers whose every partial sum stays below
 * 2^24 for the op's term count (plus one for a bias), 'real' and 'special' as
 * for conv, the specials sprinkled into the 'data' operand (and −0, subnormals
 * into the 'weight' operand), the rare all-zero weight variants on the 'weight'
 * operand. Deterministic, like every case.
 *
 * @example
 * ```ts
 * const [dy, w] = materializeOpCase({ op: 'conv-backward-data', problem: p, data: 'exact', dataSeed: 1 });
 * ```
 */
export function materializeOpCase(c: ConvCase, dtype: DType = 'float32'): FloatArray[] {
  if (!isFloatOp(caseOp(c))) {
    throw new RangeError(
      `${caseOp(c)} takes 8-bit operands: its cases come from properties/quantized/ (materializeQuantizedCase)`,
    );
  }
  if (caseOp(c) === 'conv') {
    const { input, weight, bias } = materializeConvCase(c, dtype);
    return bias ? [input, weight, bias] : [input, weight];
  }
  const g = opGeometry(c);
  const tensors = g.operands.map((o) =>
    allocate(
      dtype,
      o.shape.reduce((a, b) => a * b, 1),
    ),
  );
  const streams = tensors.map((_, s) => mulberry32(mixSeed(c.dataSeed, s)));
  const { range, density } = exactDataRange(g.terms + (g.bias ? 1 : 0));
  const wide = c.data === 'real' && (c.dataSeed >>> 0) % 4 === 3;
  const special = mulberry32(mixSeed(c.dataSeed, 3));
  g.operands.forEach((o, i) => {
    const t = tensors[i]!;
    const next = streams[i]!;
    if (c.data === 'exact') {
      fillExact(
        t,
        next,
        o.role === 'bias' ? range * range : range,
        o.role === 'bias' ? 1 : density,
      );
      return;
    }
    fillUniform(t, next, wide);
    if (c.data === 'real' && c.absolute) t.set(t.map(Math.abs));
    if (c.data === 'special' && o.role === 'data') {
      sprinkle(t, special, INPUT_SPECIALS, dtype, (c.dataSeed >>> 0) % t.length);
    } else if (c.data === 'special' && o.role === 'weight') {
      sprinkle(t, special, WEIGHT_SPECIALS, dtype, -1);
    }
  });
  g.operands.forEach((o, i) => {
    if (o.role === 'weight') applyWeightVariant(tensors[i]!, c, o.shape[0]!);
  });
  return tensors;
}

/**
 * The float64 oracle of a case's op on operands in call order.
 *
 * @example
 * ```ts
 * opOracle(c, materializeOpCase(c)); // length opGeometry(c).outputLength
 * ```
 */
export function opOracle(
  c: Pick<ConvCase, 'op' | 'problem'>,
  operands: readonly ArrayLike<number>[],
): Float64Array {
  return opEntry(caseOp(c)).oracle(c.problem, operands);
}

/**
 * The dot-product magnitude Σ|a·b| + |bias| of every output: every op is a sum
 * of products of one element of each operand (plus a bias), so it is the
 * oracle on the absolute operands. A NaN or infinite operand makes the
 * magnitudes it reaches non-finite, which the comparison reads as "no accuracy
 * requirement beyond the special-value rules".
 *
 * @example
 * ```ts
 * opMagnitude(c, operands); // ≥ |opOracle(c, operands)| elementwise
 * ```
 */
export function opMagnitude(
  c: Pick<ConvCase, 'op' | 'problem'>,
  operands: readonly ArrayLike<number>[],
): Float64Array {
  return opOracle(
    c,
    operands.map((o) => Float64Array.from(o, Math.abs)),
  );
}

/**
 * benchdnn's MISTRUSTED rule for any op: more than 30% zeros among the outputs
 * that sum at least one product (an output no product reaches is legitimately
 * zero or the bias). Which outputs those are is the oracle on all-ones operands
 * (the number of products per output); for 'conv' the conv rule
 * ({@link mistrustCheck}) applies as before.
 *
 * @example
 * ```ts
 * opMistrustCheck(c, opOracle(c, operands)).mistrusted; // false for healthy data
 * ```
 */
export function opMistrustCheck(
  c: Pick<ConvCase, 'op' | 'problem'>,
  reference: ArrayLike<number>,
): TrustCheck {
  if (caseOp(c) === 'conv') return mistrustCheck(c.problem, reference);
  const g = opGeometry(c);
  const ones = g.operands.map((o, i) =>
    // A bias of zero: only products count.
    new Float64Array(o.shape.reduce((a, b) => a * b, 1)).fill(
      g.bias && i === g.operands.length - 1 ? 0 : 1,
    ),
  );
  const terms = opOracle(c, ones);
  let counted = 0;
  let zeros = 0;
  for (let i = 0; i < terms.length; i++) {
    if (terms[i] === 0) continue;
    counted++;
    if (reference[i] === 0) zeros++;
  }
  const zeroFraction = counted === 0 ? 0 : zeros / counted;
  return { counted, zeroFraction, mistrusted: zeroFraction > MISTRUST_ZERO_FRACTION };
}
