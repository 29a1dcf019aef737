/**
 * Parsing of `convcheck check` option values. Each parser throws a UsageError
 * that names the option and the bad value (exit code 2).
 */
import { mixSeed } from '../../reference/random.ts';
import { UsageError } from '../cli-error.ts';

/** Longest delay a Node timer honours (2^31 − 1 ms, ~24.8 days); longer ones fire after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A non-negative integer option within [min, max].
 *
 * @example
 * ```ts
 * parseIntegerOption('--runs', '200', 1); // 200
 * ```
 */
export function parseIntegerOption(
  option: string,
  text: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${option} must be an integer in [${min}, ${max}], got '${text}'`);
  }
  return value;
}

/**
 * A fast-check seed: any 32-bit signed integer.
 *
 * @example
 * ```ts
 * parseSeed('-12'); // -12
 * ```
 */
export function parseSeed(text: string): number {
  return parseIntegerOption('--seed', text, -(2 ** 31), 2 ** 31 - 1);
}

/**
 * `--shard i/n` with 1 ≤ i ≤ n.
 *
 * @example
 * ```ts
 * parseShard('2/4'); // { index: 2, count: 4 }
 * ```
 */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard must be i/n with 1 ≤ i ≤ n (e.g. 1/4), got '${text}'`);
  }
  return { index, count };
}

/**
 * `--dims 1,2,3`: a non-empty subset of {1, 2, 3}.
 *
 * @example
 * ```ts
 * parseDims('2,3'); // [2, 3]
 * ```
 */
export function parseDims(text: string): (1 | 2 | 3)[] {
  const parts = text.split(',').map((s) => s.trim());
  const dims = parts.map(Number);
  if (
    parts.length === 0 ||
    dims.some((d) => d !== 1 && d !== 2 && d !== 3) ||
    new Set(dims).size !== dims.length
  ) {
    throw new UsageError(`--dims must be a comma-separated subset of 1,2,3, got '${text}'`);
  }
  return dims as (1 | 2 | 3)[];
}

/**
 * Derives the seed of one phase of one shard from the run seed, so shards and
 * phases explore different cases while the whole run replays from one seed.
 *
 * @example
 * ```ts
 * phaseSeed(42, 0, 1); // a stable 32-bit integer
 * ```
 */
export function phaseSeed(runSeed: number, phaseIndex: number, shardIndex: number): number {
  // fast-check takes a signed 32-bit seed.
  return mixSeed(runSeed, phaseIndex, shardIndex) | 0;
}
