import { describe, expect, it } from 'vitest';
import { convGeometry, poolGeometry } from './geometry.ts';
import { parameterCount } from './layer.ts';
import type { ConvProblem } from './problem.ts';
import { convProblem, errorOf, poolProblem } from './testing.ts';

describe('convGeometry', () => {
  it('derives the seed 32×32 ⊛ 5×5 → 28×28 and its shapes', () => {
    const g = convGeometry(
      convProblem({ inChannels: 3, outChannels: 6, inputSize: [32, 32], kernelSize: [5, 5] }),
    );
    expect(g.outputSize).toEqual([28, 28]);
    expect(g.weightShape).toEqual([6, 3, 5, 5]);
    expect(g.outputShape).toEqual([1, 6, 28, 28]);
    expect(g.reductionLength).toBe(75);
  });

  it('counts the seed 3×3 conv from 128 to 64 channels: 73,728 weights', () => {
    const g = convGeometry(
      convProblem({ inChannels: 128, outChannels: 64, inputSize: [8, 8], kernelSize: [3, 3] }),
    );
    expect(parameterCount(g)).toBe(3 * 3 * 128 * 64);
  });

  it('keeps 256×256 with a 1×1 conv from 128 to 32 channels', () => {
    const g = convGeometry(
      convProblem({ inChannels: 128, outChannels: 32, inputSize: [256, 256], kernelSize: [1, 1] }),
    );
    expect(g.outputShape).toEqual([1, 32, 256, 256]);
    expect(parameterCount(g)).toBe(128 * 32);
  });

  it('flips only in convolution mode', () => {
    expect(convGeometry(convProblem({ inputSize: [3], kernelSize: [2] })).flipKernel).toBe(false);
    expect(
      convGeometry(convProblem({ mode: 'convolution', inputSize: [3], kernelSize: [2] }))
        .flipKernel,
    ).toBe(true);
  });

  const base = convProblem({
    inChannels: 4,
    outChannels: 6,
    groups: 2,
    inputSize: [5, 5],
    kernelSize: [3, 3],
  });
  const cases: [string, Partial<ConvProblem> | Record<string, unknown>, string][] = [
    ['mode', { mode: 'conv' }, 'ConvProblem.mode'],
    ['bias', { bias: 1 }, 'ConvProblem.bias'],
    ['zero batch', { batch: 0 }, 'ConvProblem.batch'],
    ['fractional channels', { inChannels: 2.5 }, 'ConvProblem.inChannels'],
    ['zero outChannels', { outChannels: 0 }, 'ConvProblem.outChannels'],
    ['groups not dividing inChannels', { groups: 3, outChannels: 6 }, 'ConvProblem.groups'],
    ['groups not dividing outChannels', { groups: 4, outChannels: 6 }, 'ConvProblem.groups'],
    ['no spatial dims', { inputSize: [] }, 'ConvProblem.inputSize'],
    ['four spatial dims', { inputSize: [2, 2, 2, 2] }, 'ConvProblem.inputSize'],
    ['mismatched kernel rank', { kernelSize: [3] }, 'ConvProblem.kernelSize'],
    ['mismatched stride rank', { stride: [1, 1, 1] }, 'ConvProblem.stride'],
    ['zero stride', { stride: [1, 0] }, 'ConvProblem.stride[1]'],
    ['zero dilation', { dilation: [0, 1] }, 'ConvProblem.dilation[0]'],
    ['non-integer input size', { inputSize: [5, 5.5] }, 'ConvProblem.inputSize[1]'],
    ['negative pad', { padBegin: [0, -1] }, 'ConvProblem.padBegin[1]'],
    ['NaN pad', { padEnd: [Number.NaN, 0] }, 'ConvProblem.padEnd[0]'],
    ['kernel larger than padded input', { kernelSize: [3, 6] }, 'ConvProblem.kernelSize[1]'],
    ['dilated kernel larger than padded input', { dilation: [3, 1] }, 'ConvProblem.kernelSize[0]'],
  ];
  for (const [what, change, field] of cases) {
    it(`rejects ${what}, naming ${field}`, () => {
      const e = errorOf(() => convGeometry({ ...base, ...change } as ConvProblem));
      expect(e.field).toBe(field);
      expect(e.message).toContain(field);
      expect(e.message).toContain('got');
    });
  }

  it('rejects a non-object problem', () => {
    expect(errorOf(() => convGeometry(null as unknown as ConvProblem)).field).toBe('ConvProblem');
  });

  it('rejects a tensor beyond the size limit, naming it and the limit', () => {
    const e = errorOf(() => convGeometry(base, { maxTensorElements: 50 }));
    expect(e.field).toBe('ConvProblem.input (elements)');
    expect(e.message).toContain('100');
    expect(e.message).toContain('50');
  });

  it('accepts a kernel exactly as large as the padded input (output size 1)', () => {
    const g = convGeometry(
      convProblem({ inputSize: [3], kernelSize: [5], padBegin: [1], padEnd: [1] }),
    );
    expect(g.outputSize).toEqual([1]);
  });
});

describe('poolGeometry', () => {
  it('uses ceil mode', () => {
    expect(
      poolGeometry(
        poolProblem({
          op: 'maxpool',
          inputSize: [6],
          kernelSize: [3],
          stride: [2],
          ceilMode: true,
        }),
      ).outputSize,
    ).toEqual([3]);
  });

  it('rejects windows that lie wholly in padding', () => {
    const e = errorOf(() =>
      poolGeometry(poolProblem({ op: 'maxpool', inputSize: [4], kernelSize: [2], padBegin: [2] })),
    );
    expect(e.field).toBe('PoolProblem.padBegin[0]/padEnd[0]');
  });

  it('rejects an unknown op and non-boolean flags', () => {
    const p = poolProblem({ op: 'maxpool', inputSize: [4], kernelSize: [2] });
    expect(errorOf(() => poolGeometry({ ...p, op: 'minpool' as 'maxpool' })).field).toBe(
      'PoolProblem.op',
    );
    expect(errorOf(() => poolGeometry({ ...p, ceilMode: 'yes' as unknown as boolean })).field).toBe(
      'PoolProblem.ceilMode',
    );
    expect(
      errorOf(() => poolGeometry({ ...p, countIncludePad: 0 as unknown as boolean })).field,
    ).toBe('PoolProblem.countIncludePad');
    expect(errorOf(() => poolGeometry({ ...p, channels: 0 })).field).toBe('PoolProblem.channels');
  });
});
