/**
 * Minimal special-value placement. A special-data counterexample is shrunk in
 * two stages: fast-check shrinks the problem (the data follow from the seed),
 * then the non-finite values are shrunk on their own: as few as possible, at
 * the earliest positions, on the 'real' values of the same seed. The placement
 * is part of the case (`ConvCase.specials`) and of its repro (`--specials`).
 */
import type { PlacedSpecial } from './data.ts';

/** The placed special of a non-finite number, or undefined for a finite one. */
export function placedValue(v: number): PlacedSpecial['value'] | undefined {
  if (Number.isNaN(v)) return 'nan';
  if (v === Number.POSITIVE_INFINITY) return 'inf';
  if (v === Number.NEGATIVE_INFINITY) return '-inf';
  return undefined;
}

/**
 * The `--specials` text of a placement.
 *
 * @example
 * ```ts
 * formatSpecials([{ tensor: 'input', index: 0, value: 'inf' }]); // 'input:0=inf'
 * ```
 */
export function formatSpecials(specials: readonly PlacedSpecial[]): string {
  return specials.map((s) => `${s.tensor}:${s.index}=${s.value}`).join(',');
}

/**
 * Parses a `--specials` text; throws a RangeError naming the bad entry.
 *
 * @example
 * ```ts
 * parseSpecials('input:0=inf,weight:3=-inf').length; // 2
 * ```
 */
export function parseSpecials(text: string): PlacedSpecial[] {
  if (text.trim() === '') return [];
  return text.split(',').map((entry) => {
    const m = /^(input|weight):(\d+)=(nan|inf|-inf)$/.exec(entry.trim());
    if (!m) {
      throw new RangeError(
        `--specials entries must look like input:0=inf or weight:3=nan, got '${entry}'`,
      );
    }
    return {
      tensor: m[1] as PlacedSpecial['tensor'],
      index: Number(m[2]),
      value: m[3] as PlacedSpecial['value'],
    };
  });
}

/** Most re-runs spent moving one value toward the start of its tensor. */
const MAX_MOVES_PER_VALUE = 24;

/**
 * Shrinks a placement: drops each value the failure does not need, then moves
 * each remaining one to the earliest free position that still fails.
 * `stillFails` re-runs the kernel; every kept step is a run that failed.
 *
 * @example
 * ```ts
 * const minimal = await shrinkPlacement(start, async (p) => (await judge(p)) === 'fail');
 * ```
 */
export async function shrinkPlacement(
  start: readonly PlacedSpecial[],
  stillFails: (placement: PlacedSpecial[]) => Promise<boolean>,
): Promise<PlacedSpecial[]> {
  let current = [...start];
  for (let i = current.length - 1; i >= 0; i--) {
    const without = current.filter((_, j) => j !== i);
    if (await stillFails(without)) current = without;
  }
  for (let i = 0; i < current.length; i++) {
    const s = current[i]!;
    const taken = new Set(current.filter((o) => o.tensor === s.tensor).map((o) => o.index));
    const limit = Math.min(s.index, MAX_MOVES_PER_VALUE);
    for (let index = 0; index < limit; index++) {
      if (taken.has(index)) continue;
      const moved = current.map((o, j) => (j === i ? { ...o, index } : o));
      if (await stillFails(moved)) {
        current = moved;
        break;
      }
    }
  }
  return current;
}
