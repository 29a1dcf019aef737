/**
 * Checks that a value honours the ConvKernel contract, and asks a kernel's
 * `supports()` safely. Shared by the in-process host and the module host's child,
 * so a built-in kernel and a foreign module are judged by the same words.
 */

import { show } from '../../../reference/errors.ts';
import type { AnyConvKernel, ConvProblem } from '../../../reference/index.ts';
import { ACTIVATION_LAYOUTS, WEIGHT_LAYOUTS } from '../../../reference/layout.ts';
import { OP_NAMES, OPS, type OpName } from '../../../reference/ops.ts';
import { KERNEL_DTYPES } from '../../../reference/storage.ts';

/** A kernel that passed the contract check, or why it did not. */
export type ContractCheck = { kernel: AnyConvKernel } | { violation: string };

/**
 * Names a value for an error message: `Float64Array(12)`, `Array(3)`, `null`,
 * `a Promise`, or the value itself when small.
 *
 * @example
 * ```ts
 * describeValue(new Float64Array(12)); // 'Float64Array(12)'
 * ```
 */
export function describeValue(value: unknown): string {
  if (ArrayBuffer.isView(value) && 'length' in value) {
    return `${value.constructor.name}(${(value as { length: number }).length})`;
  }
  if (Array.isArray(value)) return `a plain Array(${value.length})`;
  if (value instanceof Promise) return 'a Promise';
  if (typeof value === 'function') return 'a function';
  const text = show(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/**
 * Checks the shape of a would-be kernel: an object with a string `name`, a `conv`
 * function (or, for a kernel of the quantized ops only, `convInteger` and/or
 * `qlinearConv` and no `conv`), an optional `dtype` of 'float32', 'float64', 'float16' or 'bfloat16'
 * (the last two: `Uint16Array`s of raw patterns) and an optional `supports`
 * function.
 *
 * @example
 * ```ts
 * const c = checkKernelContract(module.default);
 * if ('violation' in c) throw new Error(c.violation);
 * ```
 */
export function checkKernelContract(candidate: unknown): ContractCheck {
  if (candidate === undefined) {
    return { violation: 'no default export (expected `export default { name, conv }`)' };
  }
  if (candidate === null || typeof candidate !== 'object') {
    return {
      violation: `the default export is ${describeValue(candidate)}, expected an object { name, conv }`,
    };
  }
  const k = candidate as Record<string, unknown>;
  // A kernel of the quantized ops only (reference/quantized-kernel.ts) needs no conv.
  const quantizedOnly =
    k.conv === undefined &&
    (typeof k.convInteger === 'function' || typeof k.qlinearConv === 'function');
  if (typeof k.conv !== 'function' && !quantizedOnly) {
    return {
      violation: `the default export has no conv function (conv is ${describeValue(k.conv)})`,
    };
  }
  if (typeof k.name !== 'string') {
    return { violation: `name must be a string, got ${describeValue(k.name)}` };
  }
  if (k.dtype !== undefined && !(KERNEL_DTYPES as readonly unknown[]).includes(k.dtype)) {
    const names = KERNEL_DTYPES.map((d) => `'${d}'`).join(', ');
    return { violation: `dtype must be one of ${names}, got ${describeValue(k.dtype)}` };
  }
  if (k.padding !== undefined && k.padding !== 'zeros' && k.padding !== 'skip-taps') {
    return {
      violation: `padding must be 'zeros' or 'skip-taps', got ${describeValue(k.padding)}`,
    };
  }
  if (k.finiteOnly !== undefined && typeof k.finiteOnly !== 'boolean') {
    return { violation: `finiteOnly must be a boolean, got ${describeValue(k.finiteOnly)}` };
  }
  const layoutViolation = checkLayoutFields(k);
  if (layoutViolation !== undefined) return { violation: layoutViolation };
  for (const op of OP_NAMES) {
    const method = OPS[op].method;
    if (k[method] !== undefined && typeof k[method] !== 'function') {
      return {
        violation: `${method} must be a function when given, got ${describeValue(k[method])}`,
      };
    }
  }
  for (const name of ['supports', 'supportsQuantized']) {
    if (k[name] !== undefined && typeof k[name] !== 'function') {
      return {
        violation: `${name} must be a function when given, got ${describeValue(k[name])}`,
      };
    }
  }
  return { kernel: candidate as AnyConvKernel };
}

/** Why the optional `layout` / `weightLayout` fields are unusable, or undefined. */
function checkLayoutFields(k: Record<string, unknown>): string | undefined {
  const fields = [
    ['layout', ACTIVATION_LAYOUTS],
    ['weightLayout', WEIGHT_LAYOUTS],
  ] as const;
  for (const [field, allowed] of fields) {
    const value = k[field];
    if (value !== undefined && !(allowed as readonly unknown[]).includes(value)) {
      const names = allowed.map((l) => `'${l}'`).join(', ');
      return `${field} must be one of ${names}, got ${describeValue(value)}`;
    }
  }
  return undefined;
}

/** What `supports()` answered, or why the answer is not usable. */
export type SupportsAnswer = { answer: true | string } | { error: string };

/**
 * Calls `kernel.supports(p)` (absent means `true`) and turns a throw or an answer
 * other than `true` or a string into an error message.
 *
 * @example
 * ```ts
 * const a = askSupports(kernel, p);
 * if ('error' in a) report(a.error); else if (a.answer !== true) skip(a.answer);
 * ```
 */
export function askSupports(
  kernel: AnyConvKernel,
  p: ConvProblem,
  op: OpName = 'conv',
): SupportsAnswer {
  if (kernel.supports === undefined) return { answer: true };
  let answer: unknown;
  try {
    answer = kernel.supports(p, op);
  } catch (e) {
    return { error: `supports() threw: ${errorText(e)}` };
  }
  if (answer === true || typeof answer === 'string') return { answer };
  return {
    error: `supports() returned ${describeValue(answer)}; it must return true or a reason string`,
  };
}

/**
 * The message of a thrown value, whatever was thrown.
 *
 * @example
 * ```ts
 * errorText(new TypeError('boom')); // 'TypeError: boom'
 * errorText(42); // '42'
 * ```
 */
export function errorText(thrown: unknown): string {
  if (thrown instanceof Error)
    return thrown.message ? `${thrown.name}: ${thrown.message}` : thrown.name;
  return describeValue(thrown);
}
