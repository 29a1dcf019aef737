/**
 * Tests that kill mutants of transforms-module.ts which the main tests let survive.
 *
 * - The loaders instantiate the transforms once per GEMM (`!exports` → true, `!built` →
 *   true): the main tests only compare output bits, which a fresh instance per call gives
 *   too; the identity of the returned exports shows it.
 * - builtTransforms reads `./transforms.wasm` (`'./transforms.wasm'` → `""`): it keeps its
 *   loader for the life of the module, so in tile-transforms.test.ts only the first test
 *   that calls it runs the load, and that test falls back to the JS transforms (same bits)
 *   when the load fails. Here each test loads a fresh copy of the module.
 * - A missing transforms.wasm (the catch block, its reason, `bytes` → true) and a runtime
 *   without WebAssembly (`wasmApi === undefined` → false, its message) never happen in a
 *   built checkout under Node: here `node:fs` and module.ts's `wasmApi` are mocked for a
 *   fresh copy of the module, and the reasons docs/wasm.md promises are checked.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ownWasmGemm, type WasmGemm } from './module.ts';
import { transformKey, wasmTransformSizes } from './transform-wat.ts';
import { transformsFromBytes } from './transforms-module.ts';

const wasmUrl = new URL('./transforms.wasm', import.meta.url);

/** A fresh copy of transforms-module.ts (its `built` loader not yet made), under the mocks set. */
async function freshModule(): Promise<typeof import('./transforms-module.ts')> {
  vi.resetModules();
  return import('./transforms-module.ts');
}

afterEach(() => {
  vi.doUnmock('node:fs');
  vi.doUnmock('./module.ts');
  vi.resetModules();
});

describe('transforms.wasm loaders', () => {
  it('instantiate the transforms once per GEMM memory', () => {
    const load = transformsFromBytes(readFileSync(wasmUrl));
    const gemm = ownWasmGemm() as WasmGemm;
    const other = ownWasmGemm() as WasmGemm;
    const first = load(gemm);
    expect(typeof first).toBe('object');
    expect(load(gemm)).toBe(first);
    expect(load(other)).not.toBe(first);
  });

  it('builtTransforms loads ./transforms.wasm once: every size’s exports, the same instance each call', async () => {
    const { builtTransforms } = await freshModule();
    const gemm = ownWasmGemm() as WasmGemm;
    const exports = builtTransforms(gemm);
    if (typeof exports === 'string') throw new Error(exports);
    for (const { m, r } of wasmTransformSizes) {
      expect(typeof exports[`input_${transformKey(m, r)}`]).toBe('function');
      expect(typeof exports[`output_${transformKey(m, r)}`]).toBe('function');
    }
    expect(builtTransforms(gemm)).toBe(exports);
  });

  it('builtTransforms says transforms.wasm is missing when it cannot be read', async () => {
    vi.doMock('node:fs', async (importOriginal) => {
      const fs = await importOriginal<typeof import('node:fs')>();
      const readFile = ((path: Parameters<typeof fs.readFileSync>[0], options?: null) => {
        if (path instanceof URL && path.pathname === wasmUrl.pathname) {
          throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
            code: 'ENOENT',
          });
        }
        return fs.readFileSync(path, options);
      }) as typeof fs.readFileSync;
      return { ...fs, readFileSync: readFile, default: { ...fs, readFileSync: readFile } };
    });
    const { builtTransforms } = await freshModule();
    const gemm = ownWasmGemm() as WasmGemm;
    const reason = `WebAssembly tile transforms not built: ${wasmUrl.pathname} is missing (run npm run build)`;
    expect(builtTransforms(gemm)).toBe(reason);
    expect(builtTransforms(gemm)).toBe(reason);
  });

  it('say that a runtime without WebAssembly cannot compile them', async () => {
    vi.doMock('./module.ts', async (importOriginal) => ({
      ...(await importOriginal<typeof import('./module.ts')>()),
      wasmApi: undefined,
    }));
    const { transformsFromBytes: fromBytes } = await freshModule();
    const load = fromBytes(readFileSync(wasmUrl));
    expect(load(ownWasmGemm() as WasmGemm)).toBe(
      'WebAssembly tile transforms do not compile (this runtime has no WebAssembly)',
    );
  });
});
