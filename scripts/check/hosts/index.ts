/**
 * Kernel hosts: one async interface for every kernel the harness checks.
 *
 * - {@link openInProcessHost}: trusted built-in kernels, in this process.
 * - {@link openModuleHost}: a JS/TS module, isolated in a child process.
 * - {@link openBrowserHost}: a WebGPU module, in a page of headless Chromium.
 * - {@link openCommandHost}: a program in any language, over the subprocess
 *   protocol (docs/protocol.md).
 *
 * @example
 * ```ts
 * import { HostStartError, openCommandHost } from './scripts/check/hosts/index.ts';
 * const host = await openCommandHost('python3 scripts/clients/reference_client.py');
 * ```
 */
export { type BrowserHostOptions, openBrowserHost } from './browser-host.ts';
export { type CommandHostOptions, openCommandHost } from './command-host.ts';
export { openInProcessHost } from './in-process-host.ts';
export { type ModuleHostOptions, openModuleHost } from './module-host.ts';
export { openQuantizedInProcessHost } from './quantized-in-process.ts';
export {
  HostStartError,
  type KernelHost,
  type QuantizedHostPart,
  type RunOutcome,
} from './types.ts';
