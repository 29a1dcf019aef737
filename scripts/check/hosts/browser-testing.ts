/**
 * Test support for the browser host: whether headless Chromium with WebGPU can
 * start here, so that browser tests are skipped, with the reason, where not.
 */
import { fileURLToPath } from 'node:url';
import { openBrowserHost } from './browser-host.ts';
import { HostStartError } from './types.ts';

/** The WGSL example kernel (docs/examples/naive-webgpu-kernel.mjs). */
export const WEBGPU_EXAMPLE = fileURLToPath(
  new URL('../../../docs/examples/naive-webgpu-kernel.mjs', import.meta.url),
);

let probe: Promise<string | undefined> | undefined;

/**
 * Why the browser host cannot run here (Chromium or WebGPU missing), or
 * undefined when it can; the probe opens the example kernel once per process.
 *
 * @example
 * ```ts
 * const skip = await browserSkipReason();
 * describe.skipIf(skip !== undefined)('browser host', () => { ... });
 * ```
 */
export function browserSkipReason(): Promise<string | undefined> {
  probe ??= openBrowserHost(WEBGPU_EXAMPLE).then(
    async (host) => {
      await host.close();
      return undefined;
    },
    (e: unknown) => {
      if (e instanceof HostStartError) return e.message;
      throw e;
    },
  );
  return probe;
}
