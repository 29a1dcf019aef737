#!/usr/bin/env node
// `npm run build` (and `prepare`): compiles the package into dist/ with
// tsconfig.build.json (JavaScript + .d.ts; './x.ts' imports rewritten to './x.js'),
// then copies the plain-JS files the compiler does not emit (the module host's
// child entry, the browser host's in-page runner) and makes the bin executable. dist/ is generated and gitignored; it is rebuilt from scratch.
// It also assembles the WebAssembly GEMM (impl/wasm/gemm.wat, text format) with wabt into
// impl/wasm/gemm.wasm (gitignored, read by the source tree: tests and tsx) and dist/impl/wasm/.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

// The .wasm: wabt is a devDependency, present wherever this build runs (npm ci → prepare).
const wabt = await (await import('wabt')).default();
const watPath = `${root}/impl/wasm/gemm.wat`;
const wat = wabt.parseWat(watPath, readFileSync(watPath, 'utf8'), { simd: true, threads: true });
const { buffer } = wat.toBinary({});
wat.destroy();
// Validated by compiling it: wabt.js's own validate() ignores the feature flags (it
// rejects the shared memory that threads: true allows).
new WebAssembly.Module(buffer);
// Written aside and renamed into place: a test run may be reading gemm.wasm while
// `npm pack` (scripts/package.full.test.ts) rebuilds it, and must never see it half written.
const wasmTemp = `${root}/impl/wasm/gemm.wasm.tmp-${process.pid}`;
writeFileSync(wasmTemp, buffer);
renameSync(wasmTemp, `${root}/impl/wasm/gemm.wasm`);
copyFileSync(`${root}/impl/wasm/gemm.wasm`, `${root}/dist/impl/wasm/gemm.wasm`);
