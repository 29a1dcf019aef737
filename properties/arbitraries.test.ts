import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { convGeometry, macs, poolGeometry } from '../reference/index.ts';
import { convProblemArbitrary, networkLayers } from './arbitraries/convProblem.ts';
import { poolProblemArbitrary } from './arbitraries/poolProblem.ts';

const MINIMAL = {
  mode: 'cross-correlation',
  batch: 1,
  inChannels: 1,
  outChannels: 1,
  groups: 1,
  stride: [1],
  dilation: [1],
  padBegin: [0],
  padEnd: [0],
  bias: false,
};

describe('convProblemArbitrary', () => {
  test.prop([convProblemArbitrary()])('every problem is valid and within the MAC budget', (p) => {
    expect(macs(convGeometry(p))).toBeLessThanOrEqual(40_000);
  });

  test.prop([
    convProblemArbitrary({
      dims: [2],
      modes: ['convolution'],
      maxMacs: 500,
      kernelSizes: [3],
      maxStride: 1,
    }),
  ])('respects its constraints', (p) => {
    expect(p.inputSize).toHaveLength(2);
    expect(p.mode).toBe('convolution');
    expect(p.kernelSize).toEqual([3, 3]);
    expect(p.stride).toEqual([1, 1]);
    expect(macs(convGeometry(p))).toBeLessThanOrEqual(500);
  });

  it('covers the shapes where kernels break', () => {
    const samples = fc
      .sample(convProblemArbitrary(), { numRuns: 1500, seed: 7 })
      .map((p) => ({ p, g: convGeometry(p) }));
    const share = (f: (s: (typeof samples)[number]) => boolean) =>
      samples.filter(f).length / samples.length;
    expect(new Set(samples.map(({ g }) => g.rank))).toEqual(new Set([1, 2, 3]));
    // Kernel = padded input: output size 1.
    expect(share(({ g }) => g.outputVolume === 1)).toBeGreaterThan(0.05);
    expect(share(({ p }) => p.stride.some((s, d) => s > p.kernelSize[d]!))).toBeGreaterThan(0.05);
    expect(share(({ p }) => p.groups > 1 && p.groups < p.inChannels)).toBeGreaterThan(0.02);
    // Depthwise with a channel multiplier.
    expect(
      share(({ p }) => p.groups > 1 && p.groups === p.inChannels && p.outChannels > p.inChannels),
    ).toBeGreaterThan(0.005);
    expect(share(({ p }) => p.dilation.some((d) => d > 1))).toBeGreaterThan(0.1);
    expect(share(({ p }) => p.padBegin.some((b, d) => b !== p.padEnd[d]))).toBeGreaterThan(0.2);
    // Pads at least the window: whole windows inside padding.
    expect(
      share(({ p, g }) => p.padBegin.some((b, d) => b >= g.effectiveKernel[d]!)),
    ).toBeGreaterThan(0.02);
    expect(share(({ g }) => g.rank > 1 && new Set(g.inputSize).size > 1)).toBeGreaterThan(0.3);
    expect(share(({ p }) => p.inChannels > 4 && p.inChannels % 4 !== 0)).toBeGreaterThan(0.05);
    expect(share(({ g }) => g.outputSize.some((o) => o > 64))).toBeGreaterThan(0.005);
    expect(share(({ p }) => p.mode === 'convolution')).toBeGreaterThan(0.3);
    expect(share(({ p }) => p.bias)).toBeGreaterThan(0.3);
    expect(share(({ p }) => p.batch > 1)).toBeGreaterThan(0.2);
    // Real network layers keep their kernels and strides (AlexNet conv1: 11 at stride 4).
    expect(
      share(({ p }) => p.kernelSize.every((k) => k === 11) && p.stride.every((s) => s === 4)),
    ).toBeGreaterThan(0.001);
    expect(networkLayers.length).toBeGreaterThan(10);
  });

  it('draws each non-zero padding mode now and then, within the pads that mode allows', () => {
    const samples = fc.sample(convProblemArbitrary(), { numRuns: 3000, seed: 19 });
    const count = (mode: string) =>
      samples.filter((p) => (p.paddingMode ?? 'zeros') === mode).length / samples.length;
    // One in 16 in all (0.0625), one in 48 each; the bounds leave room for sampling noise.
    for (const mode of ['reflect', 'replicate', 'circular']) {
      expect(count(mode)).toBeGreaterThan(0.01);
      expect(count(mode)).toBeLessThan(0.04);
    }
    // 'zeros' is never written out: the problem record keeps its old shape.
    expect(samples.some((p) => p.paddingMode === 'zeros')).toBe(false);
    // Every mode-padded problem is valid (convGeometry checks reflect pad < size, circular ≤),
    // and some still pad (the pads are cut to the mode, not dropped).
    const padded = samples.filter(
      (p) => p.paddingMode !== undefined && p.padBegin.some((b, d) => b + p.padEnd[d]! > 0),
    );
    for (const p of padded) convGeometry(p);
    expect(padded.length).toBeGreaterThan(50);
    expect(
      samples.some(
        (p) => p.paddingMode === 'reflect' && p.padBegin.some((b, d) => b === p.inputSize[d]! - 1),
      ),
    ).toBe(true);
  });

  it("draws zeros only when told so, and shrinks a mode-only failure to 'reflect' on the minimal problem", () => {
    const zerosOnly = fc.sample(convProblemArbitrary({ paddingModes: ['zeros'] }), {
      numRuns: 2000,
      seed: 19,
    });
    expect(zerosOnly.every((p) => p.paddingMode === undefined)).toBe(true);
    expect(() => convProblemArbitrary({ paddingModes: [] })).toThrow(/paddingModes/);
    expect(() => convProblemArbitrary({ paddingModes: ['wrap' as 'zeros'] })).toThrow(
      /paddingModes/,
    );
    const run = fc.check(
      fc.property(convProblemArbitrary(), (p) => p.paddingMode === undefined),
      { seed: 5 },
    );
    expect(run.failed).toBe(true);
    expect(run.counterexample?.[0]).toEqual({
      ...MINIMAL,
      inputSize: [1],
      kernelSize: [1],
      paddingMode: 'reflect',
    });
  });

  it('shrinks a failure to the minimal problem: kernelSize[0] > 2 gives exactly kernel 3', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const run = fc.check(
        fc.property(convProblemArbitrary(), (p) => p.kernelSize[0]! <= 2),
        { seed },
      );
      expect(run.counterexample?.[0]).toEqual({ ...MINIMAL, inputSize: [3], kernelSize: [3] });
    }
  });

  it('shrinks through network layers and rare values alike: groups > 1 gives exactly 2 groups of 1', () => {
    for (const seed of [11, 12, 13]) {
      const run = fc.check(
        fc.property(convProblemArbitrary(), (p) => p.groups === 1),
        { seed },
      );
      expect(run.counterexample?.[0]).toEqual({
        ...MINIMAL,
        inChannels: 2,
        outChannels: 2,
        groups: 2,
        inputSize: [1],
        kernelSize: [1],
      });
    }
  });
});

