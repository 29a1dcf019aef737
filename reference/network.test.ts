/**
 * Over 300 lines, on purpose: a unit's test file holds all of its tests, including
 * its mutation-testing additions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProblemError } from './errors.ts';
import { convGeometry } from './geometry.ts';
import { flops, macs, parameterCount, receptiveField } from './layer.ts';
import {
  analyzeNetwork,
  type LayerReport,
  type LayerSpec,
  type NetworkSpec,
  parseNetwork,
} from './network.ts';
import { convProblem, errorOf } from './testing.ts';

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

/**
 * Mutation-testing additions (formerly network.mutation.test.ts):
 * Mutation-testing additions for network.ts and layer.ts. Every network is
 * analysed inside a test (not at module load), with counts worked out by hand in
 * the comments.
 */
describe('mutation-testing additions', () => {
  const net = (input: number[], ...layers: LayerSpec[]): NetworkSpec => ({ input, layers });

  describe('analyzeNetwork: a small stack, by hand', () => {
    it('gives shapes, counts, names, receptive fields and totals', () => {
      const report = analyzeNetwork(
        net(
          [3, 10, 10],
          { type: 'conv', out: 8, kernel: 3, pad: 1, note: 'first' },
          { type: 'maxpool', kernel: 2, stride: 2 },
          { type: 'conv', out: 4, kernel: [3, 3], dilation: 2, bias: false },
          { type: 'flatten' },
          { type: 'fc', out: 10 },
        ),
      );
      const rows = report.layers.map((l) => [l.name, l.outputShape, l.weights, l.biases, l.macs]);
      expect(rows).toEqual([
        // 8·3·3·3 = 216 weights; MACs 8 outputs × 10·10 × 27.
        ['conv1', [8, 10, 10], 216, 8, 21600],
        ['maxpool1', [8, 5, 5], 0, 0, 0],
        // Dilated 3×3 covers 5 of the 5 inputs: 1×1 out; 4·8·9 = 288 weights and MACs.
        ['conv2', [4, 1, 1], 288, 0, 288],
        ['flatten1', [4], 0, 0, 0],
        ['fc1', [10], 40, 10, 40],
      ]);
      expect(report.layers.map((l) => l.parameters)).toEqual([224, 0, 288, 0, 50]);
      expect(report.layers.map((l) => l.index)).toEqual([0, 1, 2, 3, 4]);
      expect(report.layers.map((l) => l.type)).toEqual([
        'conv',
        'maxpool',
        'conv',
        'flatten',
        'fc',
      ]);
      // size += (effective kernel − 1)·jump; start −= padBegin·jump; jump *= stride.
      const field = { size: 3, jump: 1, start: -1 };
      expect(report.layers[0]!.receptiveField).toEqual([field, field]);
      const pooled = { size: 4, jump: 2, start: -1 };
      expect(report.layers[1]!.receptiveField).toEqual([pooled, pooled]);
      const dilated = { size: 4 + 4 * 2, jump: 2, start: -1 };
      expect(report.layers[2]!.receptiveField).toEqual([dilated, dilated]);
      expect(report.layers[3]!.receptiveField).toBeNull();
      expect(report.layers[4]!.receptiveField).toBeNull();
      expect(report.totalWeights).toBe(216 + 288 + 40);
      expect(report.totalParameters).toBe(224 + 288 + 50);
      expect(report.totalMacs).toBe(21600 + 288 + 40);
      expect(report.input).toEqual([3, 10, 10]);
      expect(report.layers[0]!.note).toBe('first');
      expect('note' in report.layers[1]!).toBe(false);
    });

    it('counts a 1-D network, fc without bias, batchnorm, relu and dropout', () => {
      const report = analyzeNetwork(
        net(
          [2, 9],
          { type: 'conv', out: 3, kernel: 3, stride: 2, pad: { begin: [1], end: [0] } },
          { type: 'batchnorm' },
          { type: 'relu' },
          { type: 'dropout' },
          { type: 'fc', out: 2, bias: false },
        ),
      );
      // Pads [begin 1, end 0]: (9 + 1 − 3)/2 + 1 = 4 outputs; receptive start −1.
      expect(report.layers[0]!.outputShape).toEqual([3, 4]);
      expect(report.layers[0]!.receptiveField).toEqual([{ size: 3, jump: 2, start: -1 }]);
      expect(report.layers[1]).toMatchObject({
        outputShape: [3, 4],
        weights: 3,
        biases: 3,
        parameters: 6,
        buffers: 6,
      });
      expect(report.layers[2]).toMatchObject({ outputShape: [3, 4], parameters: 0, macs: 0 });
      expect(report.layers[3]).toMatchObject({ outputShape: [3, 4], parameters: 0, macs: 0 });
      expect(report.layers[4]).toMatchObject({ weights: 24, biases: 0, parameters: 24, macs: 24 });
    });

    it('reads pads as a number, per dimension, as { begin, end }, "same" and "valid"', () => {
      const shapeWith = (pad: Extract<LayerSpec, { type: 'conv' }>['pad']) =>
        analyzeNetwork(net([1, 6, 6], { type: 'conv', out: 1, kernel: 3, pad })).layers[0]!
          .outputShape;
      expect(shapeWith(1)).toEqual([1, 6, 6]);
      expect(shapeWith([0, 2])).toEqual([1, 4, 8]);
      // begin [0, 1], end [2, 0]: H 6 + 2 − 2 = 6, W 6 + 1 − 2 = 5.
      expect(shapeWith({ begin: [0, 1], end: [2, 0] })).toEqual([1, 6, 5]);
      // An array is one pad per dimension, both ends; [t, b, l, r] is not a pad.
      expect(() => shapeWith([0, 2, 1, 0])).toThrow(
        /layers\[0\]\.pad must be a number or an array of 2 numbers/,
      );
      expect(shapeWith('same')).toEqual([1, 6, 6]);
      expect(shapeWith('valid')).toEqual([1, 4, 4]);
      expect(shapeWith(undefined)).toEqual([1, 4, 4]);
    });

    it('gives pooling its own stride, padding, dilation and ceil mode', () => {
      const pool = (
        layer: Omit<Partial<Extract<LayerSpec, { type: 'maxpool' | 'avgpool' }>>, 'type'>,
      ) => analyzeNetwork(net([1, 5], { type: 'avgpool', kernel: 2, ...layer })).layers[0]!;
      // Floor: (5 − 2)/1 + 1 = 4 with the default stride 1; ceil with stride 2: ⌈3/2⌉ + 1 = 3.
      expect(pool({}).outputShape).toEqual([1, 4]);
      expect(pool({ stride: 2 }).outputShape).toEqual([1, 2]);
      expect(pool({ stride: 2, ceil: true }).outputShape).toEqual([1, 3]);
      expect(pool({ dilation: 2 }).outputShape).toEqual([1, 3]);
      expect(pool({ pad: 1, countIncludePad: true }).outputShape).toEqual([1, 6]);
      expect(pool({ pad: 1 }).receptiveField).toEqual([{ size: 2, jump: 1, start: -1 }]);
    });

    it('bounds an adaptive pool by its widest window', () => {
      const layer = analyzeNetwork(net([2, 5, 4], { type: 'adaptiveavgpool', output: [3, 2] }))
        .layers[0]!;
      expect(layer.outputShape).toEqual([2, 3, 2]);
      // H: 5 → 3 windows [0,2), [1,4), [3,5): widest 3, stride ⌊5/3⌋ = 1.
      // W: 4 → 2 windows of 2, stride 2.
      expect(layer.receptiveField).toEqual([
        { size: 3, jump: 1, start: 0 },
        { size: 2, jump: 2, start: 0 },
      ]);
      expect(layer.parameters).toBe(0);
      const global = analyzeNetwork(net([2, 5, 4], { type: 'adaptiveavgpool', output: 1 }))
        .layers[0]!;
      expect(global.outputShape).toEqual([2, 1, 1]);
    });
  });

  describe('analyzeNetwork rejects', () => {
    it('a spec that is not an object', () => {
      for (const spec of [null, 5]) {
        const e = errorOf(() => analyzeNetwork(spec as unknown as NetworkSpec));
        expect([e.field, e.expected]).toEqual(['network', 'an object']);
      }
    });

    it('an input of the wrong rank, accepting 1-D to 3-D', () => {
      for (const input of [[3], [1, 2, 3, 4, 5], 7]) {
        const e = errorOf(() => analyzeNetwork(net(input as number[])));
        expect(e.field).toBe('input');
        expect(e.expected).toBe('[C, W], [C, H, W] or [C, D, H, W]');
      }
      expect(analyzeNetwork(net([1, 2])).layers).toEqual([]);
      expect(analyzeNetwork(net([1, 2, 2, 2])).totalMacs).toBe(0);
    });

    it('an input entry that is not a positive integer', () => {
      expect(errorOf(() => analyzeNetwork(net([3, 0, 4]))).field).toBe('input[1]');
      const e = errorOf(() => analyzeNetwork(net([3, 4, 2.5])));
      expect([e.field, e.expected]).toEqual(['input[2]', 'a positive integer']);
    });

    it('layers that are not an array, or a layer that is not an object', () => {
      const e = errorOf(() => analyzeNetwork({ input: [1, 4] } as NetworkSpec));
      expect([e.field, e.expected]).toEqual(['layers', 'an array of layers']);
      for (const layer of [null, 5]) {
        const l = errorOf(() => analyzeNetwork(net([1, 4], layer as unknown as LayerSpec)));
        expect([l.field, l.expected]).toEqual(['layers[0]', 'a layer object']);
      }
    });

    it('an unknown layer type, naming it', () => {
      const e = errorOf(() =>
        analyzeNetwork(net([1, 4], { type: 'relu' }, { type: 'softmax' } as unknown as LayerSpec)),
      );
      expect([e.field, e.value]).toEqual(['layers[1].type', 'softmax']);
      expect(e.expected).toContain('adaptiveavgpool');
    });

    it('a spatial layer after flatten, giving the shape', () => {
      const e = errorOf(() =>
        analyzeNetwork(net([2, 3], { type: 'flatten' }, { type: 'maxpool', kernel: 1 })),
      );
      expect([e.field, e.value]).toEqual(['layers[1]', 'maxpool']);
      expect(e.expected).toBe('a layer that comes before flatten/fc (input shape is now [6])');
      const fc = errorOf(() =>
        analyzeNetwork(net([2, 3], { type: 'fc', out: 4 }, { type: 'adaptiveavgpool', output: 1 })),
      );
      expect(fc.expected).toContain('[4]');
    });

    it('a size attribute of the wrong length, naming the layer field', () => {
      const e = errorOf(() =>
        analyzeNetwork(net([1, 5, 5], { type: 'conv', out: 1, kernel: [3] })),
      );
      expect([e.field, e.expected]).toEqual([
        'layers[0].kernel',
        'a number or an array of 2 numbers',
      ]);
      for (const field of ['stride', 'dilation'] as const) {
        const f = errorOf(() =>
          analyzeNetwork(net([1, 5, 5], { type: 'conv', out: 1, kernel: 1, [field]: [1, 1, 1] })),
        );
        expect(f.field).toBe(`layers[0].${field}`);
        const p = errorOf(() =>
          analyzeNetwork(net([1, 5, 5], { type: 'maxpool', kernel: 1, [field]: [1, 1, 1] })),
        );
        expect(p.field).toBe(`layers[0].${field}`);
      }
      expect(
        errorOf(() => analyzeNetwork(net([1, 5, 5], { type: 'conv', out: 1, kernel: 1, pad: [1] })))
          .field,
      ).toBe('layers[0].pad');
      expect(
        errorOf(() => analyzeNetwork(net([1, 5, 5], { type: 'maxpool', kernel: [2] }))).field,
      ).toBe('layers[0].kernel');
      expect(
        errorOf(() =>
          analyzeNetwork(net([1, 5, 5], { type: 'avgpool', kernel: 1, pad: [1, 1, 1] })),
        ).field,
      ).toBe('layers[0].pad');
      expect(
        errorOf(() =>
          analyzeNetwork(net([1, 5, 5], { type: 'adaptiveavgpool', output: [1, 1, 1] })),
        ).field,
      ).toBe('layers[0].output');
    });

    it('an adaptive output or fc width that is not a positive integer', () => {
      for (const output of [0, 1.5]) {
        const e = errorOf(() => analyzeNetwork(net([1, 5], { type: 'adaptiveavgpool', output })));
        expect([e.field, e.expected]).toEqual(['layers[0].output', 'a positive integer']);
        const each = errorOf(() =>
          analyzeNetwork(net([1, 5], { type: 'adaptiveavgpool', output: [output] })),
        );
        expect([each.field, each.expected]).toEqual(['layers[0].output[0]', 'a positive integer']);
      }
      for (const out of [0, 2.5]) {
        const e = errorOf(() => analyzeNetwork(net([1, 5], { type: 'fc', out })));
        expect([e.field, e.expected]).toEqual(['layers[0].out', 'a positive integer']);
      }
      expect(analyzeNetwork(net([1, 5], { type: 'fc', out: 1 })).layers[0]!.weights).toBe(5);
    });
  });

  describe('parseNetwork', () => {
    it('names the source and shows the first 40 characters of invalid JSON', () => {
      const text = `{ "input": [3, 8, 8], "layers": [ ${'x'.repeat(60)} ] }`;
      const e = errorOf(() => parseNetwork(text, 'net.json'));
      expect(e.field).toBe('net.json');
      expect(e.value).toBe(JSON.stringify(text.slice(0, 40)));
      expect(e.expected).toMatch(/^valid JSON \(.+\)$/);
      expect(errorOf(() => parseNetwork('{')).field).toBe('network');
    });

    it('returns the parsed spec', () => {
      expect(parseNetwork('{"input":[1,2],"layers":[]}')).toEqual({ input: [1, 2], layers: [] });
    });
  });

  describe('layer counts', () => {
    const g = convGeometry(
      convProblem({
        batch: 2,
        inChannels: 4,
        outChannels: 6,
        groups: 2,
        inputSize: [5, 7],
        kernelSize: [3, 2],
        bias: true,
      }),
    );

    it('parameters are weights plus biases', () => {
      // 6 · (4/2) · 3·2 = 72 weights, 6 biases.
      expect(parameterCount(g)).toBe(78);
    });

    it('MACs are N · C_out · ΠO · (C_in/g) · ΠK and FLOPs twice that', () => {
      // Output 3 × 6; reduction 2 · 6 = 12.
      expect(macs(g)).toBe(2 * 6 * 18 * 12);
      expect(flops(g)).toBe(2 * 2 * 6 * 18 * 12);
    });

    it('grows the receptive field by (D(K−1)+1 − 1)·jump and shifts it by the pad', () => {
      const field = receptiveField([
        { kernel: 3, stride: 2, dilation: 1, padBegin: 1 },
        { kernel: 3, stride: 3, dilation: 2, padBegin: 2 },
        { kernel: 2, stride: 1, dilation: 1, padBegin: 0 },
      ]);
      // size 1 + 2·1 + 4·2 + 1·6 = 17; start −1 − 2·2 = −5; jump 1·2·3·1 = 6.
      expect(field).toEqual({ size: 17, jump: 6, start: -5 });
      expect(receptiveField([])).toEqual({ size: 1, jump: 1, start: 0 });
    });
  });
});
