/**
 * Mutation-testing additions for the Winograd plan, workspace and kernel options:
 * tile counts, cache blocks, matrix strides and workspace bytes worked out from the
 * formulas in plan.ts, buffer retention, option validation and support reasons.
 */
import { describe, expect, it } from 'vitest';
import { convGeometry } from '../../reference/index.ts';
import { convProblem } from '../../reference/testing.ts';
import { createWinogradKernel } from './kernel.ts';
import { winogradPlan, winogradWorkspaceBytes } from './plan.ts';
import { sparseRows } from './separable.ts';
import { WinogradWorkspace } from './workspace.ts';

const problem = convProblem;

describe('winogradPlan', () => {
  it('tiles each dimension in ⌈O/m⌉ tiles of α = m + r − 1', () => {
    // 2-D: O = 9 × 6 with F(4, 3) and F(4, 2).
    const g = convGeometry(problem({ inputSize: [11, 7], kernelSize: [3, 2], padBegin: [0, 0] }));
    const plan = winogradPlan(g, { m: 4 });
    expect([plan.height.m, plan.height.r, plan.height.alpha, plan.height.tiles]).toEqual([
      4, 3, 6, 3,
    ]);
    expect([plan.width.m, plan.width.r, plan.width.alpha, plan.width.tiles]).toEqual([4, 2, 5, 2]);
    expect(plan.height.outputSize).toBe(9);
    expect(plan.width.inputSize).toBe(7);
    expect(plan.alphaArea).toBe(30);
    expect(plan.tilesPerImage).toBe(6);
  });

  it('uses 1-output tiles for a kernel of size 1, and a 1 × 1 height for 1-D', () => {
    const g = convGeometry(problem({ inputSize: [5, 6], kernelSize: [1, 3], padBegin: [0, 2] }));
    const plan = winogradPlan(g, { m: 2 });
    expect([plan.height.m, plan.height.alpha, plan.height.tiles]).toEqual([1, 1, 5]);
    expect(plan.width.padBegin).toBe(2);
    const one = winogradPlan(convGeometry(problem({ inputSize: [8], kernelSize: [3] })), { m: 2 });
    expect([one.height.m, one.height.r, one.height.alpha, one.height.tiles]).toEqual([1, 1, 1, 1]);
    expect([one.width.alpha, one.width.tiles]).toEqual([4, 3]);
  });

  it('refuses 3-D problems', () => {
    const g = convGeometry(problem({ inputSize: [3, 3, 3], kernelSize: [1, 1, 1] }));
    expect(() => winogradPlan(g, { m: 2 })).toThrow(
      new RangeError('winogradPlan: rank must be 1 or 2, got 3'),
    );
  });

  it('keeps all filters of a group when their U fits 2 MiB, and blocks tiles by 512 KiB', () => {
    // F(2, 3): α² = 16; 64 + 64 channels: U = 16 · 64 · 64 · 8 = 512 KiB ≤ 2 MiB, kept whole.
    // A tile costs α² · (C/g · 8 + K/g · 4) = 16 · 768 = 12 KiB → ⌊512/12⌋ = 42 tiles.
    const wide = convGeometry(
      problem({ inChannels: 64, outChannels: 64, inputSize: [34, 34], kernelSize: [3, 3] }),
    );
    expect(winogradPlan(wide, { m: 2 }).outChannelsPerBlock).toBe(64);
    expect(winogradPlan(wide, { m: 2 }).tilesPerBlock).toBe(42);
    // Only 2 · 2 · 3 = 12 tiles in all (batch 3): the block holds them all.
    const small = convGeometry(problem({ batch: 3, inputSize: [6, 6], kernelSize: [3, 3] }));
    expect(winogradPlan(small, { m: 2 }).tilesPerBlock).toBe(12);
    expect(winogradPlan(wide, { m: 2, tilesPerBlock: 5 }).tilesPerBlock).toBe(5);
  });

  it('keeps U of exactly 2 MiB whole, and blocks one panel more', () => {
    // F(2, 3): 16 · 128 · 128 · 8 bytes = 2 MiB. With 132 output channels U is larger and
    // is blocked: 4 channels cost 16 · 4 · 128 · 8 = 64 KiB → 256 KiB blocks of 16.
    const at = (outChannels: number) =>
      winogradPlan(
        convGeometry(
          problem({ inChannels: 128, outChannels, inputSize: [10, 10], kernelSize: [3, 3] }),
        ),
        { m: 2 },
      ).outChannelsPerBlock;
    expect(at(128)).toBe(128);
    expect(at(132)).toBe(16);
  });

  it('cuts larger U into 256 KiB blocks of output channels, with 2 MiB tile blocks', () => {
    // F(2, 3), 256 + 256 channels: U = 16 · 256 · 256 · 8 = 8 MiB > 2 MiB. Four output
    // channels cost 16 · 4 · 256 · 8 = 128 KiB → blocks of 8 channels. A tile's V costs
    // 16 · 256 · 8 = 32 KiB → 64 tiles of the 17 · 17 = 289.
    const huge = convGeometry(
      problem({ inChannels: 256, outChannels: 256, inputSize: [36, 36], kernelSize: [3, 3] }),
    );
    const plan = winogradPlan(huge, { m: 2 });
    expect([plan.outChannelsPerBlock, plan.tilesPerBlock]).toEqual([8, 64]);
    // 2048 + 2048 channels: one panel of 4 already exceeds 256 KiB; blocks stay at 4, and a
    // tile's V (16 · 2048 · 8 = 256 KiB) gives 8 tiles, raised to the minimum of 16.
    const deep = convGeometry(
      problem({ inChannels: 2048, outChannels: 2048, inputSize: [12, 12], kernelSize: [3, 3] }),
    );
    const deepPlan = winogradPlan(deep, { m: 2 });
    expect([deepPlan.outChannelsPerBlock, deepPlan.tilesPerBlock]).toEqual([4, 16]);
    expect(winogradPlan(huge, { m: 2, outChannelsPerBlock: 5 }).outChannelsPerBlock).toBe(5);
    expect(winogradPlan(huge, { m: 2, outChannelsPerBlock: 999 }).outChannelsPerBlock).toBe(256);
  });

  it('strides: panels of 4 channels or tiles over C/g, padded by 16 elements', () => {
    const g = convGeometry(
      problem({ inChannels: 6, outChannels: 4, groups: 2, inputSize: [6, 6], kernelSize: [3, 3] }),
    );
    const plan = winogradPlan(g, { m: 2, tilesPerBlock: 3 });
    // C/g = 3, K/g = 2: U holds ⌈2/4⌉ = 1 panel, V ⌈3/4⌉ = 1 panel, M is 2 × 3.
    expect(plan.matrixStride).toEqual({ U: 4 * 3 + 16, V: 4 * 3 + 16, M: 2 * 3 + 16 });
    // 3 · 3 = 9 tiles: a block of 5 spans two panels of V.
    const larger = convGeometry({ ...g.problem, inputSize: [8, 8] });
    const five = winogradPlan(larger, { m: 2, tilesPerBlock: 5 });
    expect(five.matrixStride).toEqual({ U: 4 * 3 + 16, V: 8 * 3 + 16, M: 2 * 5 + 16 });
  });

  it('counts workspace bytes: packed U and V in float64, M in the dtype, and the tile', () => {
    const g = convGeometry(
      problem({ inChannels: 6, outChannels: 4, groups: 2, inputSize: [6, 6], kernelSize: [3, 3] }),
    );
    const plan = winogradPlan(g, { m: 2 });
    const { U, V, M } = plan.matrixStride;
    expect(winogradWorkspaceBytes(g, 2, 'float32')).toBe(16 * (U + V) * 8 + 16 * M * 4 + 128);
    expect(winogradWorkspaceBytes(g, 2, 'float64')).toBe(16 * (U + V) * 8 + 16 * M * 8 + 128);
  });
});

