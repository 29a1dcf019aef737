import { describe, expect, it } from 'vitest';
import { referenceConvBackwardData } from './backward.ts';
import { convTransposeGeometry, referenceConvTranspose } from './convTranspose.ts';
import { convGeometry } from './geometry.ts';
import { convProblem } from './testing.ts';
import {
  onnxConvTransposePads,
  tfConvTransposePads,
  torchConvTransposePads,
} from './transposePadding.ts';

const ONE_D = { inputSize: [3], kernelSize: [3], stride: [2], dilation: [1] };

describe('onnxConvTransposePads', () => {
  it('SAME_UPPER puts the odd unit of the total padding at the end, SAME_LOWER at the beginning', () => {
    // total = 2·(3 − 1) + 0 + 3 − 3·2 = 1
    expect(onnxConvTransposePads({ ...ONE_D, autoPad: 'SAME_UPPER' })).toEqual({
      padBegin: [0],
      padEnd: [1],
      outputPadding: [0],
    });
    expect(onnxConvTransposePads({ ...ONE_D, autoPad: 'SAME_LOWER' })).toEqual({
      padBegin: [1],
      padEnd: [0],
      outputPadding: [0],
    });
  });

  it('NOTSET with output_shape puts the odd unit at the beginning', () => {
    expect(onnxConvTransposePads({ ...ONE_D, outputShape: [4] })).toEqual({
      padBegin: [2],
      padEnd: [1],
      outputPadding: [0],
    });
  });

  it('gives the requested output shape for every auto_pad and output_padding', () => {
    for (const autoPad of ['SAME_UPPER', 'SAME_LOWER', 'NOTSET'] as const) {
      for (let o = 2; o <= 7; o++) {
        const attributes = { ...ONE_D, autoPad, outputShape: [o], outputPadding: [1] };
        const pads = onnxConvTransposePads(attributes);
        const p = { ...convProblem(ONE_D), ...ONE_D, ...pads };
        expect(convTransposeGeometry(p).outputSize).toEqual([o]);
      }
    }
  });

  it('reads explicit pads as [begins..., ends...] and VALID as zeros', () => {
    const two = { inputSize: [3, 3], kernelSize: [3, 3], stride: [2, 2], dilation: [1, 1] };
    expect(onnxConvTransposePads({ ...two, pads: [1, 0, 2, 1], outputPadding: [1, 0] })).toEqual({
      padBegin: [1, 0],
      padEnd: [2, 1],
      outputPadding: [1, 0],
    });
    expect(onnxConvTransposePads({ ...two, autoPad: 'VALID', pads: [1, 1, 1, 1] })).toEqual({
      padBegin: [0, 0],
      padEnd: [0, 0],
      outputPadding: [0, 0],
    });
  });

  it('refuses an output shape that needs negative pads, naming output_shape', () => {
    expect(() => onnxConvTransposePads({ ...ONE_D, outputShape: [8] })).toThrow(
      /output_shape\[0\] must be at most .* = 7 .*, got 8/,
    );
    // K = 1, S = 2: SAME's I·S = 6 is one more than the scatter's 5.
    expect(() =>
      onnxConvTransposePads({ ...ONE_D, kernelSize: [1], autoPad: 'SAME_UPPER' }),
    ).toThrow(/output_shape\[0\]/);
  });

  it('refuses a bad auto_pad and a bad output_padding, naming them', () => {
    expect(() => onnxConvTransposePads({ ...ONE_D, autoPad: 'SAME' as never })).toThrow(/auto_pad/);
    expect(() => onnxConvTransposePads({ ...ONE_D, outputPadding: [-1] })).toThrow(
      /output_padding\[0\]/,
    );
  });
});

describe('torchConvTransposePads', () => {
  it('removes padding at both ends and adds output_padding at the end', () => {
    expect(torchConvTransposePads([1, 2], 1, 2)).toEqual({
      padBegin: [1, 2],
      padEnd: [1, 2],
      outputPadding: [1, 1],
    });
    expect(() => torchConvTransposePads(1, [1], 2)).toThrow(/output_padding/);
  });
});

describe('tfConvTransposePads', () => {
  it('is the gradient of the SAME or VALID conv whose input has the output shape', () => {
    for (const padding of ['SAME', 'VALID'] as const) {
      for (const [k, s, d] of [
        [3, 2, 1],
        [2, 3, 1],
        [3, 1, 2],
        [1, 2, 1],
      ] as const) {
        for (let o = 5; o <= 9; o++) {
          const spatial = { inputSize: [o], kernelSize: [k], stride: [s], dilation: [d] };
          const forwardPads =
            padding === 'SAME' ? samePads(o, k, s, d) : { padBegin: [0], padEnd: [0] };
          const conv = convProblem({ ...spatial, ...forwardPads });
          const inputSize = convGeometry(conv).outputSize;
          const pads = tfConvTransposePads({
            ...spatial,
            inputSize: [...inputSize],
            padding,
            outputShape: [o],
          });
          const t = { ...conv, inputSize: [...inputSize], ...pads };
          const dy = Array.from({ length: inputSize[0]! }, (_, i) => i + 1);
          const w = Array.from({ length: k }, (_, i) => 10 ** i);
          expect([...referenceConvTranspose(t, dy, w)]).toEqual([
            ...referenceConvBackwardData(conv, dy, w),
          ]);
        }
      }
    }
  });

  it('refuses an output shape whose conv does not give the input size', () => {
    expect(() => tfConvTransposePads({ ...ONE_D, padding: 'SAME', outputShape: [9] })).toThrow(
      /output_shape\[0\] must be a size whose SAME conv output is inputSize\[0\] = 3 \(it gives 5\)/,
    );
  });
});

/** TF 'SAME' pads of a forward conv, written out independently of padsFor. */
function samePads(input: number, k: number, s: number, d: number) {
  const out = Math.ceil(input / s);
  const total = Math.max(0, (out - 1) * s + d * (k - 1) + 1 - input);
  return { padBegin: [Math.floor(total / 2)], padEnd: [total - Math.floor(total / 2)] };
}
