/**
 * Where convcheck's own files are at run time. The same code runs from the
 * source tree (scripts/*.ts, under tsx) and from the compiled package
 * (dist/scripts/*.js, plain Node), so paths to package files and to sibling
 * modules named in strings are derived here, not written as '../x.ts'.
 */
import { fileURLToPath } from 'node:url';

/** True when this module runs from the compiled package (dist/). */
const COMPILED = !import.meta.url.endsWith('.ts');

/** The extension of convcheck's own modules where this code runs: '.ts' or '.js'. */
export const MODULE_EXT = COMPILED ? '.js' : '.ts';

/** The package root (the folder of package.json): one level up from scripts/, two from dist/scripts/. */
const PACKAGE_ROOT = new URL(COMPILED ? '../../' : '../', import.meta.url);

/**
 * The absolute path of a file shipped with the package, e.g. a client script.
 *
 * @example
 * ```ts
 * packageFile('scripts/clients/torch_client.py'); // '/…/convcheck/scripts/clients/torch_client.py'
 * ```
 */
export function packageFile(relative: string): string {
  return fileURLToPath(new URL(relative, PACKAGE_ROOT));
}

/**
 * A module URL relative to `base` with the extension of where the code runs,
 * for dynamic imports and module hosts whose path is a string.
 *
 * @example
 * ```ts
 * moduleUrl('./kernels/ort', import.meta.url); // file:///…/kernels/ort.ts (or .js in dist)
 * ```
 */
export function moduleUrl(relativeWithoutExt: string, base: string): URL {
  return new URL(`${relativeWithoutExt}${MODULE_EXT}`, base);
}
