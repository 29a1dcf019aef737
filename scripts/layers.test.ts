/**
 * The layers are enforced by the linter: biome's noRestrictedImports overrides
 * in biome.json forbid upward imports (scripts → properties → impl → reference).
 * Each case plants one import in a scratch copy of the layout, with the
 * project's biome.json, and runs biome on it: an upward import must fail, a
 * downward one must pass.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');
const scratch = mkdtempSync(join(tmpdir(), 'convcheck-layers-'));
copyFileSync(join(ROOT, 'biome.json'), join(scratch, 'biome.json'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Lints one planted file; returns biome's exit status and output. */
function lintPlanted(file: string, from: string): { status: number; output: string } {
  const path = join(scratch, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `import { x } from '${from}';\n\nexport const y = x;\n`);
  try {
    const output = execFileSync(BIOME, ['lint', '--vcs-enabled=false', file], {
      cwd: scratch,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { status: 0, output };
  } catch (e) {
    const failed = e as { status: number; stdout: string; stderr: string };
    return { status: failed.status, output: `${failed.stdout}${failed.stderr}` };
  }
}

const upward: [string, string][] = [
  ['reference/planted-a.ts', '../impl/gemm/index.ts'],
  ['reference/planted-b.ts', '../properties/data.ts'],
  ['reference/deep/planted-c.ts', '../../scripts/cli.ts'],
  ['impl/gemm/planted-d.ts', '../../properties/data.ts'],
  ['impl/planted-e.test.ts', '../scripts/check/evaluate.ts'],
  ['properties/judge/planted-f.ts', '../../scripts/fixtures/verify.ts'],
];

const downward: [string, string][] = [
  ['impl/gemm/planted-g.ts', '../../reference/float.ts'],
  ['properties/planted-h.ts', '../impl/gemm/index.ts'],
  ['scripts/planted-i.ts', '../properties/data.ts'],
  ['reference/planted-j.ts', './float.ts'],
];

describe('layers enforced by biome', () => {
  for (const [file, from] of upward) {
    it(`rejects ${file} importing ${from}`, () => {
      const r = lintPlanted(file, from);
      expect(r.output).toMatch(/noRestrictedImports/);
      expect(r.status).not.toBe(0);
    });
  }
  for (const [file, from] of downward) {
    it(`accepts ${file} importing ${from}`, () => {
      const r = lintPlanted(file, from);
      expect(r.output).not.toMatch(/noRestrictedImports/);
      expect(r.status).toBe(0);
    });
  }
});
