/**
 * Where a generated phase draws its cases: the suite's budget, the kernel's
 * domain, the family filters and --dims; the covering-array cases first.
 */
import fc from 'fast-check';
import {
  type ConvProblemConstraints,
  convProblemArbitrary,
} from '../../../properties/arbitraries/convProblem.ts';
import { coveringCases } from '../../../properties/arbitraries/coverage.ts';
import type { ConvCase, DataKind } from '../../../properties/data.ts';
import { opProblemArbitrary } from '../../../properties/ops.ts';
import type { OpName } from '../../../reference/ops.ts';
import { familyConstraints, inGroupFamily } from '../families.ts';
import type { CheckTarget, RunOptions } from '../runner.ts';

/** Where a phase generates problems: the suite's budget, the kernel's domain and --dims. */
function phaseConstraints(target: CheckTarget, options: RunOptions): ConvProblemConstraints {
  return {
    maxMacs: options.suite.maxMacs,
    ...target.tolerance.constraints,
    ...familyConstraints(options.family ?? {}),
    dims: phaseDims(target, options),
  };
}

/** The ranks to generate: --dims, narrowed to the kernel's domain when it declares one. */
export function phaseDims(target: CheckTarget, options: RunOptions): (1 | 2 | 3)[] {
  const domain = target.tolerance.constraints.dims;
  return domain ? options.dims.filter((d) => domain.includes(d)) : options.dims;
}

/**
 * The covering-array cases a phase runs first (this shard's share of them), as
 * fast-check examples: they count within the phase's runs and shrink like generated ones.
 */
export function coveringExamples(
  target: CheckTarget,
  data: DataKind,
  seed: number,
  options: RunOptions,
): [ConvCase][] {
  // Shards are numbered from 1 (--shard i/n): case i goes to shard (i mod n) + 1.
  const { index, count } = options.shard;
  const family = options.family ?? {};
  const fitProblem = target.tolerance.fitProblem;
  return coveringCases(data, phaseConstraints(target, options), seed)
    .map((c) => (fitProblem ? { ...c, problem: fitProblem(c.problem) } : c))
    .filter(
      (c, i) => (i % count) + 1 === index && (!family.groups || inGroupFamily(family, c.problem)),
    )
    .map((c) => [c]);
}

/** The generated cases of a phase: a problem in its space, the data kind, a data seed. */
export function caseArbitrary(
  target: CheckTarget,
  data: DataKind,
  options: RunOptions,
  op: OpName = 'conv',
): fc.Arbitrary<ConvCase> {
  const family = options.family ?? {};
  const constraints = phaseConstraints(target, options);
  const fitProblem = target.tolerance.fitProblem;
  // A built-in's problem fit (its library's border convention) is the forward conv's.
  const problem =
    op === 'conv'
      ? fitProblem
        ? convProblemArbitrary(constraints).map(fitProblem)
        : convProblemArbitrary(constraints)
      : opProblemArbitrary(op, constraints);
  return fc.record({
    ...(op === 'conv' ? {} : { op: fc.constant(op) }),
    problem: family.groups ? problem.filter((p) => inGroupFamily(family, p)) : problem,
    data: fc.constant(data),
    dataSeed: fc.noShrink(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
  });
}