describe('WinogradWorkspace', () => {
  it('keeps a typed buffer per dtype while it fits the retained bytes', () => {
    const ws = new WinogradWorkspace(1000);
    const m = ws.take('M', 'float32', 10);
    expect(m).toBeInstanceOf(Float32Array);
    expect(ws.take('M', 'float32', 10)).toBe(m);
    expect(ws.take('M', 'float32', 4)).toBe(m);
    expect(ws.take('M', 'float64', 10)).toBeInstanceOf(Float64Array);
    expect(ws.keptBytes()).toBe(40 + 80);
  });

  it('keeps the packed buffer the same way, counted at 8 bytes an element', () => {
    const ws = new WinogradWorkspace(1000);
    const packed = ws.packed(10);
    expect(packed.length).toBe(10);
    expect(packed.every((v) => v === 0)).toBe(true);
    expect(ws.packed(6)).toBe(packed);
    expect(ws.keptBytes()).toBe(80);
    const larger = ws.packed(20);
    expect(larger).not.toBe(packed);
    expect(ws.packed(20)).toBe(larger);
    expect(ws.keptBytes()).toBe(160);
  });

  it('keeps a packed buffer of exactly the retained bytes', () => {
    const ws = new WinogradWorkspace(80);
    const packed = ws.packed(10);
    expect(ws.packed(10)).toBe(packed);
    expect(ws.keptBytes()).toBe(80);
  });

  it('replaces a buffer that is too small, and keeps only what fits', () => {
    const ws = new WinogradWorkspace(100);
    const small = ws.take('M', 'float64', 5);
    const larger = ws.take('M', 'float64', 10);
    expect(larger).not.toBe(small);
    expect(larger.length).toBe(10);
    // 80 bytes kept; 80 more would exceed 100: the new buffer is not kept.
    expect(ws.keptBytes()).toBe(80);
    const extra = ws.packed(10);
    expect(ws.packed(10)).not.toBe(extra);
    expect(ws.keptBytes()).toBe(80);
    // Exactly at the limit is kept: 80 + 20 = 100.
    const fits = ws.take('M', 'float32', 5);
    expect(ws.take('M', 'float32', 5)).toBe(fits);
    expect(ws.keptBytes()).toBe(100);
  });

  it('keeps nothing with a zero budget', () => {
    const ws = new WinogradWorkspace(0);
    const a = ws.take('M', 'float32', 1);
    expect(ws.take('M', 'float32', 1)).not.toBe(a);
    const p = ws.packed(1);
    expect(ws.packed(1)).not.toBe(p);
    expect(ws.keptBytes()).toBe(0);
  });
});

