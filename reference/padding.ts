/**
 * Padding conventions of the major frameworks, turned into explicit per-dimension
 * padBegin/padEnd arrays.
 */
import { ProblemError } from './errors.ts';
import { samePadding } from './formulas.ts';

/** Explicit pads, one entry per spatial dimension. */
export interface ExplicitPads {
  padBegin: number[];
  padEnd: number[];
}

/** Spatial attributes a 'same' pad depends on. */
export interface SamePaddingInput {
  inputSize: readonly number[];
  kernelSize: readonly number[];
  stride: readonly number[];
  dilation: readonly number[];
}

/**
 * Named conventions: 'valid' (no padding), 'same-upper' (ONNX SAME_UPPER,
 * TensorFlow 'SAME': the odd unit at the end), 'same-lower' (ONNX SAME_LOWER).
 */
export type PaddingConvention = 'valid' | 'same-upper' | 'same-lower';

/**
 * Explicit pads for a named convention. 'same' uses the dilated kernel.
 *
 * @example
 * ```ts
 * padsFor('same-upper', { inputSize: [5], kernelSize: [4], stride: [1], dilation: [1] });
 * // { padBegin: [1], padEnd: [2] }
 * ```
 */
export function padsFor(convention: PaddingConvention, geometry: SamePaddingInput): ExplicitPads {
  const rank = geometry.inputSize.length;
  if (convention === 'valid') {
    return { padBegin: new Array(rank).fill(0), padEnd: new Array(rank).fill(0) };
  }
  if (convention !== 'same-upper' && convention !== 'same-lower') {
    throw new ProblemError('padding', convention, "'valid', 'same-upper' or 'same-lower'");
  }
  const side = convention === 'same-upper' ? 'upper' : 'lower';
  const pads = geometry.inputSize.map((input, i) =>
    samePadding(input, geometry.kernelSize[i]!, geometry.stride[i]!, geometry.dilation[i]!, side),
  );
  return { padBegin: pads.map((p) => p.padBegin), padEnd: pads.map((p) => p.padEnd) };
}

/**
 * PyTorch's symmetric `padding`: one number for every dimension, or one per
 * dimension; the same amount at both ends.
 *
 * @example
 * ```ts
 * torchPads(1, 2);      // { padBegin: [1, 1], padEnd: [1, 1] }
 * torchPads([0, 2], 2); // { padBegin: [0, 2], padEnd: [0, 2] }
 * ```
 */
export function torchPads(padding: number | readonly number[], rank: number): ExplicitPads {
  const each = typeof padding === 'number' ? new Array<number>(rank).fill(padding) : [...padding];
  if (each.length !== rank) {
    throw new ProblemError('padding', padding, `a number or an array of ${rank} numbers`);
  }
  each.forEach((v, i) => {
    checkPad(`padding[${i}]`, v);
  });
  return { padBegin: each, padEnd: [...each] };
}

/**
 * ONNX `pads`: [x1_begin, x2_begin, …, x1_end, x2_end, …].
 *
 * @example
 * ```ts
 * onnxPads([1, 0, 2, 3]); // { padBegin: [1, 0], padEnd: [2, 3] }
 * ```
 */
export function onnxPads(pads: readonly number[]): ExplicitPads {
  if (pads.length === 0 || pads.length % 2 !== 0) {
    throw new ProblemError('pads', pads, 'an array of even length [begins..., ends...]');
  }
  pads.forEach((v, i) => {
    checkPad(`pads[${i}]`, v);
  });
  const rank = pads.length / 2;
  return { padBegin: pads.slice(0, rank), padEnd: pads.slice(rank) };
}

/**
 * Explicit pads from a [top, bottom, left, right]-style list, as in network files:
 * begin and end per dimension, in dimension order.
 *
 * @example
 * ```ts
 * pairedPads([1, 2, 0, 1]); // { padBegin: [1, 0], padEnd: [2, 1] }
 * ```
 */
export function pairedPads(pads: readonly number[]): ExplicitPads {
  if (pads.length === 0 || pads.length % 2 !== 0) {
    throw new ProblemError('pad', pads, 'an array [begin, end, begin, end, ...] of even length');
  }
  pads.forEach((v, i) => {
    checkPad(`pad[${i}]`, v);
  });
  const padBegin: number[] = [];
  const padEnd: number[] = [];
  for (let i = 0; i < pads.length; i += 2) {
    padBegin.push(pads[i]!);
    padEnd.push(pads[i + 1]!);
  }
  return { padBegin, padEnd };
}

function checkPad(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ProblemError(field, value, 'a non-negative integer');
  }
}
