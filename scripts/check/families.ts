/**
 * Problem families a run can be narrowed to (`--modes`, `--groups`): a kernel
 * that only does cross-correlation, or only depthwise convolution, asks for
 * those and every generated case is one it is meant to handle.
 */
import type { ConvProblemConstraints } from '../../properties/arbitraries/convProblem.ts';
import type { ConvMode, ConvProblem } from '../../reference/index.ts';
import { UsageError } from '../cli-error.ts';

/** `--modes` names, as descriptors write them. */
export const MODE_NAMES = ['xcorr', 'trueconv'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

/**
 * `--groups` names: `1` (groups = 1), `grouped` (groups > 1, not depthwise) and
 * `depthwise` (groups = inChannels > 1, any channel multiplier).
 */
export const GROUP_NAMES = ['1', 'grouped', 'depthwise'] as const;
export type GroupName = (typeof GROUP_NAMES)[number];

/** Which problems a run generates. An absent field means every value. */
export interface FamilyFilter {
  modes?: readonly ModeName[];
  groups?: readonly GroupName[];
}

const MODE_OF: Record<ModeName, ConvMode> = {
  xcorr: 'cross-correlation',
  trueconv: 'convolution',
};

/**
 * The `--groups` family of a problem.
 *
 * @example
 * ```ts
 * groupFamily({ ...p, groups: 4, inChannels: 4 }); // 'depthwise'
 * ```
 */
export function groupFamily(p: Pick<ConvProblem, 'groups' | 'inChannels'>): GroupName {
  if (p.groups === 1) return '1';
  return p.inChannels === p.groups ? 'depthwise' : 'grouped';
}

function parseList<T extends string>(option: string, text: string, names: readonly T[]): T[] {
  const parts = text.split(',').map((s) => s.trim());
  const bad = parts.find((s) => !(names as readonly string[]).includes(s));
  if (bad !== undefined || new Set(parts).size !== parts.length) {
    throw new UsageError(
      `${option} must be a comma-separated subset of ${names.join(',')}, got '${text}'`,
    );
  }
  return parts as T[];
}

/**
 * `--modes xcorr,trueconv`.
 *
 * @example
 * ```ts
 * parseModes('xcorr'); // ['xcorr']
 * ```
 */
export function parseModes(text: string): ModeName[] {
  return parseList('--modes', text, MODE_NAMES);
}

/**
 * `--groups 1,grouped,depthwise`.
 *
 * @example
 * ```ts
 * parseGroups('1,depthwise'); // ['1', 'depthwise']
 * ```
 */
export function parseGroups(text: string): GroupName[] {
  return parseList('--groups', text, GROUP_NAMES);
}

/**
 * Checks a filter given through the API the way the CLI parsers do (an empty or
 * unknown list is a UsageError naming the option).
 */
export function checkFamilyFilter(filter: FamilyFilter): void {
  if (filter.modes !== undefined) parseModes(filter.modes.join(','));
  if (filter.groups !== undefined) parseGroups(filter.groups.join(','));
}

/**
 * Generator constraints that produce only the filter's modes, and no grouped
 * problems at all when only `1` is asked for (the generic generator does both
 * without rejection).
 *
 * @example
 * ```ts
 * familyConstraints({ modes: ['xcorr'] }); // { modes: ['cross-correlation'] }
 * ```
 */
export function familyConstraints(filter: FamilyFilter): Partial<ConvProblemConstraints> {
  return {
    ...(filter.modes ? { modes: filter.modes.map((m) => MODE_OF[m]) } : {}),
    ...(filter.groups && filter.groups.length === 1 && filter.groups[0] === '1'
      ? { allowGroups: false }
      : {}),
  };
}

/**
 * Whether a generated problem is in the filter's groups family. Grouped and
 * depthwise problems are a minority of the generator's output, so asking for
 * them filters (fast-check redraws; shrinking stays inside the family).
 */
export function inGroupFamily(filter: FamilyFilter, p: ConvProblem): boolean {
  return filter.groups === undefined || filter.groups.includes(groupFamily(p));
}

/** The CLI flags that reproduce a filter, e.g. ` --modes xcorr --groups depthwise`. */
export function familyFlags(filter: FamilyFilter): string {
  return `${filter.modes ? ` --modes ${filter.modes.join(',')}` : ''}${filter.groups ? ` --groups ${filter.groups.join(',')}` : ''}`;
}
