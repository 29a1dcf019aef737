/**
 * The quantized ops are registry entries, but `convcheck check` does not run them
 * yet (docs/quantized.md): a kernel that also implements convInteger gets its float
 * phases only, and asking for a quantized op is a usage error naming it.
 */
import { describe, expect, it } from 'vitest';
import { checkKernel } from '../../index.ts';
import { type ConvKernel, referenceConv } from '../../reference/index.ts';
import { parseOpsOption } from './check-kernel.ts';

const quick = { suite: 'quick', seed: 5, runs: 6 } as const;

describe('quantized ops in convcheck check', () => {
  it('a kernel with convInteger gets its conv phases only', async () => {
    const kernel = {
      name: 'conv-and-int8',
      dtype: 'float64',
      conv: (p, x, w, b) => referenceConv(p, x, w, b),
      convInteger: () => new Int32Array(0),
    } as ConvKernel;
    const report = await checkKernel(kernel, quick);
    expect(report.phases.map((p) => p.phase)).toEqual(['exact data', 'real data', 'special data']);
    expect(report.exitCode).toBe(0);
  });

  it('--ops conv-integer is refused, naming the op', () => {
    expect(() => parseOpsOption('conv,conv-integer')).toThrow(
      /--ops: conv-integer is not run by convcheck check yet/,
    );
    expect(parseOpsOption('conv')).toEqual(['conv']);
  });
});
