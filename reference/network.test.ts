import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProblemError } from './errors.ts';
import { receptiveField } from './layer.ts';
import { analyzeNetwork, type LayerReport, type NetworkSpec, parseNetwork } from './network.ts';

const alexnetPath = new URL('../fixtures/models/alexnet.json', import.meta.url);
const alexnet = analyzeNetwork(parseNetwork(readFileSync(alexnetPath, 'utf8')));
const layer = (name: string): LayerReport => {
  const found = alexnet.layers.find((l) => l.name === name);
  if (!found) throw new Error(`no layer ${name}`);
  return found;
};

describe('AlexNet (the seed table)', () => {
  it('has the seed weight counts per layer', () => {
    const weights = ['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'fc6', 'fc7', 'fc8'].map(
      (n) => layer(n).weights,
    );
    // The seed's formulas: 11·11·3·48·2, 5·5·48·128·2, 3·3·128·2·192·2, 3·3·192·192·2,
    // 3·3·192·128·2, then 6·6·256·4096, 2048·2·2048·2 and 2048·2·1000.
    expect(weights).toEqual([
      11 * 11 * 3 * 48 * 2,
      5 * 5 * 48 * 128 * 2,
      3 * 3 * 128 * 2 * 192 * 2,
      3 * 3 * 192 * 192 * 2,
      3 * 3 * 192 * 128 * 2,
      6 * 6 * 256 * 4096,
      2048 * 2 * 2048 * 2,
      2048 * 2 * 1000,
    ]);
  });

  it("explains the seed's 177M: fc6 on conv5's 13×13×256 map instead of pool5's 6×6×256", () => {
    const conv5 = layer('conv5').outputShape;
    expect(conv5).toEqual([256, 13, 13]);
    const seedFigure = conv5.reduce((a, b) => a * b) * 4096;
    expect(layer('fc6').note).toContain(seedFigure.toLocaleString('en-US'));
    expect(layer('fc6').note).toContain(layer('fc6').weights.toLocaleString('en-US'));
    expect(layer('pool5').outputShape).toEqual([256, 6, 6]);
  });

  it('gives the standard output shapes', () => {
    expect(layer('conv1').outputShape).toEqual([96, 55, 55]);
    expect(layer('pool2').outputShape).toEqual([256, 13, 13]);
    expect(layer('fc8').outputShape).toEqual([1000]);
  });
});

describe('analyzeNetwork', () => {
  it('gives the seed receptive field: 3×3 conv then 2×2 pool at stride 1 → 4×4', () => {
    const r = analyzeNetwork({
      input: [1, 5, 5],
      layers: [
        { type: 'conv', out: 1, kernel: 3 },
        { type: 'maxpool', kernel: 2, stride: 1 },
      ],
    });
    expect(r.layers[1]!.receptiveField!.map((f) => f.size)).toEqual([4, 4]);
    expect(r.layers[1]!.outputShape).toEqual([1, 2, 2]);
    expect(
      receptiveField([
        { kernel: 3, stride: 1, dilation: 1, padBegin: 0 },
        { kernel: 2, stride: 1, dilation: 1, padBegin: 0 },
      ]),
    ).toEqual({ size: 4, jump: 1, start: 0 });
  });

  it("counts batchnorm's scale and shift as parameters, its running statistics as buffers, and honours 'same' and { begin, end } pads", () => {
    const r = analyzeNetwork({
      input: [8, 10, 9],
      layers: [
        { type: 'conv', out: 4, kernel: 4, stride: 2, pad: 'same', bias: false },
        { type: 'batchnorm' },
        { type: 'conv', out: 4, kernel: [3, 1], pad: { begin: [1, 0], end: [0, 0] }, bias: false },
      ],
    });
    expect(r.layers[0]!.outputShape).toEqual([4, 5, 5]);
    expect(r.layers[1]).toMatchObject({ weights: 4, biases: 4, parameters: 8, buffers: 8 });
    expect(r.layers[2]!.outputShape).toEqual([4, 4, 5]);
  });

  it('rejects bad networks, naming the field', () => {
    const cases: [unknown, string][] = [
      [{ input: [3], layers: [] }, 'input'],
      [{ input: [3, 0, 4], layers: [] }, 'input[1]'],
      [{ input: [3, 4, 4], layers: {} }, 'layers'],
      [{ input: [3, 4, 4], layers: [{ type: 'lstm' }] }, 'layers[0].type'],
      [{ input: [3, 4, 4], layers: [{ type: 'conv', out: 2, kernel: [3] }] }, 'layers[0].kernel'],
      [
        { input: [3, 4, 4], layers: [{ type: 'flatten' }, { type: 'conv', out: 2, kernel: 1 }] },
        'layers[1]',
      ],
      [{ input: [3, 4, 4], layers: [{ type: 'fc', out: 0 }] }, 'layers[0].out'],
    ];
    for (const [spec, field] of cases) {
      expect(() => analyzeNetwork(spec as NetworkSpec)).toThrow(ProblemError);
      try {
        analyzeNetwork(spec as NetworkSpec);
      } catch (e) {
        expect((e as ProblemError).field).toBe(field);
      }
    }
  });

  it('names the source of invalid JSON', () => {
    expect(() => parseNetwork('{', 'model.json')).toThrow(/model.json/);
  });
});
