/**
 * The second shrinking stage of special-data failures: once fast-check has
 * made the problem minimal, the non-finite values are made minimal too (fewest,
 * earliest), by re-running the kernel on explicit placements.
 */
import type { ConvCase, PlacedSpecial } from '../../properties/data.ts';
import {
  formatSpecials,
  placedValue,
  shrinkPlacement,
} from '../../properties/special-placement.ts';
import type { FloatArray } from '../../reference/index.ts';
import { type CaseOutcome, evaluateCase, type ToleranceChoice } from './evaluate.ts';
import type { KernelHost } from './hosts/index.ts';

/** Every non-finite value of the case's input and weight, in order. */
function nonFinite(operands: { input: FloatArray; weight: FloatArray }): PlacedSpecial[] {
  const found: PlacedSpecial[] = [];
  for (const tensor of ['input', 'weight'] as const) {
    operands[tensor].forEach((v, index) => {
      const value = placedValue(v);
      if (value) found.push({ tensor, index, value });
    });
  }
  return found;
}

/** A special-data failure with its placement shrunk, and the line that says so. */
export interface MinimalSpecials {
  c: ConvCase;
  outcome: CaseOutcome;
  note: string;
}

/**
 * Shrinks the special-value placement of a failing special-data case. Returns
 * undefined when the case is not one (or when the failure needs the finite
 * specials, −0 or subnormals, that an explicit placement leaves out).
 *
 * @example
 * ```ts
 * const minimal = await minimalSpecials(host, c, outcome, tolerance, 5000);
 * minimal?.c.specials; // e.g. [{ tensor: 'weight', index: 0, value: 'inf' }]
 * ```
 */
export async function minimalSpecials(
  host: KernelHost,
  c: ConvCase,
  outcome: CaseOutcome,
  tolerance: ToleranceChoice,
  timeoutMs: number,
): Promise<MinimalSpecials | undefined> {
  if (c.data !== 'special' || outcome.verdict !== 'fail' || !outcome.operands) return undefined;
  const judge = (specials: PlacedSpecial[]) =>
    evaluateCase(host, { ...c, specials }, tolerance, { timeoutMs, checkDeterminism: false });
  const start = nonFinite(outcome.operands);
  if ((await judge(start)).verdict !== 'fail') return undefined;
  const placement = await shrinkPlacement(start, async (p) => (await judge(p)).verdict === 'fail');
  const final = await judge(placement);
  if (final.verdict !== 'fail') return undefined;
  const shown = placement.length > 0 ? ` (${formatSpecials(placement)})` : '';
  return {
    c: { ...c, specials: placement },
    outcome: final,
    note: `special values: ${placement.length} non-finite${shown}, shrunk from ${start.length}, on the seed's uniform values`,
  };
}
