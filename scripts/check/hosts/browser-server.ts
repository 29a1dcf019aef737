/**
 * The browser host's static server, bound to 127.0.0.1 (a secure origin: WebGPU
 * is absent on about:blank). It serves the page, the in-page runner, and the
 * kernel module's directory under /kernel/: nothing outside that directory.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = resolve(root, decoded);
  return file.startsWith(root + sep) ? file : undefined;
}

async function answer(
  root: string,
  url: string,
): Promise<{ status: number; type: string; body: string | Buffer }> {
  const path = new URL(url, 'http://127.0.0.1').pathname;
  if (path === '/') return { status: 200, type: 'text/html', body: PAGE };
  if (path === '/__convcheck/runner.mjs') {
    return { status: 200, type: 'text/javascript', body: await readFile(RUNNER_PATH) };
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
 * Serves `root` (the kernel module's directory) on 127.0.0.1 at a free port.
 *
 * @example
 * ```ts
 * const server = await serveKernelDirectory('/home/me/kernels');
 * // page.goto(server.origin); import(`${server.origin}/kernel/conv.mjs`)
 * await server.close();
 * ```
 */
export async function serveKernelDirectory(root: string): Promise<KernelServer> {
  const server: Server = createServer((request, response) => {
    answer(root, request.url ?? '/').then(
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
