/**
 * Runs a WebGPU kernel module inside headless Chromium: the module's
 * `conv(p, x, w, b, ctx)` (and any other float op's method, its operands then
 * `ctx`) gets `ctx.device`, a GPUDevice, and may return a Promise. One page serves the whole run; a crash, a lost device or a timeout
 * closes it, and the next case opens a fresh one (the module host's semantics).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { convGeometry } from '../../../reference/geometry.ts';
import type { ConvProblem, PaddingRule } from '../../../reference/index.ts';
import { CANONICAL_LAYOUTS, type KernelLayouts, layoutsOf } from '../../../reference/layout.ts';
import { OP_NAMES, OPS, type OpName, opEntry } from '../../../reference/ops.ts';
import type { KernelArray, KernelDType } from '../../../reference/storage.ts';
import { BundleError, bundleKernelModule, type KernelBundle } from './browser-bundle.ts';
import { type KernelServer, serveKernelDirectory } from './browser-server.ts';
import { checkKernelContract, errorText } from './kernel-contract.ts';
import {
  checkKernelOutput,
  type KernelOperands,
  mutatedOperands,
  settleWithin,
  TIMED_OUT,
} from './run-case.ts';
import { type HostCore, serialHost } from './serial-host.ts';
import { TailBuffer } from './tail-buffer.ts';
import { HostStartError, type KernelHost, type RunOutcome } from './types.ts';

/** Options of {@link openBrowserHost}. */
export interface BrowserHostOptions {
  /** Chromium binary; default $CONVCHECK_CHROMIUM, then the usual Debian/Ubuntu paths. */
  executablePath?: string;
  /** Time allowed to start the browser, open the page and import the module; default 60 000 ms. */
  startTimeoutMs?: number;
  /** Time allowed for one `supports()` call; default 10 000 ms. */
  supportsTimeoutMs?: number;
  /**
   * Called when a browser the host started disconnects (its process died or was
   * closed): the moment the host knows it must start another. Tests wait on it
   * instead of sleeping.
   */
  onBrowserDisconnected?: () => void;
}

/** Flags that give headless Chromium WebGPU on SwiftShader's CPU Vulkan (no GPU needed). */
export const CHROMIUM_WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--no-sandbox',
] as const;

