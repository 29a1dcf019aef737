/**
 * Runs a peer adapter (onnxruntime-node, TensorFlow.js) on one of the shared
 * peer cases (impl/peers/test-problems.ts) and asks the judge
 * (properties/judge/judge.ts) for the verdicts, exactly as `convcheck check`
 * would: uniform data under the float32 dot-product bound, integer data
 * bit-exact, and no write into the inputs. It lives in properties/ because
 * impl/ may not import the judge.
 */
import { type PeerCase, type PeerData, peerData } from '../../impl/peers/test-problems.ts';
import type { ConvKernel, ConvProblem } from '../../reference/problem.ts';
import type { ConvOperands, DataKind } from '../data.ts';
import type { CaseOutcome } from '../judge/judge.ts';
import { runAndJudge } from '../judge/run.ts';

/** What one kernel did on one case, judged. */
export interface PeerOutcome {
  /** Uniform data in [−1, 1), under the dot-product bound. */
  uniform: CaseOutcome;
  /** Integers in [−4, 4]: every partial sum exact, so bit-exact is demanded. */
  integer: CaseOutcome;
}

function operandsOf(d: PeerData): ConvOperands {
  return d.bias === undefined
    ? { input: d.input, weight: d.weight }
    : { input: d.input, weight: d.weight, bias: d.bias };
}

/**
 * Runs a kernel on given operands as the peer tests do (stored data: never
 * mistrusted; the dot-product model, bit-exact on 'exact' data) and judges it.
 *
 * @example
 * ```ts
 * const outcome = await judgePeerRun(kernel, p, { input, weight }, 'real');
 * ```
 */
export function judgePeerRun(
  kernel: ConvKernel,
  problem: ConvProblem,
  operands: ConvOperands,
  data: DataKind,
): Promise<CaseOutcome> {
  const model = { kind: 'dot-product' } as const;
  return runAndJudge(kernel, { problem, operands, model, data, source: 'stored' });
}

/**
 * Runs a kernel on a case with uniform and with integer data and judges both.
 *
 * @example
 * ```ts
 * const outcome = await runPeerCase(ortKernel, peerCases[0]);
 * expect(outcome.uniform.verdict).toBe('pass');
 * ```
 */
export async function runPeerCase(kernel: ConvKernel, c: PeerCase, seed = 1): Promise<PeerOutcome> {
  return {
    uniform: await judgePeerRun(
      kernel,
      c.problem,
      operandsOf(peerData(c.problem, 'uniform', seed)),
      'real',
    ),
    integer: await judgePeerRun(
      kernel,
      c.problem,
      operandsOf(peerData(c.problem, 'integer', seed + 1)),
      'exact',
    ),
  };
}

/**
 * Both verdicts of a peer outcome with their messages, for one assertion that
 * prints why when it fails.
 *
 * @example
 * ```ts
 * expect(peerVerdicts(await runPeerCase(kernel, c))).toEqual(ALL_PASS);
 * ```
 */
export function peerVerdicts(outcome: PeerOutcome): Record<keyof PeerOutcome, string> {
  const line = (o: CaseOutcome) => (o.message === '' ? o.verdict : `${o.verdict}: ${o.message}`);
  return { uniform: line(outcome.uniform), integer: line(outcome.integer) };
}

/** {@link peerVerdicts} of a case that passes both checks. */
export const ALL_PASS: Record<keyof PeerOutcome, string> = { uniform: 'pass', integer: 'pass' };
