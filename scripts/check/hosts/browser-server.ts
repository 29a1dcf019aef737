/**
 * The browser host's static server, bound to 127.0.0.1 (a secure origin: WebGPU
 * is absent on about:blank). It serves the page, the in-page runner, and the
 * kernel module's directory under /kernel/: nothing outside that directory.
 * A bundled module (browser-bundle.ts) is served in place of its file, and its
 * assets under /__convcheck/bundle/.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_ASSET_PREFIX, type KernelBundle } from './browser-bundle.ts';

const RUNNER_PATH = fileURLToPath(new URL('./browser-page.mjs', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.wgsl': 'text/plain',
  '.html': 'text/html',
};

const PAGE = '<!doctype html><meta charset="utf-8"><title>convcheck browser host</title>';

/** A running server: its origin (http://127.0.0.1:port) and how to stop it. */
export interface KernelServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * The file under `root` that `urlPath` (after /kernel/) names, or undefined when
 * it would leave `root` (.., an absolute path, an encoded separator).
 *
 * @example
 * ```ts
 * fileUnder('/k', 'lib/a.mjs'); // '/k/lib/a.mjs'
 * fileUnder('/k', '../etc/passwd'); // undefined
 * ```
 */
export function fileUnder(root: string, urlPath: string): string | undefined {
  const decoded = safeDecode(urlPath);
  if (decoded === undefined || decoded.includes('\0')) return undefined;
  const file = resolve(root, decoded);
  return file.startsWith(root + sep) ? file : undefined;
}

/** A bundle to serve: the module's file name (under /kernel/) and the bundle. */
export interface ServedBundle {
  fileName: string;
  bundle: KernelBundle;
}

/** The decoded URL path, or undefined when its percent-encoding is malformed. */
function safeDecode(urlPath: string): string | undefined {
  try {
    return decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
}

async function answer(
  root: string,
  url: string,
  served: ServedBundle | undefined,
): Promise<{ status: number; type: string; body: string | Uint8Array }> {
  const path = new URL(url, 'http://127.0.0.1').pathname;
  if (path === '/') return { status: 200, type: 'text/html', body: PAGE };
  if (path === '/__convcheck/runner.mjs') {
    return { status: 200, type: 'text/javascript', body: await readFile(RUNNER_PATH) };
  }
  if (served !== undefined) {
    if (path.startsWith('/kernel/') && safeDecode(path.slice(8)) === served.fileName) {
      return { status: 200, type: 'text/javascript', body: served.bundle.module };
    }
    const asset = path.startsWith(BUNDLE_ASSET_PREFIX)
      ? served.bundle.assets.get(path.slice(BUNDLE_ASSET_PREFIX.length))
      : undefined;
    if (asset !== undefined) return { status: 200, type: asset.contentType, body: asset.body };
  }
  const file = path.startsWith('/kernel/')
    ? fileUnder(root, path.slice('/kernel/'.length))
    : undefined;
  if (file === undefined) return { status: 404, type: 'text/plain', body: 'not served' };
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return { status: 404, type: 'text/plain', body: 'no such file' };
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  return { status: 200, type, body: await readFile(file) };
}

/**
 * Serves `root` (the kernel module's directory) on 127.0.0.1 at a free port;
 * with `served`, the bundled module in place of its file, and its assets.
 *
 * @example
 * ```ts
 * const server = await serveKernelDirectory('/home/me/kernels');
 * // page.goto(server.origin); import(`${server.origin}/kernel/conv.mjs`)
 * await server.close();
 * ```
 */
export async function serveKernelDirectory(
  root: string,
  served?: ServedBundle,
): Promise<KernelServer> {
  const server: Server = createServer((request, response) => {
    answer(root, request.url ?? '/', served).then(
      ({ status, type, body }) => {
        response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        response.end(body);
      },
      () => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('read error');
      },
    );
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
