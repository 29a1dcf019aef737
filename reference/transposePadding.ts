/**
 * Padding conventions of ConvTranspose in ONNX, PyTorch and TensorFlow, turned
 * into the explicit padBegin/padEnd/outputPadding of a ConvTransposeProblem.
 * docs/transposed.md works one example of each.
 */
import { ProblemError } from './errors.ts';
import { effectiveKernel, outputSize } from './formulas.ts';
import {
  type ExplicitPads,
  onnxPads,
  padsFor,
  type SamePaddingInput,
  torchPads,
} from './padding.ts';

/** Explicit pads of a transposed convolution, one entry per spatial dimension. */
export interface ExplicitTransposePads extends ExplicitPads {
  outputPadding: number[];
}

/** ONNX ConvTranspose attributes that decide its pads (all optional, as in a model file). */
export interface OnnxConvTransposeAttributes extends SamePaddingInput {
  autoPad?: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  /** [x1_begin, x2_begin, …, x1_end, x2_end, …]; ignored when outputShape or SAME_* decides. */
  pads?: readonly number[];
  outputPadding?: readonly number[];
  /** Spatial output shape only (without batch and channels). */
  outputShape?: readonly number[];
}

function checkedOutputPadding(values: readonly number[] | undefined, rank: number): number[] {
  const each = values === undefined ? new Array<number>(rank).fill(0) : [...values];
  if (each.length !== rank) {
    throw new ProblemError('output_padding', values, `an array of ${rank} non-negative integers`);
  }
  each.forEach((v, i) => {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new ProblemError(`output_padding[${i}]`, v, 'a non-negative integer');
    }
  });
  return each;
}

/**
 * The pads ONNX derives from an output shape: the total
 * S·(I−1) + outputPadding + D·(K−1) + 1 − outputShape is split in half; the
 * odd unit goes to the end for SAME_UPPER and to the beginning otherwise
 * (SAME_LOWER, and NOTSET with output_shape). ONNX before opset 11's text
 * fix said the opposite ("auto_pads != SAME_UPPER"); this follows the
 * current Operators.md and onnxruntime.
 */
function padsFromOutputShape(
  a: OnnxConvTransposeAttributes,
  outputPadding: readonly number[],
  target: readonly number[],
): ExplicitTransposePads {
  const padBegin: number[] = [];
  const padEnd: number[] = [];
  a.inputSize.forEach((input, i) => {
    const total =
      a.stride[i]! * (input - 1) +
      outputPadding[i]! +
      effectiveKernel(a.kernelSize[i]!, a.dilation[i]!) -
      target[i]!;
    if (total < 0) {
      throw new ProblemError(
        `output_shape[${i}]`,
        target[i],
        `at most S·(I−1) + output_padding + D·(K−1) + 1 = ${target[i]! + total} ` +
          '(a larger output needs negative pads, which explicit pads cannot express)',
      );
    }
    const small = Math.floor(total / 2);
    padBegin.push(a.autoPad === 'SAME_UPPER' ? small : total - small);
    padEnd.push(a.autoPad === 'SAME_UPPER' ? total - small : small);
  });
  return { padBegin, padEnd, outputPadding: [...outputPadding] };
}

/**
 * Explicit pads of an ONNX ConvTranspose. With `outputShape`, or with
 * SAME_UPPER/SAME_LOWER (whose output shape is inputSize · stride), the pads
 * are derived from the output shape; with VALID they are zero; otherwise they
 * are `pads` (default zeros).
 *
 * @example
 * ```ts
 * onnxConvTransposePads({ inputSize: [3], kernelSize: [3], stride: [2], dilation: [1],
 *   autoPad: 'SAME_UPPER' });
 * // { padBegin: [0], padEnd: [1], outputPadding: [0] }: output 6 = 3 · 2
 * ```
 */
