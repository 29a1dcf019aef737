/** The package version, read once from package.json. */
import { readFileSync } from 'node:fs';

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
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;
  return cached;
}