const CHROMIUM_CANDIDATES = [
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

/** How to get what --browser needs; every "cannot start" message ends with it. */
export const BROWSER_INSTALL_HINT =
  'the browser host needs Chromium with WebGPU: install it with `apt-get install -y chromium` ' +
  '(Debian/Ubuntu), or set CONVCHECK_CHROMIUM to a Chromium or Chrome binary';

/** The Chromium binary to launch, or undefined when none is installed. */
export function findChromium(explicit?: string): string | undefined {
  const wanted = explicit ?? process.env.CONVCHECK_CHROMIUM;
  if (wanted !== undefined && wanted !== '') return existsSync(wanted) ? wanted : undefined;
  return CHROMIUM_CANDIDATES.find((path) => existsSync(path));
}

/** What the page reports after importing the module (browser-page.mjs `load`). */
interface Loaded {
  failure?: string;
  noWebGpu?: boolean;
  adapter?: string;
  exported?: string;
  name?: unknown;
  nameShape?: string;
  dtype?: unknown;
  padding?: unknown;
  finiteOnly?: unknown;
  layout?: unknown;
  weightLayout?: unknown;
  convType?: string;
  /** The other ops' methods, by name: their type, and a primitive's value. */
  methods?: Record<string, { type: string; value?: unknown }>;
  supportsType?: string;
}

/** What the page reports for one case (browser-page.mjs `run`). */
interface PageRun {
  deviceLost?: string;
  threw?: string;
  gpuErrors?: string[];
  output?: KernelArray;
  outputShape?: { type: string; length?: number };
  /** The kernel's copies of the operands, in call order, after the call. */
  used?: (KernelArray | undefined)[];
  ms?: number;
}

type SupportsReply = { answer: true | string } | { shape: { type: string } } | { threw: string };

interface Session {
  page: Page;
  loaded: Loaded;
  /** Console errors and uncaught exceptions of the page since the last case. */
  console: TailBuffer;
  /** Why the page can no longer be used (crashed, closed), once it cannot. */
  dead: string | undefined;
}

async function launchChromium(
  path: string,
  executablePath: string,
  onDisconnected: (() => void) | undefined,
): Promise<Browser> {
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new HostStartError(
      path,
      `the npm package playwright-core is missing; ${BROWSER_INSTALL_HINT}`,
    );
  }
  try {
    // The harness's shutdown module owns SIGINT/SIGTERM (partial reports first, then exit
    // 130/143); Playwright's handlers would exit at once. Its 'exit' handler, always
    // installed, still kills the browser when the harness exits.
    const browser = await chromium.launch({
      executablePath,
      args: [...CHROMIUM_WEBGPU_FLAGS],
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    if (onDisconnected !== undefined) browser.on('disconnected', onDisconnected);
    return browser;
  } catch (e) {
    const first = errorText(e).split('\n')[0];
    throw new HostStartError(path, `Chromium did not start (${first}); ${BROWSER_INSTALL_HINT}`);
  }
}

/**
 * Opens a WebGPU kernel module (.js or .mjs; its default export is a ConvKernel
 * whose `conv` may use `ctx.device`) in a page of headless Chromium. The module
 * is bundled with its imports, packages included (browser-bundle.ts), and served
 * with its directory on 127.0.0.1.
 *
 * Rejects with {@link HostStartError} when Chromium or WebGPU is missing (the
 * message says how to install it), or when the module cannot be imported or
 * breaks the contract.
 *
 * @example
 * ```ts
 * const host = await openBrowserHost('docs/examples/naive-webgpu-kernel.mjs');
 * const r = await host.run(p, x, w, undefined, 20_000);
 * await host.close();
 * ```
 */
export async function openBrowserHost(
  path: string,
  options: BrowserHostOptions = {},
): Promise<KernelHost> {
  const modulePath = resolve(path);
  if (!existsSync(modulePath)) throw new HostStartError(path, `module not found (${modulePath})`);
  if (!['.js', '.mjs'].includes(extname(modulePath))) {
    throw new HostStartError(
      path,
      'the browser host runs .js or .mjs modules (the page cannot load TypeScript)',
    );
  }
  const executable = findChromium(options.executablePath);
  if (executable === undefined)
    throw new HostStartError(path, `Chromium not found; ${BROWSER_INSTALL_HINT}`);
  let bundle: KernelBundle | undefined;
  try {
    bundle = await bundleKernelModule(modulePath);
  } catch (e) {
    if (e instanceof BundleError) throw new HostStartError(path, e.message);
    throw e;
  }
  const server = await serveKernelDirectory(
    dirname(modulePath),
    bundle && { fileName: basename(modulePath), bundle },
  );
  let browser: Browser;
  try {
    browser = await launchChromium(path, executable, options.onBrowserDisconnected);
  } catch (e) {
    await server.close();
    throw e;
  }
  const moduleUrl = `${server.origin}/kernel/${encodeURIComponent(basename(modulePath))}`;
  const core = new BrowserHost(path, executable, browser, server, moduleUrl, options);
  try {
    await core.start();
  } catch (e) {
    await core.close();
    throw e;
  }
  return serialHost(core);
}

class BrowserHost implements HostCore {
  name = '';
  dtype: KernelDType = 'float32';
  padding: PaddingRule = 'zeros';
  finiteOnly = false;
  /** The declared layouts: the host hands operands over in them (serial-host.ts). */
  layouts: KernelLayouts = CANONICAL_LAYOUTS;
  /** The ops whose methods the module has (the quantized ones are not run in the page). */
  ops: readonly OpName[] = ['conv'];
  private hasSupports = false;
  private session: Session | undefined;

  constructor(
    private readonly path: string,
    private readonly executable: string,
    private browser: Browser,
    private readonly server: KernelServer,
    private readonly moduleUrl: string,
    private readonly options: BrowserHostOptions,
  ) {}

  /** Opens the first page and checks the module's contract; throws HostStartError. */
  async start(): Promise<void> {
    const opened = await this.openSession();
    if ('failure' in opened) throw new HostStartError(this.path, opened.failure);
    const { loaded } = opened.value;
    const checked = checkKernelContract(
      loaded.exported === 'object'
        ? {
            name: loaded.name !== undefined ? loaded.name : nameStandIn(loaded.nameShape),
            conv: loaded.convType === 'function' ? () => undefined : undefined,
            ...methodStandIns(loaded.methods ?? {}),
            dtype: loaded.dtype,
            padding: loaded.padding,
            finiteOnly: loaded.finiteOnly,
            layout: loaded.layout,
            weightLayout: loaded.weightLayout,
            supports:
              loaded.supportsType === 'function'
                ? () => true
                : loaded.supportsType === 'undefined'
                  ? undefined
                  : loaded.supportsType,
          }
        : loaded.exported === 'undefined'
          ? undefined
          : `<${loaded.exported}>`,
    );
    if ('violation' in checked) throw new HostStartError(this.path, checked.violation);
    this.name = checked.kernel.name;
    this.dtype = checked.kernel.dtype ?? 'float32';
    this.padding = checked.kernel.padding ?? 'zeros';
    this.finiteOnly = checked.kernel.finiteOnly === true;
    this.layouts = layoutsOf(checked.kernel);
    this.hasSupports = checked.kernel.supports !== undefined;
    const methods = loaded.methods ?? {};
    // The quantized ops a module implements are listed too: the page does not run them,
    // and a run reports each as SKIP with that reason (check-kernel.ts) rather than not at all.
    this.ops = OP_NAMES.filter((op) =>
      op === 'conv' ? loaded.convType === 'function' : methods[OPS[op].method]?.type === 'function',
    );
    this.session = opened.value;
  }

  async supports(problem: ConvProblem, op: OpName = 'conv'): Promise<true | string> {
    if (!this.hasSupports) return true;
    const live = await this.liveSession();
    if ('failure' in live) throw new Error(`supports(): ${live.failure}`);
    const timeoutMs = this.options.supportsTimeoutMs ?? 10_000;
    const args = [problem, op];
    const reply = await this.evaluate(live.value, 'supports', args, timeoutMs, 'supports()');
    if ('failure' in reply) throw new Error(reply.failure);
    const answer = reply.value as SupportsReply;
    if ('threw' in answer) throw new Error(`supports() threw: ${answer.threw}`);
    if ('shape' in answer) {
      throw new Error(
        `supports() returned ${answer.shape.type}; it must return true or a reason string`,
      );
    }
    return answer.answer;
  }

  async run(
    problem: ConvProblem,
    operands: KernelOperands,
    timeoutMs: number,
    op: OpName = 'conv',
  ): Promise<RunOutcome<KernelArray>> {
    const live = await this.liveSession();
    if ('failure' in live) return { kind: 'error', message: live.failure };
    const session = live.value;
    session.console.clear();
    const { method } = OPS[op];
    const args = [problem, callOperands(op, operands), method];
    const reply = await this.evaluate(session, 'run', args, timeoutMs, method);
    if ('failure' in reply)
      return { kind: 'error', message: this.withConsole(session, reply.failure) };
    return this.judge(session, problem, operands, reply.value as PageRun, op);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.close();
  }

  private judge(
    session: Session,
    problem: ConvProblem,
    operands: KernelOperands,
    r: PageRun,
    op: OpName,
  ): RunOutcome<KernelArray> {
    const error = (message: string): RunOutcome<KernelArray> => ({
      kind: 'error',
      message: this.withConsole(session, message),
    });
    if (r.deviceLost !== undefined) {
      session.dead = r.deviceLost;
      void session.page.close().catch(() => undefined);
      return error(`${r.deviceLost} (the page restarts for the next case)`);
    }
    const gpu = r.gpuErrors?.length ? `; WebGPU errors: ${r.gpuErrors.join(' | ')}` : '';
    const { method } = OPS[op];
    if (r.threw !== undefined) return error(`${method} threw: ${r.threw}${gpu}`);
    if (gpu !== '') return error(`${method} raised WebGPU errors: ${r.gpuErrors!.join(' | ')}`);
    const outputLength =
      op === 'conv'
        ? convGeometry(problem).outputLength
        : opEntry(op).geometry(problem).outputLength;
    const wrong = checkKernelOutput(r.output, this.dtype, outputLength, method);
    if (wrong !== undefined) {
      // What is not a typed array stayed in the page: its description came instead.
      const returned = r.output === undefined ? describeShape(r.outputShape) : undefined;
      const undefinedReturn = `${method} returned undefined`;
      return error(
        returned ? wrong.replace(undefinedReturn, `${method} returned ${returned}`) : wrong,
      );
    }
    if (r.used === undefined) return error('the page did not return the operands');
    const [input, weight, bias] = r.used;
    return {
      kind: 'output',
      output: r.output as KernelArray,
      mutatedInputs: mutatedOperands(operands, { input: input!, weight: weight!, bias }),
      ms: r.ms ?? 0,
    };
  }

  private withConsole(session: Session, message: string): string {
    const logged = session.console.text().trim();
    return logged === '' ? message : `${message}\npage console errors:\n${logged}`;
  }

  /** Evaluates in the page; a timeout or a crash closes the page (it restarts for the next case). */
  private async evaluate(
    session: Session,
    method: 'supports' | 'run',
    args: unknown[],
    timeoutMs: number,
    call: string,
  ): Promise<{ value: unknown } | { failure: string }> {
    const work = session.page.evaluate(callInPage, { method, args }).then(
      (value) => ({ value }),
      (e: unknown) => ({ failure: `${call}: the page failed (${errorText(e).split('\n')[0]})` }),
    );
    const settled = await settleWithin(work, timeoutMs);
    if (settled === TIMED_OUT) {
      session.dead = 'timed out';
      await session.page.close().catch(() => undefined);
      return {
        failure: `${call} timed out after ${timeoutMs} ms (page closed; it restarts for the next case)`,
      };
    }
    if ('failure' in settled) {
      session.dead ??= settled.failure;
      await session.page.close().catch(() => undefined);
      if (session.dead !== settled.failure) return { failure: `${call}: ${session.dead}` };
    }
    return settled;
  }

  private async liveSession(): Promise<{ value: Session } | { failure: string }> {
    const usable = this.session?.dead === undefined && this.browser.isConnected();
    if (this.session !== undefined && usable) return { value: this.session };
    const opened = await this.openSession();
    if ('failure' in opened)
      return { failure: `the page could not be restarted: ${opened.failure}` };
    this.session = opened.value;
    return opened;
  }

  private async openSession(): Promise<{ value: Session } | { failure: string }> {
    if (!this.browser.isConnected()) {
      // The browser itself died (killed, out of memory): start another, as the module host
      // restarts its child.
      try {
        this.browser = await launchChromium(
          this.path,
          this.executable,
          this.options.onBrowserDisconnected,
        );
      } catch (e) {
        return { failure: `the browser died and could not be restarted (${errorText(e)})` };
      }
    }
    const page = await this.browser.newPage();
    const session: Session = { page, loaded: {}, console: new TailBuffer(4096), dead: undefined };
    page.on('console', (m) => {
      if (m.type() === 'error') session.console.append(Buffer.from(`${m.text()}\n`));
    });
    page.on('pageerror', (e) => session.console.append(Buffer.from(`uncaught: ${e.message}\n`)));
    page.on('crash', () => {
      session.dead = 'the page crashed';
    });
    const startTimeoutMs = this.options.startTimeoutMs ?? 60_000;
    const loading = (async () => {
      await page.goto(`${this.server.origin}/`);
      await page.addScriptTag({ url: '/__convcheck/runner.mjs', type: 'module' });
      await page.waitForFunction(() => '__convcheck' in globalThis);
      const methods = OP_NAMES.filter((op) => op !== 'conv').map((op) => OPS[op].method);
      return page.evaluate(
        ({ url, methods }) => (globalThis as unknown as PageApi).__convcheck.load(url, methods),
        { url: this.moduleUrl, methods },
      );
    })().then(
      (loaded) => ({ loaded }),
      (e: unknown) => ({ failure: `the page did not load (${errorText(e).split('\n')[0]})` }),
    );
    const settled = await settleWithin(loading, startTimeoutMs);
    const failure =
      settled === TIMED_OUT
        ? `the module did not load within ${startTimeoutMs} ms`
        : 'failure' in settled
          ? settled.failure
          : settled.loaded.noWebGpu
            ? `WebGPU is unavailable in Chromium (${settled.loaded.failure}); ${BROWSER_INSTALL_HINT}`
            : settled.loaded.failure;
    if (failure !== undefined || settled === TIMED_OUT || 'failure' in settled) {
      await page.close().catch(() => undefined);
      return { failure: failure ?? 'the page did not load' };
    }
    session.loaded = settled.loaded;
    return { value: session };
  }
}

/**
 * The op's operands in call order: conv and ConvTranspose keep the bias slot
 * (undefined without a bias) so that `ctx` is always their fifth argument; the
 * backward passes take two operands.
 */
function callOperands(op: OpName, { input, weight, bias }: KernelOperands): unknown[] {
  return op === 'conv' || op === 'convtranspose' ? [input, weight, bias] : [input, weight];
}

/** Values of the kinds the module's op methods were, for the contract check. */
function methodStandIns(
  methods: Record<string, { type: string; value?: unknown }>,
): Record<string, unknown> {
  const standIn = ({ type, value }: { type: string; value?: unknown }): unknown => {
    if (type === 'function') return () => undefined;
    if (type === 'undefined') return undefined;
    // Primitives came as they are; an object only by its shape.
    return value !== undefined ? value : nameStandIn(type);
  };
  return Object.fromEntries(Object.entries(methods).map(([name, m]) => [name, standIn(m)]));
}

/** A value of the kind the page's `name` was, for the contract check's verdict and message. */
function nameStandIn(shape: string | undefined): unknown {
  if (shape === 'function') return () => undefined;
  if (shape === undefined || shape === 'undefined') return undefined;
  return shape === 'Array' ? [] : {};
}

/** Names what conv returned in the page, as describeValue would in Node. */
function describeShape(shape: PageRun['outputShape']): string {
  if (shape === undefined) return 'nothing';
  if (shape.type === 'Array') return `a plain Array(${shape.length})`;
  if (shape.length !== undefined) return `${shape.type}(${shape.length})`;
  return shape.type === 'undefined' || shape.type === 'null' ? shape.type : `a ${shape.type}`;
}

/** The runner's API in the page (browser-page.mjs). */
interface PageApi {
  __convcheck: {
    load(url: string, methods: string[]): Promise<Loaded>;
    supports(...args: unknown[]): SupportsReply;
    run(...args: unknown[]): Promise<PageRun>;
  };
}

/** Runs in the page: one call of the runner (its arguments arrive deserialized, typed arrays included). */
function callInPage({ method, args }: { method: 'supports' | 'run'; args: unknown[] }): unknown {
  return (globalThis as unknown as PageApi).__convcheck[method](...args);
}
