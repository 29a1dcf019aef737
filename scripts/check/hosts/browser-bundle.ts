/**
 * Makes a kernel module loadable by the page: the page has no Node resolution,
 * so `import '@tensorflow/tfjs-core'` (a bare specifier) would fail there. The
 * module is bundled with esbuild (installed with tsx, a dependency of convcheck)
 * into one ES module, with its packages, relative modules and TypeScript
 * imports inside. Binary assets a package needs at run time (onnxruntime-web's
 * .wasm) are imported as URLs: `import url from 'pkg/file.wasm'` gives the URL
 * where the server serves that file. Nothing is written to disk.
 *
 * Where esbuild cannot be loaded, the module is served as it is (relative
 * imports still work; a bare import fails in the page, with the reason).
 */
import { basename, dirname } from 'node:path';
import { errorText } from './kernel-contract.ts';

/** Where the server serves a bundle's assets (the `import url from '….wasm'` URLs). */
export const BUNDLE_ASSET_PREFIX = '/__convcheck/bundle/';

/** One file of a bundle: the entry module, or an asset it imports by URL. */
export interface BundledFile {
  contentType: string;
  body: Uint8Array;
}

/** A kernel module ready for the page. */
export interface KernelBundle {
  /** The bundled module, served in place of the module file. */
  module: Uint8Array;
  /** Assets by file name, served under {@link BUNDLE_ASSET_PREFIX}. */
  assets: Map<string, BundledFile>;
}

/** Why a module could not be bundled (a syntax error, an import that does not resolve). */
export class BundleError extends Error {}

/** Asset loaders: what a module may import besides JavaScript and TypeScript. */
const ASSET_TYPES: Record<string, string> = {
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.onnx': 'application/octet-stream',
};

type Esbuild = typeof import('esbuild');
type EsbuildPlugin = import('esbuild').Plugin;

/**
 * A `node:` built-in (`node:module`, `node:fs`, …) imported by shared code becomes
 * an empty module in the page: the import succeeds and what it names is undefined,
 * so only code that uses it there fails (reference/mathjs.ts creates its `require`
 * on first use for this reason). Bare names (`events`, `buffer`) resolve as usual:
 * a package may bring a browser version of them.
 */
const emptyNodeBuiltins: EsbuildPlugin = {
  name: 'convcheck-empty-node-builtins',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) => ({
      path: args.path,
      namespace: 'convcheck-node-builtin',
    }));
    build.onLoad({ filter: /.*/, namespace: 'convcheck-node-builtin' }, () => ({
      contents: '',
      loader: 'empty',
    }));
  },
};

/**
 * A dynamic `import('pkg')` stays a dynamic import in the page instead of being
 * bundled: shared code loads Node-only packages that way on demand (the
 * onnxruntime-node adapter beside the helpers the page needs), and only a static
 * import means the page needs the package.
 */
const keepDynamicPackageImports: EsbuildPlugin = {
  name: 'convcheck-keep-dynamic-package-imports',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
    );
  },
};

let esbuildModule: Promise<Esbuild | undefined> | undefined;

/** esbuild, or undefined when it is not installed. */
function loadEsbuild(): Promise<Esbuild | undefined> {
  esbuildModule ??= import('esbuild').then(
    (m) => m,
    () => undefined,
  );
  return esbuildModule;
}

/**
 * Bundles the module at `modulePath` (an absolute path) for the page, or returns
 * undefined when esbuild is not installed (the module is then served as it is).
 * Rejects with {@link BundleError} when the module cannot be bundled.
 *
 * @example
 * ```ts
 * const bundle = await bundleKernelModule('/repo/impl/peers/browser/tfjs-webgpu.mjs');
 * // serve bundle.module at /kernel/tfjs-webgpu.mjs, bundle.assets under /__convcheck/bundle/
 * ```
 */
export async function bundleKernelModule(modulePath: string): Promise<KernelBundle | undefined> {
  const esbuild = await loadEsbuild();
  if (esbuild === undefined) return undefined;
  // Not written: outdir only names the outputs, which stay in memory.
  const outdir = dirname(modulePath);
  let result: Awaited<ReturnType<Esbuild['build']>>;
  try {
    result = await esbuild.build({
      entryPoints: [modulePath],
      absWorkingDir: outdir,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outdir,
      entryNames: '[name]',
      assetNames: '[name]-[hash]',
      publicPath: BUNDLE_ASSET_PREFIX,
      loader: Object.fromEntries(Object.keys(ASSET_TYPES).map((ext) => [ext, 'file'])),
      logLevel: 'silent',
      // Packages that look for process.env.NODE_ENV read it as a production build.
      define: { 'process.env.NODE_ENV': '"production"' },
      plugins: [keepDynamicPackageImports, emptyNodeBuiltins],
    });
  } catch (e) {
    throw new BundleError(`cannot bundle the module for the page: ${bundleFailure(e)}`);
  }
  const entryName = basename(modulePath).replace(/\.[cm]?[jt]s$/, '.js');
  let module: Uint8Array | undefined;
  const assets = new Map<string, BundledFile>();
  for (const file of result.outputFiles ?? []) {
    const name = basename(file.path);
    if (name === entryName) module = file.contents;
    else {
      const type = ASSET_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
      assets.set(name, { contentType: type, body: file.contents });
    }
  }
  if (module === undefined) throw new BundleError(`esbuild wrote no ${entryName}`);
  return { module, assets };
}

/** The first error of an esbuild failure, with its file and line. */
function bundleFailure(e: unknown): string {
  const errors = (e as { errors?: { text: string; location?: { file: string; line: number } }[] })
    .errors;
  const first = errors?.[0];
  if (first === undefined) return errorText(e).split('\n')[0] ?? 'unknown error';
  const where = first.location ? ` (${first.location.file}:${first.location.line})` : '';
  return `${first.text}${where}`;
}
