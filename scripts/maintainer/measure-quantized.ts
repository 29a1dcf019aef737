/**
 * The numbers of docs/results/quantized.md: im2col-int8 and ort-int8 on generated
 * ConvInteger and QLinearConv cases (the generators of properties/quantized/), at
 * five seeds, judged by the quantized judge; for QLinearConv, how many outputs
 * saturate and how many took the admitted ±1 next to a tie. PyTorch's quantized
 * conv (qnnpack, onednn) on the cases of its domain among 1,000 drawn per seed.
 *
 *   npx tsx scripts/maintainer/measure-quantized.ts [runs per seed, default 200]
 */
import fc from 'fast-check';
import { loadOrtInt8Kernel } from '../../impl/peers/ort-int8.ts';
import { runTorchQuantizedBatch, torchInt8Supports } from '../../impl/peers/torch-int8.ts';
import { im2colInt8Kernel } from '../../impl/quantized/index.ts';
import { copyQuantizedOperands, judgeQuantizedCase } from '../../properties/judge/quantized.ts';
import { callQuantizedKernel, runAndJudgeQuantized } from '../../properties/judge/run-quantized.ts';
import {
  quantizedCaseArbitrary,
  TORCH_QLINEAR_CONSTRAINTS,
} from '../../properties/quantized/case.ts';
import {
  materializeQuantizedCase,
  type QLinearConvOperands,
} from '../../properties/quantized/data.ts';
import { QUANTIZED_RANGE } from '../../reference/quantized.ts';
import { qlinearConvBounds } from '../../reference/quantized-bounds.ts';
import { QUANTIZED_OPS, type QuantizedKernel } from '../../reference/quantized-kernel.ts';

const SEEDS = [1, 2, 3, 4, 5];
const runs = Number(process.argv[2] ?? 200);

async function measure(kernel: QuantizedKernel, op: (typeof QUANTIZED_OPS)[number]) {
  const t = { pass: 0, skip: 0, fail: 0, error: 0, outputs: 0, saturated: 0, beside: 0 };
  for (const seed of SEEDS) {
    const property = fc.asyncProperty(quantizedCaseArbitrary(op), async (c) => {
      const o = materializeQuantizedCase(c);
      const outcome = await runAndJudgeQuantized(kernel, c, copyQuantizedOperands(o));
      t[outcome.verdict]++;
      if (outcome.verdict !== 'pass') return;
      const got = (await callQuantizedKernel(kernel, c, o)) as ArrayLike<number>;
      t.outputs += got.length;
      if (o.op !== 'qlinear-conv') return;
      const b = qlinearConvBounds(c.problem, o.x, o.w, o.params, o.bias);
      const { min, max } = QUANTIZED_RANGE[o.params.yType!];
      for (let i = 0; i < got.length; i++) {
        if (b.expected[i] === min || b.expected[i] === max) t.saturated++;
        if (got[i] !== b.expected[i]) t.beside++;
      }
    });
    await fc.assert(property, { numRuns: runs, seed });
  }
  return t;
}

const ort = await loadOrtInt8Kernel();
const kernels = 'unavailable' in ort ? [im2colInt8Kernel] : [im2colInt8Kernel, ort];
if ('unavailable' in ort) console.log(`ort-int8 skipped: ${ort.unavailable}`);
for (const kernel of kernels) {
  for (const op of QUANTIZED_OPS) {
    console.log(
      `${kernel.name} ${op} (seeds ${SEEDS.join(',')}, ${runs} cases each):`,
      await measure(kernel, op),
    );
  }
}

/** PyTorch's QLinearConv-like conv on the cases of its domain (one batch per seed). */
async function measureTorch(engine: 'qnnpack' | 'onednn') {
  const t = { pass: 0, fail: 0, error: 0, outputs: 0, saturated: 0, beside: 0 };
  const arbitrary = quantizedCaseArbitrary('qlinear-conv', TORCH_QLINEAR_CONSTRAINTS);
  for (const seed of SEEDS) {
    const cases = fc
      .sample(arbitrary, { seed, numRuns: 1000 })
      .map((c) => ({ c, o: materializeQuantizedCase(c) as QLinearConvOperands }))
      .filter(({ c, o }) => torchInt8Supports(c, engine, o.params.wZeroPoint) === true)
      .slice(0, runs);
    const batch = cases.map(({ c, o }) => ({
      problem: c.problem,
      x: o.x,
      w: o.w,
      params: o.params,
    }));
    const result = runTorchQuantizedBatch(
      engine,
      batch,
      '/usr/bin/python3',
      'scripts/clients/torch_quantized_batch.py',
    );
    if ('unsupported' in result) return result.unsupported;
    cases.forEach(({ c, o }, i) => {
      const got = result.outputs[i]!;
      if (!(got instanceof Uint8Array)) {
        t.error++;
        return;
      }
      const outcome = judgeQuantizedCase({
        problem: c.problem,
        operands: o,
        output: got,
        written: [],
      });
      if (outcome.verdict === 'fail') t.fail++;
      else t.pass++;
      const b = qlinearConvBounds(c.problem, o.x, o.w, o.params, o.bias);
      for (let k = 0; k < got.length; k++) {
        t.outputs++;
        if (b.expected[k] === 0 || b.expected[k] === 255) t.saturated++;
        if (got[k] !== b.expected[k]) t.beside++;
      }
    });
  }
  return t;
}

for (const engine of ['qnnpack', 'onednn'] as const) {
  console.log(
    `torch-int8 ${engine} qlinear-conv (seeds ${SEEDS.join(',')}):`,
    await measureTorch(engine),
  );
}
