/**
 * Over 300 lines, on purpose: a unit's test file holds all of its tests, including
 * its mutation-testing additions.
 */
import { describe, expect, it } from 'vitest';
import { convGeometry, defaultLimits, lift3, poolGeometry, stridesOf } from './geometry.ts';
import { parameterCount } from './layer.ts';
import type { ConvProblem, PoolProblem } from './problem.ts';
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

/**
 * Mutation-testing additions (formerly geometry.mutation.test.ts):
 * Mutation-testing additions for geometry.ts: what the errors say (field, value,
 * expectation), the exact boundaries of every check, and the helpers.
 */
describe('mutation-testing additions', () => {
  const base = convProblem({
    inChannels: 4,
    outChannels: 6,
    groups: 2,
    inputSize: [5, 5],
    kernelSize: [3, 3],
  });
  const conv = (change: Record<string, unknown>) => () =>
    convGeometry({ ...base, ...change } as ConvProblem);

  describe('convGeometry errors say what was expected', () => {
    it('asks for a positive integer for counts, strides and sizes', () => {
      for (const change of [
        { batch: 0 },
        { inChannels: 1.5 },
        { stride: [1, 0] },
        { inputSize: [5, -1] },
      ]) {
        expect(errorOf(conv(change)).expected).toBe('a positive integer');
      }
    });

    it('asks for a non-negative integer for pads, and accepts 0 there', () => {
      expect(errorOf(conv({ padBegin: [0, -1] })).expected).toBe('a non-negative integer');
      expect(errorOf(conv({ padEnd: [0.5, 0] })).expected).toBe('a non-negative integer');
      expect(convGeometry({ ...base, padBegin: [0, 0], padEnd: [0, 0] }).outputSize).toEqual([
        3, 3,
      ]);
    });

    it('names groups when it is not a positive integer', () => {
      expect(errorOf(conv({ groups: 0 })).field).toBe('ConvProblem.groups');
    });

    it('rejects a count that is not a number at all', () => {
      const e = errorOf(conv({ batch: '2' }));
      expect(e.field).toBe('ConvProblem.batch');
      expect(e.value).toBe('2');
    });

    it('names the mode and bias alternatives', () => {
      expect(errorOf(conv({ mode: 'conv' })).expected).toContain(
        "'cross-correlation' or 'convolution'",
      );
      expect(errorOf(conv({ bias: 'yes' })).expected).toBe('a boolean');
    });

    it('names the channel count that groups must divide', () => {
      expect(errorOf(conv({ groups: 3, outChannels: 6 })).expected).toBe(
        'a divisor of inChannels = 4',
      );
      expect(errorOf(conv({ groups: 4, inChannels: 8, outChannels: 6 })).expected).toBe(
        'a divisor of outChannels = 6',
      );
    });

    it('describes the spatial arrays expected', () => {
      expect(errorOf(conv({ inputSize: [] })).expected).toContain('1 to 3 spatial sizes');
      expect(errorOf(conv({ inputSize: 5 })).field).toBe('ConvProblem.inputSize');
      expect(errorOf(conv({ stride: [1] })).expected).toBe('an array of 2 entries, like inputSize');
      expect(errorOf(conv({ dilation: 1 })).field).toBe('ConvProblem.dilation');
    });

    it('gives the effective kernel and the padded input when the kernel does not fit', () => {
      const e = errorOf(conv({ kernelSize: [3, 4], dilation: [1, 2] }));
      // D·(K−1)+1 = 2·3+1 = 7 against 5 + 0 + 0.
      expect(e.expected).toContain('= 7 > inputSize + padBegin + padEnd = 5');
      expect(e.value).toBe(4);
    });

    it('rejects an array or null as the problem, naming only the kind', () => {
      for (const p of [[], null, 7]) {
        const e = errorOf(() => convGeometry(p as unknown as ConvProblem));
        expect(e.field).toBe('ConvProblem');
        expect(e.expected).toBe('an object');
      }
    });
  });

  describe('convGeometry boundaries', () => {
    it('accepts rank 1 and rank 3, rejects rank 4', () => {
      expect(convGeometry(convProblem({ inputSize: [4], kernelSize: [2] })).rank).toBe(1);
      expect(convGeometry(convProblem({ inputSize: [2, 3, 4], kernelSize: [1, 2, 2] })).rank).toBe(
        3,
      );
      expect(errorOf(conv({ inputSize: [2, 2, 2, 2] })).field).toBe('ConvProblem.inputSize');
    });

    it('accepts a tensor of exactly maxTensorElements, refuses one more', () => {
      // base: input 1·4·5·5 = 100 elements, weight 6·2·3·3 = 108, output 1·6·3·3 = 54.
      expect(() => convGeometry(base, { maxTensorElements: 108 })).not.toThrow();
      const e = errorOf(() => convGeometry(base, { maxTensorElements: 107 }));
      expect(e.field).toBe('ConvProblem.weight (elements)');
      expect(e.value).toBe(108);
      expect(e.expected).toBe('at most maxTensorElements = 107 elements');
    });

    it('checks the output against the limit too', () => {
      // input 1·1·4 = 4, weight 1·1·1 = 1, output 1·8·4 = 32 elements.
      const p = convProblem({ outChannels: 8, inputSize: [4], kernelSize: [1] });
      expect(errorOf(() => convGeometry(p, { maxTensorElements: 31 })).field).toBe(
        'ConvProblem.output (elements)',
      );
    });

    it('refuses by default a tensor over 2^26 elements', () => {
      expect(defaultLimits.maxTensorElements).toBe(2 ** 26);
      const big = convProblem({ inputSize: [2 ** 13, 2 ** 13 + 1], kernelSize: [1, 1] });
      expect(errorOf(() => convGeometry(big)).field).toBe('ConvProblem.input (elements)');
      const fits = convProblem({ inputSize: [2 ** 13, 2 ** 13], kernelSize: [1, 1] });
      expect(convGeometry(fits).inputLength).toBe(2 ** 26);
    });

    it('derives per-group channels, reduction length and bias length', () => {
      const g = convGeometry({ ...base, bias: true });
      expect(g.inChannelsPerGroup).toBe(2);
      expect(g.outChannelsPerGroup).toBe(3);
      expect(g.reductionLength).toBe(2 * 9);
      expect(g.biasLength).toBe(6);
      expect(convGeometry(base).biasLength).toBe(0);
      expect(g.effectiveKernel).toEqual([3, 3]);
      expect([g.inputVolume, g.kernelVolume, g.outputVolume]).toEqual([25, 9, 9]);
      expect([g.inputLength, g.weightLength, g.outputLength]).toEqual([100, 108, 54]);
    });
  });

  describe('poolGeometry', () => {
    const pool = (over: Partial<PoolProblem>) =>
      poolProblem({ op: 'avgpool', inputSize: [4], kernelSize: [2], ...over });

    it('says what it expected of op and flags', () => {
      expect(errorOf(() => poolGeometry(pool({ op: 'sum' as 'maxpool' }))).expected).toBe(
        "'maxpool' or 'avgpool'",
      );
      expect(
        errorOf(() => poolGeometry(pool({ ceilMode: 1 as unknown as boolean }))).expected,
      ).toBe('a boolean');
      expect(
        errorOf(() => poolGeometry(pool({ countIncludePad: 1 as unknown as boolean }))).expected,
      ).toBe('a boolean');
      expect(errorOf(() => poolGeometry(pool({ batch: 0 }))).field).toBe('PoolProblem.batch');
      expect(errorOf(() => poolGeometry([] as unknown as PoolProblem)).field).toBe('PoolProblem');
    });

    it('accepts a window with a single input tap at either edge', () => {
      // Window 0 covers positions −1 and 0, the last one 3 and 4: one input tap each.
      const g = poolGeometry(
        pool({ inputSize: [4], kernelSize: [2], stride: [2], padBegin: [1], padEnd: [1] }),
      );
      expect(g.outputSize).toEqual([3]);
    });

    it('accepts a dilated window whose only input tap is its last one', () => {
      // Taps at −2, 0 (dilation 2, pad 2, kernel 2): only the second lies in the input.
      const g = poolGeometry(
        pool({ inputSize: [3], kernelSize: [2], stride: [1], dilation: [2], padBegin: [2] }),
      );
      expect(g.outputSize).toEqual([3]);
    });

    it('names the window that lies wholly in the end padding', () => {
      // Windows at 0–1 and 2–3 over input [0, 2): window 1 sees only padding.
      const e = errorOf(() =>
        poolGeometry(pool({ inputSize: [2], kernelSize: [2], stride: [2], padEnd: [2] })),
      );
      expect(e.field).toBe('PoolProblem.padBegin[0]/padEnd[0]');
      expect(e.value).toEqual([0, 2]);
      expect(e.expected).toContain('window 1 lies wholly in padding');
    });

    it('checks every dimension, not only the first', () => {
      const e = errorOf(() =>
        poolGeometry(
          poolProblem({ op: 'maxpool', inputSize: [4, 4], kernelSize: [2, 2], padBegin: [0, 2] }),
        ),
      );
      expect(e.field).toBe('PoolProblem.padBegin[1]/padEnd[1]');
    });

    it('derives shapes, lengths and the input/output limit checks', () => {
      const g = poolGeometry(
        poolProblem({
          op: 'maxpool',
          batch: 2,
          channels: 3,
          inputSize: [4, 6],
          kernelSize: [2, 3],
        }),
      );
      expect(g.inputShape).toEqual([2, 3, 4, 6]);
      expect(g.outputShape).toEqual([2, 3, 2, 2]);
      expect([g.inputLength, g.outputLength]).toEqual([144, 24]);
      const p = pool({ channels: 3, inputSize: [4], kernelSize: [1], stride: [1] });
      expect(() => poolGeometry(p, { maxTensorElements: 12 })).not.toThrow();
      expect(errorOf(() => poolGeometry(p, { maxTensorElements: 11 })).field).toBe(
        'PoolProblem.input (elements)',
      );
      // Padding makes the output larger than the input: windows start at −1, 0, 1, 2.
      const wide = pool({
        channels: 2,
        inputSize: [3],
        kernelSize: [2],
        stride: [1],
        padBegin: [1],
        padEnd: [1],
      });
      expect(poolGeometry(wide).outputLength).toBe(8);
      expect(errorOf(() => poolGeometry(wide, { maxTensorElements: 7 })).field).toBe(
        'PoolProblem.output (elements)',
      );
    });
  });

  describe('stridesOf and lift3', () => {
    it('gives row-major strides', () => {
      expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
      expect(stridesOf([5])).toEqual([1]);
      expect(stridesOf([])).toEqual([]);
    });

    it('prepends the fill value up to rank 3', () => {
      expect(lift3([7], 0)).toEqual([0, 0, 7]);
      expect(lift3([6, 7], 1)).toEqual([1, 6, 7]);
      expect(lift3([5, 6, 7], 9)).toEqual([5, 6, 7]);
    });
  });
});
