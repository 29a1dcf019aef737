/**
 * Runs an in-process kernel on given operands and judges the result: the one
 * sequence (snapshot, run, detect writes, judge) shared by the vitest suite
 * and the peer tests. The CLI and `fixtures verify` run kernels through hosts
 * (scripts/check/hosts), which take the snapshot themselves, then call the
 * same judge.
 */
import type { ConvKernel } from '../../reference/problem.ts';
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
 * Calls `kernel.conv` on the operands (the kernel may scribble on them: the
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
  // A kernel that declares 'skip-taps' is judged by that padding rule.
  const judged = { ...input, dtype, operands: before, padding: kernel.padding ?? 'zeros' };
  let output: unknown;
  try {
    output = await kernel.conv(problem, operands.input, operands.weight, operands.bias);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...errorOutcome(judged, `the kernel threw: ${message}`), operands: before };
  }
  return judgeCase({ ...judged, output, written: writtenOperands(before, operands) });
}
