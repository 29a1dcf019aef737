/** The report of a phase's shrunk counterexample, built from plain values (pure). */
import type { ConvCase } from '../../../properties/data.ts';
import { caseOp } from '../../../properties/ops.ts';
import { formatSpecials } from '../../../properties/special-placement.ts';
import type { ConvTransposeProblem } from '../../../reference/convTranspose.ts';
import { formatDescriptor, formatOpDescriptor, OPS } from '../../../reference/index.ts';
import { shellQuote } from '../../shell-quote.ts';
import type { CaseOutcome } from '../evaluate.ts';
import type { CaseFailure } from '../results.ts';

/** What fast-check said about the failing run. */
export interface ShrinkRecord {
  seed: number;
  path: string;
  numShrinks: number;
  /** What fast-check caught when the case threw something other than a judged outcome. */
  error: unknown;
}

/**
 * The one-line command that replays a case, with every option that affects its verdict.
 *
 * @example
 * ```ts
 * reproFor('--impl k.mjs', c, false); // "npx convcheck check --impl k.mjs --problem '…' --data real --data-seed 7"
 * ```
 */
export function reproFor(implFlags: string, c: ConvCase, fullOracle: boolean): string {
  const specials = c.specials ? ` --specials ${shellQuote(formatSpecials(c.specials))}` : '';
  const op = caseOp(c);
  // The descriptor's kind (xcorrT, xcorrBD, …) names the op; --ops says it in words too.
  const ops = op === 'conv' ? '' : ` --ops ${op}`;
  return `npx convcheck check ${implFlags}${ops} --problem ${shellQuote(caseDescriptor(c))} --data ${c.data} --data-seed ${c.dataSeed}${specials}${fullOracle ? ' --full' : ''}`;
}

/**
 * The failure report of the shrunk case `c`: its verdict (a wrong value is
 * FAIL, anything else ERROR), descriptor, replay parameters and details.
 *
 * @example
 * ```ts
 * toFailure(c, outcome, { seed, path: '3:1', numShrinks: 4, error }, repro, '').verdict; // 'fail'
 * ```
 */
export function toFailure(
  c: ConvCase,
  outcome: CaseOutcome | undefined,
  shrink: ShrinkRecord,
  repro: string,
  note: string,
): CaseFailure {
  return {
    verdict: outcome?.verdict === 'fail' ? 'fail' : 'error',
    descriptor: caseDescriptor(c),
    ...(caseOp(c) === 'conv' ? {} : { op: caseOp(c) }),
    problem: c.problem,
    data: c.data,
    dataSeed: c.dataSeed,
    ...(c.specials ? { specials: formatSpecials(c.specials) } : {}),
    seed: shrink.seed,
    path: shrink.path,
    message: outcome?.message ?? String(shrink.error),
    details: [
      `fast-check: { seed: ${shrink.seed}, path: "${shrink.path}", endOnFailure: true } (shrunk ${shrink.numShrinks} times)`,
      `problem: ${JSON.stringify(c.problem)}`,
      note,
      outcome?.details ?? '',
    ]
      .filter((s) => s !== '')
      .join('\n'),
    repro,
  };
}

/**
 * A case's descriptor: the conv descriptor, or for another op the op
 * descriptor whose kind suffix names it (reference/opDescriptor.ts).
 *
 * @example
 * ```ts
 * caseDescriptor({ op: 'convtranspose', problem: p, data: 'real', dataSeed: 1 }); // 'xcorrT:…'
 * ```
 */
export function caseDescriptor(c: ConvCase): string {
  const op = caseOp(c);
  if (op === 'conv') return formatDescriptor(c.problem);
  const descriptorOp = OPS[op].descriptorOp;
  return descriptorOp === 'convtranspose'
    ? formatOpDescriptor({ op: descriptorOp, problem: c.problem as ConvTransposeProblem })
    : formatOpDescriptor({ op: descriptorOp as 'bwd-data' | 'bwd-weights', problem: c.problem });
}
