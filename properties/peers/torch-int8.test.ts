/**
 * PyTorch's quantized conv (impl/peers/torch-int8.ts; engines qnnpack and onednn)
 * judged as ONNX QLinearConv by the quantized judge, on generated cases inside its
 * domain. Skipped, with the reason in the name, without Python, torch or the engine.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  runTorchQuantizedBatch,
  type TorchQuantizedEngine,
  torchInt8Supports,
} from '../../impl/peers/torch-int8.ts';
import { currentPropertyConfig } from '../config.ts';
import { judgeQuantizedCase } from '../judge/quantized.ts';
import { quantizedCaseArbitrary, TORCH_QLINEAR_CONSTRAINTS } from '../quantized/case.ts';
import { materializeQuantizedCase, type QLinearConvOperands } from '../quantized/data.ts';

const PYTHON = '/usr/bin/python3';
const CLIENT = 'scripts/clients/torch_quantized_batch.py';

const arbitrary = quantizedCaseArbitrary('qlinear-conv', {
  ...TORCH_QLINEAR_CONSTRAINTS,
  maxMacs: 6000,
});

function supportedCases(engine: TorchQuantizedEngine) {
  const drawn = fc.sample(arbitrary, { seed: currentPropertyConfig().seed, numRuns: 1000 });
  return drawn
    .map((c) => ({ c, o: materializeQuantizedCase(c) as QLinearConvOperands }))
    .filter(({ c, o }) => torchInt8Supports(c, engine, o.params.wZeroPoint) === true)
    .slice(0, 60);
}

describe.each(['qnnpack', 'onednn'] as const)('torch-int8 (%s)', (engine) => {
  const cases = supportedCases(engine);
  const result = runTorchQuantizedBatch(
    engine,
    cases.map(({ c, o }) => ({ problem: c.problem, x: o.x, w: o.w, params: o.params })),
    PYTHON,
    CLIENT,
  );
  const reason = 'unsupported' in result ? result.unsupported : '';
  it.skipIf(reason !== '')(
    `QLinearConv within the derived bound${reason ? ` — SKIPPED: ${reason}` : ''}`,
    () => {
      if ('unsupported' in result) return;
      const verdicts: Record<string, number> = {};
      cases.forEach(({ c, o }, i) => {
        const output = result.outputs[i]!;
        const outcome =
          output instanceof Uint8Array
            ? judgeQuantizedCase({ problem: c.problem, operands: o, output, written: [] })
            : { verdict: 'error', message: output.error, details: '' };
        verdicts[outcome.verdict] = (verdicts[outcome.verdict] ?? 0) + 1;
        expect(outcome.verdict, outcome.details || outcome.message).not.toBe('fail');
        expect(outcome.verdict, outcome.message).not.toBe('error');
      });
      process.stderr.write(`torch ${result.torch} ${engine}: ${JSON.stringify(verdicts)}\n`);
      // onednn takes weight zero point 0 only: fewer of the drawn cases are in its domain.
      expect(verdicts.pass).toBeGreaterThan(engine === 'qnnpack' ? 30 : 5);
    },
  );
});
