/**
 * Mutation-testing additions for im2col: when the input is used as the column
 * matrix, the column-block width and workspace formulas, the workspace limit and
 * refusal messages, operand type errors, and problems of the input-as-columns path
 * (grouped, batched) and of depth strides, checked bit for bit against the oracle.
 */
import { describe, expect, it } from 'vitest';
import {
  type ConvProblem,
  convGeometry,
  formatDescriptor,
  referenceConv,
} from '../../reference/index.ts';
import { gemmWorkspaceBytes } from '../gemm/index.ts';
import { im2colConv, im2colConv64, workspaceLimit, workspaceRefusal } from './conv.ts';
import { createIm2colKernel, im2colKernel, im2colKernel64 } from './kernel.ts';
import {
  columnBlockWidth,
  gemmWorkspace,
  im2colWorkspaceBytes,
  inputIsColumns,
  releaseIm2colWorkspace,
} from './workspace.ts';

function problem(
  over: Partial<ConvProblem> & Pick<ConvProblem, 'inputSize' | 'kernelSize'>,
): ConvProblem {
  const rank = over.inputSize.length;
  return {
    mode: 'cross-correlation',
    batch: 1,
    inChannels: 1,
    outChannels: 1,
    groups: 1,
    stride: new Array<number>(rank).fill(1),
    dilation: new Array<number>(rank).fill(1),
    padBegin: new Array<number>(rank).fill(0),
    padEnd: new Array<number>(rank).fill(0),
    bias: false,
    ...over,
  };
}

/** Small integers: every partial sum is exact in float32, so results match bit for bit. */
const ints = (length: number, seed: number) =>
  Array.from({ length }, (_, i) => ((i * 5 + seed * 7) % 9) - 4);

describe('inputIsColumns', () => {
  const oneByOne = problem({ inputSize: [3, 4], kernelSize: [1, 1] });

  it('holds for a 1×1 kernel at stride 1 without padding', () => {
    expect(inputIsColumns(convGeometry(oneByOne))).toBe(true);
  });

  it('fails when any one dimension has a larger kernel, a stride or a pad', () => {
    for (const change of [
      { kernelSize: [1, 2] },
      { stride: [1, 2] },
      { padBegin: [0, 1] },
      { padEnd: [1, 0] },
    ]) {
      expect(inputIsColumns(convGeometry({ ...oneByOne, ...change })), JSON.stringify(change)).toBe(
        false,
      );
    }
  });
});

describe('column blocks and workspace', () => {
  it('uses all output positions when the input is the column matrix', () => {
    const g = convGeometry(
      problem({ inChannels: 3, outChannels: 2, inputSize: [5, 7], kernelSize: [1, 1] }),
    );
    expect(columnBlockWidth(g)).toBe(35);
    expect(im2colWorkspaceBytes(g, 'float32')).toBe(gemmWorkspaceBytes(2, 35, 3));
  });

  it('uses all output positions for a 1×1 problem even when R is large', () => {
    // R = 100000: the general rule would give ⌊2^20 / R⌋ = 10 → 8 positions of 20.
    const g = convGeometry(problem({ inChannels: 100000, inputSize: [20], kernelSize: [1] }));
    expect(columnBlockWidth(g)).toBe(20);
  });

  it('sizes a 1×1 problem for B packed block by block (K = 300 > KC), not whole', () => {
    const g = convGeometry(problem({ inChannels: 300, inputSize: [9], kernelSize: [1] }));
    expect(im2colWorkspaceBytes(g, 'float32')).toBe(gemmWorkspaceBytes(1, 9, 300));
    expect(gemmWorkspaceBytes(1, 9, 300)).not.toBe(gemmWorkspaceBytes(1, 9, 300, true));
  });

  it('keeps a whole small problem in one block, not rounded to NR', () => {
    const g = convGeometry(problem({ inputSize: [9], kernelSize: [3] }));
    expect(columnBlockWidth(g)).toBe(7);
    expect(im2colWorkspaceBytes(g, 'float64')).toBe(gemmWorkspaceBytes(1, 7, 3, true));
  });

  it('cuts a block to 2^20 / R positions, rounded down to a multiple of NR = 4', () => {
    // R = 100000 · 1: ⌊1048576 / 100000⌋ = 10 of 22 positions, rounded down to 8.
    const g = convGeometry(
      problem({ inChannels: 100000, inputSize: [20], kernelSize: [1], padBegin: [1], padEnd: [1] }),
    );
    expect(columnBlockWidth(g)).toBe(8);
  });

  it('keeps a block narrower than NR as it is, and never below one position', () => {
    // R = 300000: ⌊1048576 / 300000⌋ = 3 positions.
    const three = convGeometry(problem({ inChannels: 100000, inputSize: [20], kernelSize: [3] }));
    expect(columnBlockWidth(three)).toBe(3);
    // R = 1100000 > 2^20: one position per block.
    const one = convGeometry(problem({ inChannels: 100000, inputSize: [20], kernelSize: [11] }));
    expect(columnBlockWidth(one)).toBe(1);
  });

  it('shares one GEMM workspace until it is released', () => {
    const ws = gemmWorkspace();
    expect(gemmWorkspace()).toBe(ws);
    releaseIm2colWorkspace();
    const fresh = gemmWorkspace();
    expect(fresh).not.toBe(ws);
    expect(fresh.packed.length).toBe(0);
  });
});