describe('poolProblemArbitrary', () => {
  test.prop([poolProblemArbitrary()])(
    'every problem is valid: no window lies wholly in padding',
    (p) => {
      expect(() => poolGeometry(p)).not.toThrow();
    },
  );

  it('covers ceil mode with overhang, countIncludePad, dilation and padding', () => {
    const samples = fc.sample(poolProblemArbitrary(), { numRuns: 1000, seed: 3 });
    const overhang = samples.filter((p) => {
      const g = poolGeometry(p);
      return (
        p.ceilMode &&
        g.outputSize.some(
          (o, d) =>
            (o - 1) * p.stride[d]! + g.effectiveKernel[d]! >
            p.inputSize[d]! + p.padBegin[d]! + p.padEnd[d]!,
        )
      );
    });
    expect(overhang.length).toBeGreaterThan(25);
    expect(
      samples.filter((p) => p.countIncludePad && p.padBegin.some((b) => b > 0)).length,
    ).toBeGreaterThan(50);
    expect(samples.filter((p) => p.dilation.some((d) => d > 1)).length).toBeGreaterThan(50);
  });

  it('shrinks to the minimal pooling problem', () => {
    const run = fc.check(
      fc.property(poolProblemArbitrary(), (p) => !p.ceilMode),
      { seed: 5 },
    );
    expect(run.counterexample?.[0]).toEqual({
      op: 'maxpool',
      batch: 1,
      channels: 1,
      inputSize: [1],
      kernelSize: [1],
      stride: [1],
      dilation: [1],
      padBegin: [0],
      padEnd: [0],
      ceilMode: true,
      countIncludePad: false,
    });
  });
});
