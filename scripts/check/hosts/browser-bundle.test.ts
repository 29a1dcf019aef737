/**
 * browser-bundle.ts without a browser: what the page would load is bundled,
 * runs, and is served by the kernel server in place of the module file.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ASSET_PREFIX, BundleError, bundleKernelModule } from './browser-bundle.ts';
import { serveKernelDirectory } from './browser-server.ts';
import { testdata } from './testing.ts';

const BARE = testdata('bundle/bare-import.mjs');

async function bundleOf(path: string) {
  const bundle = await bundleKernelModule(path);
  if (bundle === undefined) throw new Error('esbuild is not installed (tsx depends on it)');
  return bundle;
}

describe('bundleKernelModule', () => {
  it('resolves bare, TypeScript and asset imports into one module that runs', async () => {
    const bundle = await bundleOf(BARE);
    const text = new TextDecoder().decode(bundle.module);
    expect(text).not.toMatch(/from\s*["'](fast-check|\.\/helper\.ts|\.\/blob\.bin)["']/);
    const url = `data:text/javascript;base64,${Buffer.from(bundle.module).toString('base64')}`;
    const loaded = (await import(/* @vite-ignore */ url)).default;
    expect(loaded.name).toBe('bare-import');
    expect(loaded.sample).toBe(42);
    // The asset import became the URL where the server serves its bytes.
    expect(loaded.blobUrl.startsWith(BUNDLE_ASSET_PREFIX)).toBe(true);
    const asset = bundle.assets.get(loaded.blobUrl.slice(BUNDLE_ASSET_PREFIX.length));
    expect(Buffer.from(asset!.body).toString()).toBe('convcheck asset bytes\n');
    // A dynamic import of a package stays one: not resolved, so not an error.
    await expect(loaded.later()).rejects.toThrow(/convcheck-not-installed-either/);
    // A node: built-in is an empty module: importing it worked, using it fails.
    expect(() => loaded.nodeOnly()).toThrow(TypeError);
  });

  it('fails with a BundleError naming an import that does not resolve', async () => {
    const failing = bundleKernelModule(testdata('bundle/unresolved.mjs'));
    await expect(failing).rejects.toBeInstanceOf(BundleError);
    await expect(failing).rejects.toThrow(/Could not resolve "convcheck-no-such-package"/);
  });
});

/** Each WebGPU adapter and the package it needs (its tests run in test:browser). */
const ADAPTERS = [
  ['tfjs-webgpu.mjs', '@tensorflow/tfjs-backend-webgpu'],
  ['ort-webgpu.mjs', 'onnxruntime-web'],
] as const;

function installed(packageName: string): boolean {
  try {
    createRequire(import.meta.url).resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

describe('the WebGPU adapters bundle for the page (no browser needed)', () => {
  // In the quick tier on purpose: an import that cannot reach the page (a Node-only
  // module somewhere under impl/peers/) breaks the adapters, and only test:browser
  // would otherwise notice.
  for (const [file, packageName] of ADAPTERS) {
    it.skipIf(!installed(packageName))(
      `${file} (skipped where ${packageName} is not installed)`,
      async () => {
        const path = fileURLToPath(new URL(`../../../impl/peers/browser/${file}`, import.meta.url));
        const bundle = await bundleOf(path);
        expect(bundle.module.length).toBeGreaterThan(0);
      },
    );
  }
});

describe('the kernel server with a bundle', () => {
  it('serves the bundle in place of the module, its assets, and the directory', async () => {
    const bundle = await bundleOf(BARE);
    const server = await serveKernelDirectory(dirname(BARE), {
      fileName: 'bare-import.mjs',
      bundle,
    });
    try {
      const get = async (path: string) => {
        const r = await fetch(`${server.origin}${path}`);
        return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
      };
      const served = await get('/kernel/bare-import.mjs');
      expect(served.status).toBe(200);
      expect(served.body.equals(Buffer.from(bundle.module))).toBe(true);
      const [assetName, asset] = [...bundle.assets][0]!;
      expect((await get(`${BUNDLE_ASSET_PREFIX}${assetName}`)).body).toEqual(
        Buffer.from(asset.body),
      );
      expect((await get('/kernel/helper.ts')).body.toString()).toBe(
        readFileSync(testdata('bundle/helper.ts'), 'utf8'),
      );
      expect((await get(`${BUNDLE_ASSET_PREFIX}nothing.wasm`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
