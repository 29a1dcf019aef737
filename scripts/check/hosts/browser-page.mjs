// The browser host's side inside the page (served as /__convcheck/runner.mjs; see
// browser-host.ts). Plain JS with no imports: it runs in Chromium, not in Node.
// It opens one GPUDevice, imports the kernel module, and answers the host's calls
// through `window.__convcheck`. Operands arrive and leave as typed arrays, which
// Playwright moves as bytes (base64), never as JSON arrays of numbers.

const state = { kernel: undefined, device: undefined, lost: undefined, gpuErrors: [] };

function errorText(thrown) {
  if (thrown instanceof Error)
    return thrown.message ? `${thrown.name}: ${thrown.message}` : thrown.name;
  try {
    return String(thrown);
  } catch {
    return typeof thrown;
  }
}

/** What a value is, for the host's contract check and messages (never the value itself). */
function shapeOf(value) {
  if (value === null) return { type: 'null' };
  if (ArrayBuffer.isView(value)) return { type: value.constructor.name, length: value.length };
  if (Array.isArray(value)) return { type: 'Array', length: value.length };
  if (typeof value === 'object') return { type: value.constructor?.name ?? 'object' };
  return { type: typeof value };
}

async function openDevice() {
  if (!('gpu' in navigator)) return { failure: 'navigator.gpu is absent (WebGPU disabled)' };
  const adapter = await navigator.gpu.requestAdapter();
  if (adapter === null) return { failure: 'navigator.gpu.requestAdapter() returned null' };
  const device = await adapter.requestDevice();
  device.lost.then((info) => {
    state.lost = `the GPU device was lost (${info.reason}: ${info.message})`;
  });
  device.addEventListener('uncapturederror', (event) => {
    state.gpuErrors.push(`${event.error.constructor.name}: ${event.error.message}`);
  });
  state.device = device;
  const info = adapter.info ?? {};
  return { adapter: [info.vendor, info.architecture, info.device].filter(Boolean).join(' / ') };
}

/** A member of the module for the host's contract check: primitives as they are, objects by shape. */
function member(value) {
  if (typeof value === 'function') return { type: 'function' };
  if (value !== null && typeof value === 'object') return { type: shapeOf(value).type };
  return { type: typeof value, value };
}

async function load(url, methods = []) {
  const device = await openDevice();
  if ('failure' in device) return { failure: device.failure, noWebGpu: true };
  let namespace;
  try {
    namespace = await import(url);
  } catch (e) {
    return { failure: `cannot import the module: ${errorText(e)}` };
  }
  const k = namespace.default;
  state.kernel = k;
  const isObject = k !== null && typeof k === 'object';
  return {
    adapter: device.adapter,
    exported: k === undefined ? 'undefined' : isObject ? 'object' : shapeOf(k).type,
    // Primitives travel as they are; an object or function name only by its shape.
    name:
      isObject && (k.name === null || !['object', 'function'].includes(typeof k.name))
        ? k.name
        : undefined,
    nameShape: isObject ? shapeOf(k.name).type : undefined,
    dtype: isObject ? k.dtype : undefined,
    padding: isObject ? k.padding : undefined,
    finiteOnly: isObject ? k.finiteOnly : undefined,
    layout: isObject ? k.layout : undefined,
    weightLayout: isObject ? k.weightLayout : undefined,
    convType: isObject ? typeof k.conv : undefined,
    // The other ops' methods (convTranspose, …), named by the host from the op registry.
    methods: isObject ? Object.fromEntries(methods.map((m) => [m, member(k[m])])) : {},
    supportsType: isObject ? typeof k.supports : undefined,
  };
}

function supports(problem, op = 'conv') {
  try {
    const answer = state.kernel.supports(problem, op);
    if (answer === true || typeof answer === 'string') return { answer };
    return { shape: shapeOf(answer) };
  } catch (e) {
    return { threw: errorText(e) };
  }
}

async function popErrors(device) {
  const found = [];
  for (let i = 0; i < 3; i++) {
    // A kernel that popped more scopes than it pushed emptied the stack: nothing left to read.
    const error = await device.popErrorScope().catch(() => null);
    if (error) found.push(`${error.constructor.name}: ${error.message}`);
  }
  return found;
}

/**
 * Calls `method` (conv, convTranspose, …) with the op's operands in call order,
 * then `ctx`: conv(p, x, w, b, ctx), convBackwardData(p, dy, w, ctx).
 */
async function run(problem, operands, method = 'conv') {
  const device = state.device;
  if (state.lost) return { deviceLost: state.lost };
  // Private copies: what the kernel leaves in them goes back for the write check.
  const used = operands.map((operand) => operand?.slice());
  state.gpuErrors = [];
  device.pushErrorScope('validation');
  device.pushErrorScope('internal');
  device.pushErrorScope('out-of-memory');
  const started = performance.now();
  let result;
  let threw;
  try {
    result = await state.kernel[method](problem, ...used, { device });
  } catch (e) {
    threw = errorText(e);
  }
  const ms = performance.now() - started;
  const gpuErrors = [...(await popErrors(device)), ...state.gpuErrors];
  if (state.lost) return { deviceLost: state.lost, used };
  if (threw !== undefined) return { threw, gpuErrors, used };
  const output = ArrayBuffer.isView(result) ? result : undefined;
  return { output, outputShape: shapeOf(result), gpuErrors, used, ms };
}

window.__convcheck = { load, supports, run };