describe('workspace limit', () => {
  it('defaults to 2^30 bytes and accepts 0 and Infinity', () => {
    expect(workspaceLimit()).toBe(2 ** 30);
    expect(workspaceLimit({})).toBe(2 ** 30);
    expect(workspaceLimit({ maxWorkspaceBytes: 0 })).toBe(0);
    expect(workspaceLimit({ maxWorkspaceBytes: Number.POSITIVE_INFINITY })).toBe(Infinity);
  });

  it('refuses a negative, NaN or non-number limit, naming it', () => {
    for (const bad of [-1, Number.NaN, '5']) {
      expect(() => workspaceLimit({ maxWorkspaceBytes: bad as number })).toThrow(
        new RangeError(`im2col: maxWorkspaceBytes must be a number ≥ 0, got ${String(bad)}`),
      );
    }
  });

  it('refuses only beyond the limit, naming the problem, bytes and dtype', () => {
    const p = problem({ inputSize: [6, 6], kernelSize: [3, 3] });
    const g = convGeometry(p);
    const needed = im2colWorkspaceBytes(g, 'float64');
    expect(workspaceRefusal(g, 'float64', { maxWorkspaceBytes: needed })).toBeUndefined();
    expect(workspaceRefusal(g, 'float64', { maxWorkspaceBytes: needed - 1 })).toBe(
      `im2col: ${formatDescriptor(p)} needs ${needed} bytes of workspace (float64), ` +
        `more than maxWorkspaceBytes = ${needed - 1}`,
    );
    const x = new Float32Array(36);
    const w = new Float32Array(9);
    expect(() => im2colConv(p, x, w, undefined, { maxWorkspaceBytes: 1 })).toThrow('(float32)');
    expect(() =>
      im2colConv64(p, Float64Array.from(x), Float64Array.from(w), undefined, {
        maxWorkspaceBytes: 1,
      }),
    ).toThrow('(float64)');
  });
});

describe('im2col kernels', () => {
  const p = problem({ outChannels: 2, inputSize: [4], kernelSize: [2], bias: true });

  it('name the operand of the wrong type', () => {
    const x32 = new Float32Array(4);
    const w32 = new Float32Array(4);
    const b32 = new Float32Array(2);
    expect(() => im2colKernel.conv(p, x32, new Float64Array(4), b32)).toThrow(
      new TypeError('im2col: weight must be a Float32Array, got [object Float64Array]'),
    );
    expect(() => im2colKernel.conv(p, x32, w32, new Float64Array(2))).toThrow(
      new TypeError('im2col: bias must be a Float32Array, got [object Float64Array]'),
    );
    const x64 = new Float64Array(4);
    const w64 = new Float64Array(4);
    expect(() => im2colKernel64.conv(p, x32, w64, new Float64Array(2))).toThrow(
      new TypeError('im2col-f64: input must be a Float64Array, got [object Float32Array]'),
    );
    expect(() => im2colKernel64.conv(p, x64, w32, new Float64Array(2))).toThrow(
      'im2col-f64: weight must be a Float64Array',
    );
    expect(() => im2colKernel64.conv(p, x64, w64, b32)).toThrow(
      'im2col-f64: bias must be a Float64Array',
    );
  });

  it('say their dtype and name', () => {
    expect([im2colKernel.name, im2colKernel.dtype]).toEqual(['im2col', 'float32']);
    expect([im2colKernel64.name, im2colKernel64.dtype]).toEqual(['im2col-f64', 'float64']);
    expect(createIm2colKernel({ dtype: 'float64' }).dtype).toBe('float64');
  });

  it('im2col-f64 runs without a bias', () => {
    const q = { ...p, bias: false };
    const x = Float64Array.from([1, -2, 3, 4]);
    const w = Float64Array.from([2, 1, -1, 3]);
    expect(Array.from(im2colKernel64.conv(q, x, w) as Float64Array)).toEqual(
      Array.from(referenceConv(q, x, w)),
    );
  });
});

describe('im2col against the oracle, bit for bit', () => {
  const cases: [string, ConvProblem][] = [
    [
      '1×1 input-as-columns, grouped, batch 2, bias',
      problem({
        batch: 2,
        inChannels: 4,
        outChannels: 6,
        groups: 2,
        inputSize: [3, 5],
        kernelSize: [1, 1],
        bias: true,
      }),
    ],
    [
      '1×1 input-as-columns, 3 groups, batch 3, no bias',
      problem({
        batch: 3,
        inChannels: 6,
        outChannels: 3,
        groups: 3,
        inputSize: [7],
        kernelSize: [1],
      }),
    ],
    [
      '3-D with stride 2 in depth, batch 2',
      problem({
        batch: 2,
        inChannels: 2,
        outChannels: 2,
        inputSize: [5, 3, 4],
        kernelSize: [2, 2, 2],
        stride: [2, 1, 1],
        padBegin: [1, 0, 1],
        mode: 'convolution',
        bias: true,
      }),
    ],
  ];
  for (const [what, q] of cases) {
    it(what, () => {
      const g = convGeometry(q);
      const x = ints(g.inputLength, 1);
      const w = ints(g.weightLength, 2);
      const b = q.bias ? ints(g.biasLength, 3) : undefined;
      const expected = Array.from(referenceConv(q, x, w, b));
      const b32 = b && Float32Array.from(b);
      expect(Array.from(im2colConv(q, Float32Array.from(x), Float32Array.from(w), b32))).toEqual(
        expected,
      );
      const b64 = b && Float64Array.from(b);
      expect(Array.from(im2colConv64(q, Float64Array.from(x), Float64Array.from(w), b64))).toEqual(
        expected,
      );
    });
  }
});
