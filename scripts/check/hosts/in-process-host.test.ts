import { describe, expect, it } from 'vitest';
import { referenceConv } from '../../../reference/conv.ts';
import type { ConvKernel } from '../../../reference/problem.ts';
import { convProblem } from '../../../reference/testing.ts';
import { openInProcessHost } from './in-process-host.ts';
import { featureProblems, integerOperands } from './testing.ts';
import { HostStartError } from './types.ts';

const line = convProblem({ inputSize: [5], kernelSize: [2], bias: true });

describe('openInProcessHost', () => {
  it('runs a trusted kernel and matches the oracle exactly', async () => {
    const host = await openInProcessHost({
      name: 'oracle-f32',
      conv: (p, x, w, b) => new Float32Array(referenceConv(p, x, w, b)),
    });
    expect([host.name, host.dtype, await host.supports(line)]).toEqual([
      'oracle-f32',
      'float32',
      true,
    ]);
    for (const p of featureProblems) {
      const { input, weight, bias } = integerOperands(p, 'float32');
      const r = await host.run(p, input, weight, bias, 1000);
      expect(r).toMatchObject({ kind: 'output', mutatedInputs: [] });
      if (r.kind === 'output') {
        expect(Array.from(r.output)).toEqual(Array.from(referenceConv(p, input, weight, bias)));
      }
    }
    await host.close();
  });

  it('rejects an object that breaks the contract', async () => {
    const notAKernel = { name: 'half', dtype: 'float64' } as unknown as ConvKernel;
    await expect(openInProcessHost(notAKernel)).rejects.toBeInstanceOf(HostStartError);
    await expect(openInProcessHost(notAKernel)).rejects.toThrow('has no conv function');
  });

  it('gives up on an async conv that never settles, after the timeout', async () => {
    const host = await openInProcessHost({ name: 'stuck', conv: () => new Promise(() => {}) });
    const { input, weight, bias } = integerOperands(line, 'float32');
    const r = await host.run(line, input, weight, bias, 50);
    expect(r.kind === 'error' && r.message).toMatch(/did not settle within 50 ms \(timed out/);
  });

  it('applies the same output and mutation checks as the isolating hosts', async () => {
    const host = await openInProcessHost({
      name: 'sloppy',
      dtype: 'float64',
      conv(p, x, w, b) {
        x[1] = 99;
        return p.batch === 1 ? new Float32Array(4) : referenceConv(p, x, w, b);
      },
    });
    const { input, weight, bias } = integerOperands(line, 'float64');
    const pristine = input.slice();
    expect(await host.run(line, input, weight, bias, 1000)).toEqual({
      kind: 'error',
      message:
        'conv returned Float32Array(4); a float64 kernel must return a Float64Array of length 4',
    });
    const twice = { ...line, batch: 2 };
    const ops = integerOperands(twice, 'float64');
    const r = await host.run(twice, ops.input, ops.weight, ops.bias, 1000);
    expect(r).toMatchObject({ kind: 'output', mutatedInputs: ['input'] });
    expect(input).toEqual(pristine);
  });

  it('rejects supports() that throws or answers a non-string', async () => {
    const host = await openInProcessHost({
      name: 'moody',
      supports: (p) => (p.batch === 1 ? (undefined as unknown as string) : 'only batch 1'),
      conv: (p) => new Float32Array(p.batch),
    });
    await expect(host.supports(line)).rejects.toThrow('supports() returned undefined');
    expect(await host.supports({ ...line, batch: 2 })).toBe('only batch 1');
  });
});
