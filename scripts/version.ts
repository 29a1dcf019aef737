/** The package version, read once from package.json. */
import { readFileSync } from 'node:fs';
import { packageFile } from './package-files.ts';

let cached: string | undefined;

/**
 * The version field of convcheck's package.json.
 *
 * @example
 * ```ts
 * packageVersion(); // '0.1.0'
 * ```
 */
export function packageVersion(): string {
  cached ??= (
    JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  return cached;
}
