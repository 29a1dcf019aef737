/**
 * The named suites of `convcheck check`: which data kinds run, how many cases
 * each, and how large the problems may be.
 */

import type { DataKind } from '../../properties/data.ts';
import { UsageError } from '../cli-error.ts';

/** One suite: a list of phases per kernel. */
export interface SuiteSpec {
  name: SuiteName;
  /** Data kinds, one phase each, in order. Empty for the networks suite. */
  data: DataKind[];
  /** Cases per phase unless --runs says otherwise. */
  runs: number;
  /** Cap on oracle cost (MACs) of a generated problem. */
  maxMacs: number;
  /** Whether the fixed network shape list runs instead of generated problems. */
  networks: boolean;
}

/** Suite names accepted by --suite. */
export const SUITE_NAMES = ['quick', 'standard', 'deep', 'exact', 'networks'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

const SUITES: Record<SuiteName, SuiteSpec> = {
  quick: {
    name: 'quick',
    data: ['exact', 'real', 'special'],
    runs: 40,
    maxMacs: 40_000,
    networks: false,
  },
  standard: {
    name: 'standard',
    data: ['exact', 'real', 'special'],
    runs: 150,
    maxMacs: 60_000,
    networks: false,
  },
  deep: {
    name: 'deep',
    data: ['exact', 'real', 'special'],
    runs: 1500,
    maxMacs: 1_500_000,
    networks: false,
  },
  exact: { name: 'exact', data: ['exact'], runs: 300, maxMacs: 60_000, networks: false },
  networks: {
    name: 'networks',
    data: ['real'],
    runs: 0,
    maxMacs: Number.POSITIVE_INFINITY,
    networks: true,
  },
};

/**
 * The suite of a --suite value; a UsageError names the value otherwise.
 *
 * @example
 * ```ts
 * suiteSpec('quick').runs; // 40
 * ```
 */
export function suiteSpec(name: string): SuiteSpec {
  if (!(SUITE_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`--suite must be one of ${SUITE_NAMES.join(', ')}, got '${name}'`);
  }
  return SUITES[name as SuiteName];
}