describe('sparseRows', () => {
  it('keeps the non-zero entries of each row, with row starts', () => {
    const s = sparseRows(Float64Array.from([1, 0, -2, 0, 0, 0, 0, 3, 0.5]), 3, 3);
    expect(Array.from(s.rowStart)).toEqual([0, 2, 2, 4]);
    expect(Array.from(s.column)).toEqual([0, 2, 1, 2]);
    expect(Array.from(s.value)).toEqual([1, -2, 3, 0.5]);
    expect([s.rows, s.cols]).toEqual([3, 3]);
  });
});

describe('createWinogradKernel options', () => {
  const bad = (field: string, value: unknown) =>
    new RangeError(
      `createWinogradKernel: options.${field} must be a positive integer, got ${value}`,
    );

  it('names each option that is not a positive integer', () => {
    expect(() => createWinogradKernel({ m: 2, maxWorkspaceBytes: 0 })).toThrow(
      bad('maxWorkspaceBytes', 0),
    );
    expect(() => createWinogradKernel({ m: 2, retainWorkspaceBytes: -1 })).toThrow(
      bad('retainWorkspaceBytes', -1),
    );
    expect(() => createWinogradKernel({ m: 2, maxAlpha: 0 })).toThrow(bad('maxAlpha', 0));
    expect(() => createWinogradKernel({ m: 2, tilesPerBlock: 0 })).toThrow(bad('tilesPerBlock', 0));
    expect(() => createWinogradKernel({ m: 2, outChannelsPerBlock: 1.5 })).toThrow(
      bad('outChannelsPerBlock', 1.5),
    );
    expect(() => createWinogradKernel({ m: 2.5 })).toThrow(bad('m', 2.5));
    expect(() => createWinogradKernel({} as { m: number })).toThrow(bad('m', 0));
  });

  it('accepts a zero retained workspace and rejects an unknown dtype', () => {
    expect(createWinogradKernel({ m: 2, retainWorkspaceBytes: 0 }).name).toBe('winograd-f2');
    expect(() => createWinogradKernel({ m: 2, dtype: 'float16' as 'float32' })).toThrow(
      new RangeError(
        "createWinogradKernel: options.dtype must be 'float32' or 'float64', got float16",
      ),
    );
  });

  it('takes its name, dtype and defaults from the options', () => {
    const k = createWinogradKernel({ m: 3 });
    expect([k.name, k.dtype]).toEqual(['winograd-f3', 'float32']);
    expect(createWinogradKernel({ m: 2, name: 'mine' }).name).toBe('mine');
    expect(createWinogradKernel({ m: 2, dtype: 'float64' }).dtype).toBe('float64');
  });

  it('gives each support reason in full', () => {
    const k = createWinogradKernel({ m: 4 });
    const p = problem({ inputSize: [8, 8], kernelSize: [3, 3] });
    expect(k.supports?.(p)).toBe(true);
    expect(k.supports?.({ ...p, stride: [1, 2] })).toBe(
      'stride [1, 2] is not supported (Winograd needs stride 1)',
    );
    expect(k.supports?.({ ...p, dilation: [2, 1] })).toBe(
      'dilation [2, 1] is not supported (Winograd needs dilation 1)',
    );
    expect(k.supports?.({ ...p, kernelSize: [3, 6] })).toBe(
      'kernelSize[1] = 6 needs F(4, 6) with tile α = 9 > maxAlpha = 8: its transforms amplify rounding error too much',
    );
    // α = 8 is allowed; a kernel of size 1 has α = 1 whatever m.
    expect(k.supports?.({ ...p, kernelSize: [5, 1] })).toBe(true);
    expect(createWinogradKernel({ m: 9 }).supports?.({ ...p, kernelSize: [1, 1] })).toBe(true);
    const three = problem({ inputSize: [4, 4, 4], kernelSize: [3, 3, 3] });
    expect(k.supports?.(three)).toBe(
      '3-D problems are not supported (Winograd here is 1-D or 2-D)',
    );
  });

  it('refuses a problem only when its workspace exceeds the limit', () => {
    const p = problem({ inputSize: [8, 8], kernelSize: [3, 3] });
    const needed = winogradWorkspaceBytes(convGeometry(p), 4, 'float32');
    expect(createWinogradKernel({ m: 4, maxWorkspaceBytes: needed }).supports?.(p)).toBe(true);
    expect(createWinogradKernel({ m: 4, maxWorkspaceBytes: needed - 1 }).supports?.(p)).toBe(
      `needs ${needed} bytes of workspace > maxWorkspaceBytes = ${needed - 1}`,
    );
  });
});
