/**
 * Runs an in-process kernel on given operands and judges the result: the one
 * sequence (snapshot, run, detect writes, judge) shared by the vitest suite
 * and the peer tests. The CLI and `fixtures verify` run kernels through hosts
 * (scripts/check/hosts), which take the snapshot themselves, then call the
 * same judge.
 */
import { layoutsOf, operandsInLayout, outputFromLayout } from '../../reference/layout.ts';
import { callKernelOp } from '../../reference/ops.ts';
import type { ConvKernel, FloatArray } from '../../reference/problem.ts';
import {
  type CaseOutcome,
  copyOperands,
  errorOutcome,
  type JudgeInput,
  judgeCase,
  writtenOperands,
} from './judge.ts';

/** What {@link runAndJudge} needs besides the kernel: the judge's input before the run. */
export type RunInput = Omit<JudgeInput, 'output' | 'written' | 'dtype'>;

/**
 * Calls `kernel.conv` (or the method of `input.op`, reference/ops.ts) on the operands (the kernel may scribble on them: the
 * judge reads a copy taken before) and returns the judge's outcome; a throw
 * is an error outcome carrying the thrown message.
 *
 * @example
 * ```ts
 * const outcome = await runAndJudge(kernel, { problem: p, operands, model: { kind: 'dot-product' }, data: 'real' });
 * ```
 */
export async function runAndJudge(kernel: ConvKernel, input: RunInput): Promise<CaseOutcome> {
  const { problem, operands } = input;
  const dtype = kernel.dtype ?? 'float32';
  const before = copyOperands(operands);
  const layouts = layoutsOf(kernel);
  // A kernel that declares 'skip-taps' is judged by that padding rule.
  const judged = {
    ...input,
    dtype,
    operands: before,
    padding: kernel.padding ?? 'zeros',
    layout: layouts.layout,
  };
  // The kernel reads its declared layouts (the same arrays when canonical).
  const given = operandsInLayout(problem, operands, layouts);
  const pristine = operandsInLayout(problem, before, layouts);
  const op = input.op ?? 'conv';
  // Other ops get their operands in call order, in the canonical layouts (the
  // declared layouts are the forward conv's).
  const call = (): FloatArray | Promise<FloatArray> =>
    op === 'conv'
      ? kernel.conv(problem, given.input, given.weight, given.bias)
      : callKernelOp(kernel, op, problem, [
          operands.input,
          operands.weight,
          ...(operands.bias ? [operands.bias] : []),
        ]);
  let output: unknown;
  try {
    output = await call();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...errorOutcome(judged, `the kernel threw: ${message}`), operands: before };
  }
  if (op !== 'conv') {
    return judgeCase({
      ...judged,
      layout: 'nchw',
      output,
      written: writtenOperands(before, operands),
    });
  }
  return judgeCase({
    ...judged,
    output: outputFromLayout(problem, output, layouts.layout),
    written: writtenOperands(pristine, given),
  });
}
