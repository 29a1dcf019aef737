/**
 * onnxruntime-node's ConvInteger and QLinearConv (impl/peers/ort-int8.ts) judged
 * on generated quantized cases by the one judge: no failure, declines only for the
 * documented reasons. Skipped, with the reason in the name, when onnxruntime-node
 * cannot load.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadOrtInt8Kernel } from '../../impl/peers/ort-int8.ts';
import { currentPropertyConfig } from '../config.ts';
import { runAndJudgeQuantized } from '../judge/run-quantized.ts';
import { quantizedCaseArbitrary } from '../quantized/case.ts';
import { materializeQuantizedCase } from '../quantized/data.ts';

const loaded = await loadOrtInt8Kernel();
const skipReason = 'unavailable' in loaded ? ` — SKIPPED: ${loaded.unavailable}` : '';

describe.skipIf('unavailable' in loaded)(`ort-int8${skipReason}`, () => {
  const kernel = loaded as Exclude<typeof loaded, { unavailable: string }>;
  it.each(['conv-integer', 'qlinear-conv'] as const)(
    '%s: no failure on generated cases',
    async (op) => {
      const verdicts: Record<string, number> = {};
      const reasons = new Set<string>();
      await fc.assert(
        fc.asyncProperty(
          quantizedCaseArbitrary(op, {
            maxMacs: 4000,
            modes: ['cross-correlation'],
            types: [
              ['uint8', 'int8'],
              ['uint8', 'uint8'],
              ['int8', 'int8'],
            ],
            yType: 'x',
          }),
          async (c) => {
            const outcome = await runAndJudgeQuantized(kernel, c, materializeQuantizedCase(c));
            verdicts[outcome.verdict] = (verdicts[outcome.verdict] ?? 0) + 1;
            if (outcome.verdict !== 'pass')
              reasons.add(
                `${c.xType}/${c.wType}/${c.yType}/pc${c.perChannel}/b${c.problem.bias}/r${c.problem.inputSize.length}: ${outcome.message.slice(0, 100)}`,
              );
            expect(outcome.verdict, outcome.details).not.toBe('fail');
          },
        ),
        { numRuns: 60, seed: currentPropertyConfig().seed },
      );
      process.stderr.write(
        `ort-int8 ${op}: ${JSON.stringify(verdicts)}\n${[...reasons].join('\n')}\n`,
      );
      expect(verdicts.pass).toBeGreaterThan(30);
    },
  );
});