export function onnxConvTransposePads(a: OnnxConvTransposeAttributes): ExplicitTransposePads {
  const rank = a.inputSize.length;
  const outputPadding = checkedOutputPadding(a.outputPadding, rank);
  const autoPad = a.autoPad ?? 'NOTSET';
  if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad)) {
    throw new ProblemError('auto_pad', autoPad, 'NOTSET, SAME_UPPER, SAME_LOWER or VALID');
  }
  if (autoPad === 'VALID') {
    return { ...padsFor('valid', a), outputPadding };
  }
  if (a.outputShape !== undefined) {
    if (a.outputShape.length !== rank) {
      throw new ProblemError('output_shape', a.outputShape, `an array of ${rank} spatial sizes`);
    }
    return padsFromOutputShape(a, outputPadding, a.outputShape);
  }
  if (autoPad !== 'NOTSET') {
    const target = a.inputSize.map((input, i) => input * a.stride[i]!);
    return padsFromOutputShape(a, outputPadding, target);
  }
  const pads = a.pads === undefined ? padsFor('valid', a) : onnxPads(a.pads);
  if (pads.padBegin.length !== rank) {
    throw new ProblemError('pads', a.pads, `an array of ${2 * rank} entries [begins..., ends...]`);
  }
  return { ...pads, outputPadding };
}

/**
 * Explicit pads of PyTorch's `conv_transpose{1,2,3}d(…, padding, output_padding)`:
 * `padding` rows removed at both ends, `output_padding` rows added at the end.
 *
 * @example
 * ```ts
 * torchConvTransposePads(1, 1, 2); // { padBegin: [1, 1], padEnd: [1, 1], outputPadding: [1, 1] }
 * ```
 */
export function torchConvTransposePads(
  padding: number | readonly number[],
  outputPadding: number | readonly number[],
  rank: number,
): ExplicitTransposePads {
  const each =
    typeof outputPadding === 'number' ? new Array<number>(rank).fill(outputPadding) : outputPadding;
  return { ...torchPads(padding, rank), outputPadding: checkedOutputPadding(each, rank) };
}

/** TensorFlow `conv{1,2,3}d_transpose` attributes: the output shape is required. */
export interface TfConvTransposeAttributes extends SamePaddingInput {
  padding: 'SAME' | 'VALID';
  /** Spatial output shape only (without batch and channels). */
  outputShape: readonly number[];
}

/**
 * Explicit pads of TensorFlow's `conv2d_transpose` (and 1-D/3-D). TF defines it
 * as the gradient of conv2d whose input has `outputShape`: the pads are those
 * of that conv ('SAME': the odd unit at the end), and outputPadding brings back
 * the rows that conv's floor dropped. TF refuses an output shape whose conv
 * output is not `inputSize`; so does this.
 *
 * @example
 * ```ts
 * tfConvTransposePads({ inputSize: [3], kernelSize: [3], stride: [2], dilation: [1],
 *   padding: 'SAME', outputShape: [6] });
 * // { padBegin: [0], padEnd: [1], outputPadding: [0] }
 * ```
 */
export function tfConvTransposePads(a: TfConvTransposeAttributes): ExplicitTransposePads {
  if (a.padding !== 'SAME' && a.padding !== 'VALID') {
    throw new ProblemError('padding', a.padding, "'SAME' or 'VALID'");
  }
  const rank = a.inputSize.length;
  if (a.outputShape.length !== rank) {
    throw new ProblemError('output_shape', a.outputShape, `an array of ${rank} spatial sizes`);
  }
  const forward = { ...a, inputSize: a.outputShape };
  const pads = padsFor(a.padding === 'SAME' ? 'same-upper' : 'valid', forward);
  const outputPadding = a.outputShape.map((o, i) => {
    const k = a.kernelSize[i]!;
    const s = a.stride[i]!;
    const d = a.dilation[i]!;
    const convOut = outputSize(o, k, s, d, pads.padBegin[i]!, pads.padEnd[i]!);
    if (convOut !== a.inputSize[i]) {
      throw new ProblemError(
        `output_shape[${i}]`,
        o,
        `a size whose ${a.padding} conv output is inputSize[${i}] = ${a.inputSize[i]} (it gives ${convOut})`,
      );
    }
    return (o + pads.padBegin[i]! + pads.padEnd[i]! - effectiveKernel(k, d)) % s;
  });
  return { ...pads, outputPadding };
}
