/**
 * `check --save-failures DIR`: writes a shrunk counterexample as a one-case
 * regression fixture, so `convcheck fixtures verify` replays it in CI.
 */
import { boundParameters } from '../../properties/tolerance.ts';
import { saveFailureFixture } from '../fixtures/failure.ts';
import { isFloatOpFixture } from '../fixtures/manifest.ts';
import type { CaseOutcome } from './evaluate.ts';
import type { CaseFailure } from './results.ts';

/**
 * Saves one failure; returns the fixture directory, or undefined when the case
 * never produced operands (e.g. an error before the kernel ran).
 *
 * @example
 * ```ts
 * const dir = await saveFailure('regressions', failure, outcome);
 * ```
 */
export async function saveFailure(
  parent: string,
  failure: CaseFailure,
  outcome: CaseOutcome,
): Promise<string | undefined> {
  // ConvTranspose and the backward passes are saved as their op's fixture; the quantized
  // failures keep their repro line only.
  const op = failure.op === undefined || failure.op === 'conv' ? undefined : failure.op;
  if (op !== undefined && !isFloatOpFixture(op)) {
    throw new Error(
      `--save-failures writes no ${op} fixture yet (the quantized judge keeps no operands); replay it with its repro line`,
    );
  }
  if (!outcome.operands || !outcome.reference || !outcome.model) return undefined;
  const dtype = outcome.operands.input instanceof Float64Array ? 'float64' : 'float32';
  const params = boundParameters(failure.problem, dtype, outcome.model, op);
  return saveFailureFixture({
    dir: parent,
    problem: failure.problem,
    input: outcome.operands.input,
    weight: outcome.operands.weight,
    ...(outcome.operands.bias ? { bias: outcome.operands.bias } : {}),
    output: outcome.reference,
    ...(outcome.magnitude ? { magnitude: outcome.magnitude } : {}),
    // A 16-bit kernel's case keeps its operands in the storage type, judged by its class.
    ...(outcome.storage ? { storage: outcome.storage } : {}),
    bound: {
      model: params.precision ?? params.model,
      unitRoundoff: params.unitRoundoff,
      ksb: params.ksb,
      factor: params.factor,
      // The underflow floor makes verify judge exactly as check did.
      normalMin: params.normalMin,
    },
    note: `${failure.message}; repro: ${failure.repro}`,
    seed: failure.seed,
    ...(op ? { op } : {}),
  });
}
