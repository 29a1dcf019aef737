/**
 * The implementations the benchmark times, each loaded on demand so that a
 * module still being written (or a peer package that fails to load) becomes
 * an "n/a (reason)" cell instead of a crash.
 */

import type { OracleOutput } from '../../../impl/peers/accuracy.ts';
import { loadOrtKernel } from '../../../impl/peers/ort.ts';
import { messageOf, type PeerLoad } from '../../../impl/peers/peer.ts';
import type { PeerData } from '../../../impl/peers/test-problems.ts';
import { loadTfjsKernel } from '../../../impl/peers/tfjs.ts';
import { gamma, unitRoundoff } from '../../../reference/float.ts';
import {
  type ConvKernel,
  type ConvProblem,
  convGeometry,
  referenceConv,
} from '../../../reference/index.ts';

/**
 * How an implementation's output is checked against the oracle:
 * 'oracle' is the oracle itself; 'direct' sums the products directly (any
 * order), so it gets the float32 direct-sum bound; 'transformed' computes
 * through Winograd transforms and gets its own rigorous bound when it exports
 * one, else TOSA's looser bound.
 */
export type CheckKind = 'oracle' | 'direct' | 'transformed';

/** One benchmark column. */
export interface BenchImpl {
  /** The impl id of the table, `--impls` and the JSON. */
  id: string;
  check: CheckKind;
  load: () => Promise<PeerLoad>;
  /**
   * The implementation's own rigorous per-element bound for these operands,
   * if it has one; used instead of the generic bound of its check kind.
   */
  errorBound?: (
    p: ConvProblem,
    data: PeerData,
    oracle: OracleOutput,
  ) => Promise<ElementBound | undefined>;
}

/** A named per-element tolerance. */
export interface ElementBound {
  name: string;
  tolerance: (magnitude: number, index: number) => number;
}

/** The oracle as a kernel; the benchmark times it on its single oracle run per shape. */
export const referenceKernel: ConvKernel = {
  name: 'reference',
  dtype: 'float64',
  conv: (p, input, weight, bias) => referenceConv(p, input, weight, bias),
};

function isConvKernel(value: unknown): value is ConvKernel {
  if (typeof value !== 'object' || value === null) return false;
  const k = value as Partial<Record<keyof ConvKernel, unknown>>;
  return typeof k.name === 'string' && typeof k.conv === 'function';
}

/**
 * Imports a sibling module that may not exist yet, or returns why it cannot.
 * The path is resolved at run time so that type-checking does not depend on it.
 */
async function importOptional(modulePath: string): Promise<Record<string, unknown> | string> {
  try {
    return (await import(new URL(modulePath, import.meta.url).href)) as Record<string, unknown>;
  } catch (error) {
    return `cannot import ${shownPath(modulePath)}: ${messageOf(error)}`;
  }
}

function shownPath(modulePath: string): string {
  return modulePath.replace(/^(\.\.\/)+/, '');
}

/** Loads the ConvKernel `exportName` of an optional module. */
async function loadModuleKernel(modulePath: string, exportName: string): Promise<PeerLoad> {
  const module = await importOptional(modulePath);
  if (typeof module === 'string') return { unavailable: module };
  const kernel = module[exportName];
  return isConvKernel(kernel)
    ? kernel
    : { unavailable: `${shownPath(modulePath)} has no ConvKernel '${exportName}'` };
}

const WINOGRAD_MODULE = '../../../impl/winograd/index.ts';
const WASM_MODULE = '../../../impl/wasm/index.ts';

function isFloat64ArrayOf(value: unknown, length: number): value is Float64Array {
  return value instanceof Float64Array && value.length === length;
}

/**
 * The Winograd module's own rigorous per-element bound for tile size m,
 * |ŷ − y| ≤ absolute[i] + relative·|y[i]| (impl/winograd/error-bound.ts),
 * widened by the float64 oracle's own error. Undefined when the module does
 * not export it (yet) in that form; the caller then falls back to TOSA's bound.
 */
async function winogradBound(
  m: number,
  p: ConvProblem,
  data: PeerData,
  oracle: OracleOutput,
): Promise<ElementBound | undefined> {
  const module = await importOptional(WINOGRAD_MODULE);
  const boundOf = typeof module === 'string' ? undefined : module.winogradErrorBound;
  if (typeof boundOf !== 'function') return undefined;
  const bound: unknown = boundOf(p, data.input, data.weight, data.bias, { m, dtype: 'float32' });
  const { absolute, relative } = (bound ?? {}) as { absolute?: unknown; relative?: unknown };
  if (!isFloat64ArrayOf(absolute, oracle.expected.length) || typeof relative !== 'number') {
    return undefined;
  }
  const oracleError = gamma(convGeometry(p).reductionLength + 1, unitRoundoff('float64'));
  return {
    name: `winogradErrorBound(m = ${m}) from impl/winograd`,
    tolerance: (magnitude, i) =>
      absolute[i]! + relative * Math.abs(oracle.expected[i]!) + oracleError * magnitude,
  };
}

/**
 * Every implementation, in table order.
 *
 * @example
 * ```ts
 * for (const impl of benchImpls) console.log(impl.id, await impl.load());
 * ```
 */
export const benchImpls: readonly BenchImpl[] = [
  { id: 'reference', check: 'oracle', load: async () => referenceKernel },
  {
    id: 'im2col',
    check: 'direct',
    load: () => loadModuleKernel('../../../impl/im2col/index.ts', 'im2colKernel'),
  },
  {
    id: 'im2col-simd',
    check: 'direct',
    load: () => loadModuleKernel(WASM_MODULE, 'im2colSimdKernel'),
  },
  {
    id: 'im2col-simd-2t',
    check: 'direct',
    load: () => loadModuleKernel(WASM_MODULE, 'im2colSimd2tKernel'),
  },
  {
    id: 'winograd-f2',
    check: 'transformed',
    load: () => loadModuleKernel(WINOGRAD_MODULE, 'winogradF2Kernel'),
    errorBound: (p, data, oracle) => winogradBound(2, p, data, oracle),
  },
  {
    id: 'winograd-f4',
    check: 'transformed',
    load: () => loadModuleKernel(WINOGRAD_MODULE, 'winogradF4Kernel'),
    errorBound: (p, data, oracle) => winogradBound(4, p, data, oracle),
  },
  {
    id: 'winograd-f2-simd',
    check: 'transformed',
    load: () => loadModuleKernel(WASM_MODULE, 'winogradF2SimdKernel'),
    errorBound: (p, data, oracle) => winogradBound(2, p, data, oracle),
  },
  {
    id: 'winograd-f4-simd',
    check: 'transformed',
    load: () => loadModuleKernel(WASM_MODULE, 'winogradF4SimdKernel'),
    errorBound: (p, data, oracle) => winogradBound(4, p, data, oracle),
  },
  { id: 'tfjs-cpu', check: 'direct', load: () => loadTfjsKernel('cpu') },
  { id: 'tfjs-wasm', check: 'direct', load: () => loadTfjsKernel('wasm') },
  { id: 'ort', check: 'direct', load: loadOrtKernel },
];
