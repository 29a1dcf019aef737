#!/usr/bin/env node
// `npm run build` (and `prepare`): compiles the package into dist/ with
// tsconfig.build.json (JavaScript + .d.ts; './x.ts' imports rewritten to './x.js'),
// then copies the plain-JS files the compiler does not emit (the module host's
// child entry, the browser host's in-page runner) and makes the bin executable. dist/ is generated and gitignored; it is rebuilt from scratch.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(`${root}/dist`, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', `${root}/tsconfig.build.json`], { stdio: 'inherit' });
for (const file of ['module-child.mjs', 'browser-page.mjs']) {
  copyFileSync(`${root}/scripts/check/hosts/${file}`, `${root}/dist/scripts/check/hosts/${file}`);
}
// The bin is run as a program (`npx convcheck` in this checkout runs it directly); tsc writes 0644.
chmodSync(`${root}/dist/scripts/cli.js`, 0o755);
