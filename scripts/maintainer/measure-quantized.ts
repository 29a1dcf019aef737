/**
 * The numbers of docs/results/quantized.md: im2col-int8 and ort-int8 on generated
 * ConvInteger and QLinearConv cases (the generators of properties/quantized/), at
 * five seeds, judged by the quantized judge; for QLinearConv, how many outputs
 * saturate and how many took the admitted ±1 next to a tie.
 *
 *   npx tsx scripts/maintainer/measure-quantized.ts [runs per seed, default 200]
 */
import fc from 'fast-check';
import { loadOrtInt8Kernel } from '../../impl/peers/ort-int8.ts';
import { im2colInt8Kernel } from '../../impl/quantized/index.ts';
import { copyQuantizedOperands } from '../../properties/judge/quantized.ts';
import { callQuantizedKernel, runAndJudgeQuantized } from '../../properties/judge/run-quantized.ts';
import { quantizedCaseArbitrary } from '../../properties/quantized/case.ts';
import { materializeQuantizedCase } from '../../properties/quantized/data.ts';
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
