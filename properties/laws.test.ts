import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { im2colKernel } from '../impl/im2col/index.ts';
import { type ConvGeometry, convGeometry, parameterCount } from '../reference/index.ts';
import {
  biasDroppedKernel,
  dilationIgnoredKernel,
  flipMissingKernel,
  groupsMisMappedKernel,
  outputWidthFromHeightKernel,
  padScaledByStrideKernel,
  padsSwappedKernel,
  reluFusedKernel,
  tileEdgeKernel,
} from './broken/kernels.ts';
import { avgDividesByKernelVolume } from './broken/pool.ts';
import {
  avgPoolDepthwiseLaw,
  convLaws,
  maxAtLeastAvgLaw,
  parameterCountLaw,
} from './laws/index.ts';
import { referencePoolKernel } from './pooling.ts';

/** For every law, a deliberately broken kernel it must catch. */
const CAUGHT_BY: Record<string, (typeof flipMissingKernel)[]> = {
  'linearity-input': [reluFusedKernel],
  'linearity-weight': [reluFusedKernel],
  translation: [tileEdgeKernel, padsSwappedKernel],
  commutativity: [flipMissingKernel],
  associativity: [flipMissingKernel],
  flip: [flipMissingKernel],
  'pointwise-matmul': [biasDroppedKernel, padsSwappedKernel],
  'channel-sum': [biasDroppedKernel],
  'group-concat': [groupsMisMappedKernel],
  dilation: [dilationIgnoredKernel],
  stride: [padScaledByStrideKernel, tileEdgeKernel],
  padding: [padsSwappedKernel],
  'receptive-field': [dilationIgnoredKernel],
  'exact-oracle': [flipMissingKernel, groupsMisMappedKernel],
  'output-shape': [outputWidthFromHeightKernel],
};

describe('the laws of convolution', () => {
  it('every law has a broken kernel it catches', () => {
    expect(Object.keys(CAUGHT_BY).sort()).toEqual(convLaws.map((l) => l.name).sort());
  });

  describe.each(convLaws.map((l) => [l.name, l] as const))('%s', (name, { law }) => {
    it('holds for the float64 oracle', async () => {
      await fc.assert(law(undefined as never));
    });

    it('holds for im2col (float32, exact on integer data)', async () => {
      await fc.assert(law(im2colKernel));
    });

    it.each(CAUGHT_BY[name]!.map((k) => [k.name, k] as const))(
      'catches %s',
      async (_kernel, broken) => {
        const run = await fc.check(law(broken), { endOnFailure: true });
        expect(run.failed).toBe(true);
        expect(run.counterexample).not.toBeNull();
      },
    );
  });
});

describe('pooling laws', () => {
  it('average pooling = depthwise convolution / tap count, for the oracles and for im2col', async () => {
    await fc.assert(avgPoolDepthwiseLaw());
    await fc.assert(avgPoolDepthwiseLaw(referencePoolKernel, im2colKernel));
  });

  it('max pool ≥ avg pool', async () => {
    await fc.assert(maxAtLeastAvgLaw());
  });

  it('both catch an average pool that always divides by the kernel volume', async () => {
    for (const law of [
      avgPoolDepthwiseLaw(avgDividesByKernelVolume),
      maxAtLeastAvgLaw(avgDividesByKernelVolume),
    ]) {
      const run = await fc.check(law, { endOnFailure: true });
      expect(run.failed).toBe(true);
    }
  });

  it('the depthwise law also catches a conv kernel with mis-mapped groups', async () => {
    const run = await fc.check(avgPoolDepthwiseLaw(referencePoolKernel, groupsMisMappedKernel), {
      endOnFailure: true,
    });
    expect(run.failed).toBe(true);
  });
});

describe('parameter count', () => {
  it('equals ΠK · Cin/groups · Cout (+ Cout biases) and the weight tensor size', async () => {
    await fc.assert(parameterCountLaw());
  });

  it("matches the seed's example: a 3×3 conv from 128 to 64 channels has 73 728 weights", () => {
    const g = convGeometry({
      mode: 'cross-correlation',
      batch: 1,
      inChannels: 128,
      outChannels: 64,
      groups: 1,
      inputSize: [8, 8],
      kernelSize: [3, 3],
      stride: [1, 1],
      dilation: [1, 1],
      padBegin: [1, 1],
      padEnd: [1, 1],
      bias: false,
    });
    expect(parameterCount(g)).toBe(73_728);
  });

  it('catches a formula that forgets the groups', async () => {
    const forgetsGroups = (g: ConvGeometry) =>
      g.kernelVolume * g.inChannels * g.outChannels + g.biasLength;
    const run = await fc.check(parameterCountLaw(forgetsGroups), { endOnFailure: true });
    expect(run.failed).toBe(true);
  });
});
