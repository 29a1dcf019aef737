import { describe, expect, it } from 'vitest';
import { encodeOnnxConvModel } from '../../impl/peers/onnx-model.ts';
import { loadOrtKernel } from '../../impl/peers/ort.ts';
import { isUnavailable } from '../../impl/peers/peer.ts';
import { caseTitle, peerCases, peerData } from '../../impl/peers/test-problems.ts';
import { convGeometry } from '../../reference/index.ts';
import { ALL_PASS, peerVerdicts, runPeerCase } from './run-case.ts';

const ort = await loadOrtKernel();
const skipReason = isUnavailable(ort) ? ` — SKIPPED: ${ort.unavailable}` : '';

describe.skipIf(isUnavailable(ort))(`onnxruntime-node adapter${skipReason}`, () => {
  const kernel = ort as Exclude<typeof ort, { unavailable: string }>;

  describe('matches the oracle within the float32 direct-sum bound, and exactly on integers', () => {
    for (const c of peerCases) {
      it(caseTitle(c), async () => {
        expect(kernel.supports?.(c.problem)).toBe(true);
        expect(peerVerdicts(await runPeerCase(kernel, c))).toEqual(ALL_PASS);
      });
    }
  });

  it('returns fresh output arrays: a later run with cached sessions leaves earlier results alone', async () => {
    const p = peerCases[0]!.problem;
    const first = peerData(p, 'uniform', 11);
    const second = peerData(p, 'uniform', 12);
    const y1 = await kernel.conv(p, first.input, first.weight, first.bias);
    const snapshot = Float32Array.from(y1);
    await kernel.conv(p, second.input, second.weight, second.bias);
    expect(Array.from(y1)).toEqual(Array.from(snapshot));
  });

  it('answers supports() for an invalid problem with the validation message', () => {
    const reason = kernel.supports?.({ ...peerCases[0]!.problem, groups: 2, inChannels: 3 });
    expect(reason).toMatch(/^invalid problem: .*groups/);
  });

  it('documents: the CPU provider has no float64 Conv, so the adapter is float32 only', async () => {
    expect(kernel.dtype).toBe('float32');
    const ortModule = await import('onnxruntime-node');
    const model = encodeOnnxConvModel(convGeometry(peerCases[0]!.problem), { dtype: 'float64' });
    await expect(ortModule.InferenceSession.create(model)).rejects.toThrow(
      /Could not find an implementation for Conv/,
    );
  });
});
