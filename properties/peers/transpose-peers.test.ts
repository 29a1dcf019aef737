/**
 * The ConvTranspose adapters of the peer libraries, judged by the one judge on
 * the op's oracle: onnxruntime-node's ConvTranspose node and tfjs's
 * tf.conv2dTranspose, on hand-picked problems with the convention traps
 * (output padding, asymmetric pads, stride larger than the kernel, true
 * convolution's flip, groups), exact and uniform data. Their limits are
 * declines with the reason, each shown here. Skipped with the reason when the
 * library cannot load.
 */
import { describe, expect, it } from 'vitest';
import { loadOrtKernel } from '../../impl/peers/ort.ts';
import { isUnavailable } from '../../impl/peers/peer.ts';
import { loadTfjsCpuKernel } from '../../impl/peers/tfjs.ts';
import { tfjsCpuTransposeKernel } from '../../impl/peers/tfjs-transpose.ts';
import type { ConvTransposeProblem } from '../../reference/convTranspose.ts';
import type { ConvKernel } from '../../reference/problem.ts';
import { convProblem } from '../../reference/testing.ts';
import type { DataKind } from '../data.ts';
import { runAndJudge } from '../judge/run.ts';
import { materializeOpCase } from '../ops.ts';

const transpose = (
  over: Partial<ConvTransposeProblem> & Pick<ConvTransposeProblem, 'inputSize' | 'kernelSize'>,
): ConvTransposeProblem => ({
  ...convProblem(over),
  outputPadding: over.outputPadding ?? over.inputSize.map(() => 0),
});

/** Problems every adapter takes: 2-D, groups 1, dilation 1, output padding below the stride. */
const COMMON: ConvTransposeProblem[] = [
  transpose({
    inputSize: [3, 4],
    kernelSize: [3, 3],
    stride: [2, 2],
    outputPadding: [1, 0],
    padBegin: [1, 0],
    padEnd: [0, 2],
    inChannels: 2,
    outChannels: 3,
    bias: true,
  }),
  transpose({
    inputSize: [4, 3],
    kernelSize: [2, 2],
    stride: [3, 3],
    outputPadding: [2, 1],
    mode: 'convolution',
    batch: 2,
  }),
  transpose({
    inputSize: [5],
    kernelSize: [4],
    stride: [2],
    padBegin: [2],
    padEnd: [1],
    outputPadding: [1],
    inChannels: 3,
    outChannels: 2,
    bias: true,
  }),
];

async function verdict(
  kernel: ConvKernel,
  p: ConvTransposeProblem,
  data: DataKind,
): Promise<string> {
  const c = { op: 'convtranspose' as const, problem: p, data, dataSeed: 41 };
  const [input, weight, bias] = materializeOpCase(c, 'float32');
  const outcome = await runAndJudge(kernel, {
    op: 'convtranspose',
    problem: p,
    operands: bias ? { input: input!, weight: weight!, bias } : { input: input!, weight: weight! },
    model: { kind: 'dot-product' },
    data,
    source: 'stored',
  });
  return outcome.verdict === 'pass' ? 'pass' : `${outcome.verdict}: ${outcome.message}`;
}

const ort = await loadOrtKernel();
describe.skipIf(isUnavailable(ort))(
  `onnxruntime-node ConvTranspose${isUnavailable(ort) ? ` — SKIPPED: ${ort.unavailable}` : ''}`,
  () => {
    const kernel = ort as ConvKernel;
    const grouped = transpose({
      inputSize: [3, 3],
      kernelSize: [2, 3],
      stride: [2, 1],
      dilation: [1, 2],
      groups: 2,
      inChannels: 4,
      outChannels: 2,
      outputPadding: [1, 0],
    });

    it.each([...COMMON, grouped])('matches the oracle, exactly on integers (%#)', async (p) => {
      expect(kernel.supports?.(p, 'convtranspose')).toBe(true);
      expect(await verdict(kernel, p, 'exact')).toBe('pass');
      expect(await verdict(kernel, p, 'real')).toBe('pass');
    });

    it('declines outputPadding ≥ stride (allowed below the dilation), which onnxruntime refuses', () => {
      const p = transpose({ inputSize: [3], kernelSize: [2], dilation: [2], outputPadding: [1] });
      expect(kernel.supports?.(p, 'convtranspose')).toMatch(/needs outputPadding < stride/);
    });
  },
);

const tfjs = await loadTfjsCpuKernel();
describe.skipIf(isUnavailable(tfjs))(
  `tfjs tf.conv2dTranspose${isUnavailable(tfjs) ? ` — SKIPPED: ${tfjs.unavailable}` : ''}`,
  () => {
    const kernel = tfjsCpuTransposeKernel;

    it.each(COMMON)('matches the oracle, exactly on integers (%#)', async (p) => {
      expect(kernel.supports?.(p, 'convtranspose')).toBe(true);
      expect(await verdict(kernel, p, 'exact')).toBe('pass');
      expect(await verdict(kernel, p, 'real')).toBe('pass');
    });

    it('declines what tf.conv2dTranspose cannot express, with the reason', () => {
      const base = COMMON[0]!;
      const says = (p: ConvTransposeProblem) => kernel.supports?.(p, 'convtranspose');
      expect(says({ ...base, groups: 2, inChannels: 2, outChannels: 4 })).toMatch(/no groups/);
      expect(says({ ...base, dilation: [2, 1] })).toMatch(/no dilations argument/);
      expect(kernel.supports?.(base, 'conv')).toMatch(/ConvTranspose only/);
    });
  },
);
