/**
 * The laws of the padding modes: a convolution padded by 'reflect', 'replicate'
 * or 'circular' equals the unpadded ('valid') convolution of the input padded
 * explicitly beforehand, the padding built here from each mode's own
 * description, not from reference/padding-mode.ts:
 *
 * - circular: the input tiled three times along the axis, cut to
 *   [I − padBegin, 2I + padEnd) (zero padding of the tiled input);
 * - reflect: the line mirrored about its edge elements, which are not repeated;
 * - replicate: the edge elements repeated.
 *
 * Integer data keeps both sides exact, so the law holds bit for bit.
 */
import fc from 'fast-check';
import { convGeometry } from '../../reference/geometry.ts';
import { maxPadFor } from '../../reference/padding-mode.ts';
import type { ConvKernel, ConvProblem, PaddingMode } from '../../reference/problem.ts';
import { runKernel } from '../kernels.ts';
import {
  assertSameTensor,
  caseOperands,
  type LawOptions,
  lawCaseArbitrary,
  lawConstraints,
  oracleKernel,
} from './support.ts';

/** The non-zero padding modes, each with its law. */
export type FilledPaddingMode = Exclude<PaddingMode, 'zeros'>;

/** One line of the input padded by `mode`, built from the mode's description. */
function padLine(line: number[], before: number, after: number, mode: FilledPaddingMode): number[] {
  const last = line.length - 1;
  switch (mode) {
    case 'circular': {
      const tiled = [...line, ...line, ...line];
      return tiled.slice(line.length - before, 2 * line.length + after);
    }
    case 'reflect': {
      // x[before], …, x[1] | x | x[I−2], …, x[I−1−after]
      const left = line.slice(1, before + 1).reverse();
      const right = line.slice(last - after, last).reverse();
      return [...left, ...line, ...right];
    }
    case 'replicate':
      return [
        ...new Array<number>(before).fill(line[0]!),
        ...line,
        ...new Array<number>(after).fill(line[last]!),
      ];
  }
}

/** Pads `data` of `shape` along `axis` line by line; returns the new data and shape. */
function padAxis(
  data: Float64Array,
  shape: number[],
  axis: number,
  before: number,
  after: number,
  mode: FilledPaddingMode,
): { data: Float64Array; shape: number[] } {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const size = shape[axis]!;
  const padded = size + before + after;
  const out = new Float64Array(outer * padded * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const line = Array.from({ length: size }, (_, k) => data[(o * size + k) * inner + i]!);
      padLine(line, before, after, mode).forEach((v, k) => {
        out[(o * padded + k) * inner + i] = v;
      });
    }
  }
  const next = shape.slice();
  next[axis] = padded;
  return { data: out, shape: next };
}

/**
 * The same convolution on the explicitly padded input: no pads, zero mode.
 *
 * @example
 * ```ts
 * const { problem, input } = explicitlyPadded(p, x, 'circular');
 * ```
 */
export function explicitlyPadded(
  p: ConvProblem,
  input: Float64Array,
  mode: FilledPaddingMode,
): { problem: ConvProblem; input: Float64Array } {
  let tensor = { data: input, shape: [p.batch, p.inChannels, ...p.inputSize] };
  p.inputSize.forEach((_, d) => {
    tensor = padAxis(tensor.data, tensor.shape, d + 2, p.padBegin[d]!, p.padEnd[d]!, mode);
  });
  const zeros = p.inputSize.map(() => 0);
  const problem: ConvProblem = {
    ...p,
    inputSize: tensor.shape.slice(2),
    padBegin: zeros,
    padEnd: zeros,
    paddingMode: 'zeros',
  };
  return { problem, input: tensor.data };
}

/**
 * `p` under a non-zero padding mode, its pads cut to what the mode allows;
 * undefined when no output or no padding is left.
 *
 * @example
 * ```ts
 * problemUnderMode(p, 'reflect'); // p with paddingMode 'reflect', pads < inputSize
 * ```
 */
export function problemUnderMode(p: ConvProblem, mode: FilledPaddingMode): ConvProblem | undefined {
  const cut = (pads: number[]) => pads.map((v, d) => Math.min(v, maxPadFor(mode, p.inputSize[d]!)));
  const problem = { ...p, paddingMode: mode, padBegin: cut(p.padBegin), padEnd: cut(p.padEnd) };
  try {
    convGeometry(problem);
  } catch {
    return undefined;
  }
  return problem.padBegin.some((v, d) => v + problem.padEnd[d]! > 0) ? problem : undefined;
}

/**
 * conv under `mode` equals the valid conv of the explicitly padded input, on
 * the same kernel.
 *
 * @example
 * ```ts
 * await fc.assert(paddingModeLaw('circular'));
 * ```
 */
export function paddingModeLaw(
  mode: FilledPaddingMode,
  kernel: ConvKernel = oracleKernel,
  options?: LawOptions,
) {
  return fc.asyncProperty(lawCaseArbitrary(lawConstraints(options)), async (c) => {
    const problem = problemUnderMode(c.problem, mode);
    fc.pre(problem !== undefined && (kernel.supports?.(problem) ?? true) === true);
    const p = problem!;
    const { input, weight, bias } = caseOperands({ ...c, problem: p });
    const padded = explicitlyPadded(p, input, mode);
    const lhs = await runKernel(kernel, p, input, weight, bias);
    const rhs = await runKernel(kernel, padded.problem, padded.input, weight, bias);
    assertSameTensor(`${mode} padding = valid conv of the ${mode}-padded input`, p, lhs, rhs);
  });
}
