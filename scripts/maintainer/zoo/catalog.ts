/**
 * The zoo catalog: every kernel module under fixtures/zoo (buggy, must be
 * caught) and fixtures/zoo/correct (must pass), with the description each
 * fixture carries in its header comment. The fixture is the one place a bug is
 * described; the report and the tests read it from there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Absolute path of the zoo fixtures. */
export const ZOO_DIR = join(REPO_ROOT, 'fixtures', 'zoo');

/** One kernel of the zoo and what the harness must say about it. */
export interface ZooKernel {
  /** File name without `.mjs`, e.g. 'pad-swapped'. */
  slug: string;
  /** Path relative to the repository root, e.g. 'fixtures/zoo/pad-swapped.mjs'. */
  path: string;
  /** 'fail' for a buggy kernel (exit 1 expected), 'pass' for a correct one (exit 0). */
  expect: 'fail' | 'pass';
  /** Bug class (buggy) or 'correct variant'. */
  bugClass: string;
  /** The bug in one line (buggy) or the variant (correct). */
  summary: string;
  /** Where such a bug was seen (buggy) or why the variant is correct. */
  reference: string;
}

/** Bug classes in the order the report lists them (the order of convcheck issue 7). */
export const BUG_CLASSES = [
  'padding and off-by-one',
  'kernel flip',
  'dilation and stride',
  'groups and channel mapping',
  'bias',
  'tiling and vector remainders',
  'special-case fast paths',
  'precision loss in accumulation',
  'writing into inputs',
  'nondeterminism',
  'special values',
  'dimension mix-up',
] as const;

function classRank(bugClass: string): number {
  const index = (BUG_CLASSES as readonly string[]).indexOf(bugClass);
  return index < 0 ? BUG_CLASSES.length : index;
}

/** The `// Key: value` lines at the top of a fixture, before the first code line. */
function headerFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('//')) break;
    const m = /^\/\/ ([A-Z][A-Za-z ]*): (.+)$/.exec(line);
    if (m) fields.set(m[1]!, m[2]!.trim());
  }
  return fields;
}

/**
 * Reads one fixture's description. Throws, naming the file and the field,
 * when a required header line is missing: an undocumented zoo kernel is a bug.
 *
 * @example
 * ```ts
 * parseZooHeader('pad-swapped', 'fixtures/zoo/pad-swapped.mjs', source, 'fail').bugClass;
 * // 'padding and off-by-one'
 * ```
 */
export function parseZooHeader(
  slug: string,
  path: string,
  text: string,
  expect: ZooKernel['expect'],
): ZooKernel {
  const fields = headerFields(text);
  const keys = expect === 'fail' ? ['Class', 'Bug', 'Seen'] : ['Variant', 'Why correct'];
  const values = keys.map((key) => {
    const value = fields.get(key);
    if (value === undefined) throw new Error(`${path}: header line '// ${key}: …' is missing`);
    return value;
  });
  return expect === 'fail'
    ? { slug, path, expect, bugClass: values[0]!, summary: values[1]!, reference: values[2]! }
    : {
        slug,
        path,
        expect,
        bugClass: 'correct variant',
        summary: values[0]!,
        reference: values[1]!,
      };
}

function listDir(dir: string, expect: ZooKernel['expect'], root: string): ZooKernel[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.mjs'))
    .sort()
    .map((name) => {
      const file = join(dir, name);
      return parseZooHeader(
        name.slice(0, -'.mjs'.length),
        relative(root, file),
        readFileSync(file, 'utf8'),
        expect,
      );
    });
}

/**
 * Every zoo kernel: the buggy ones (by class in {@link BUG_CLASSES} order, then name) followed by the
 * correct variants.
 *
 * @example
 * ```ts
 * const kernels = zooCatalog();
 * kernels.filter((k) => k.expect === 'fail').length; // ≥ 22
 * ```
 */
export function zooCatalog(dir: string = ZOO_DIR, root: string = REPO_ROOT): ZooKernel[] {
  const buggy = listDir(dir, 'fail', root).sort(
    (a, b) => classRank(a.bugClass) - classRank(b.bugClass) || a.slug.localeCompare(b.slug),
  );
  return [...buggy, ...listDir(join(dir, 'correct'), 'pass', root)];
}
