/**
 * Kernels in their own layouts, end to end: a channels-last kernel is checked
 * with no glue (module, object or program), a layout bug is caught and its
 * worst elements are printed in the kernel's index order, and bad declarations
 * are refused with one line.
 */
import { describe, expect, it } from 'vitest';
import { checkKernel } from '../../index.ts';
import {
  type ConvKernel,
  convGeometry,
  outputInLayout,
  referenceConv,
} from '../../reference/index.ts';
import { UsageError } from '../cli-error.ts';
import { checkKernelContract } from './hosts/kernel-contract.ts';
import { openTargets } from './targets.ts';

const quick = { suite: 'quick', seed: 19, runs: 8, dims: [1, 2] } as const;

/** The oracle computing in `layout` / 'hwio': its operands arrive permuted, its output leaves so. */
function channelsLast(writeBack: 'nhwc' | 'nchw'): ConvKernel {
  return {
    name: `nhwc-hwio-writes-${writeBack}`,
    dtype: 'float64',
    layout: 'nhwc',
    weightLayout: 'hwio',
    conv(p, x, w, b) {
      // Undo the harness's transposes by hand (independently of outputFromLayout):
      // read x as [n, ...s, c] and w as [...k, i, o].
      const g = convGeometry(p);
      const canonical = (data: Float64Array, shape: readonly number[], axes: number[]) => {
        const out = new Float64Array(data.length);
        const stored = axes.map((a) => shape[a]!);
        const index = new Array<number>(shape.length).fill(0);
        for (let i = 0; i < data.length; i++) {
          let offset = 0;
          for (let j = 0; j < axes.length; j++) offset = offset * stored[j]! + index[axes[j]!]!;
          out[i] = data[offset]!;
          for (let a = shape.length - 1; a >= 0 && ++index[a]! === shape[a]; a--) index[a] = 0;
        }
        return out;
      };
      const s = g.inputSize.map((_, d) => d + 2);
      const input = canonical(x as Float64Array, g.inputShape, [0, ...s, 1]);
      const weight = canonical(w as Float64Array, g.weightShape, [...s, 1, 0]);
      const y = referenceConv(p, input, weight, b);
      return writeBack === 'nhwc' ? outputInLayout(p, y, 'nhwc') : y;
    },
  };
}

describe('kernels in their own layouts', () => {
  it('checks an NHWC/HWIO kernel with no glue: every phase passes', async () => {
    const report = await checkKernel(channelsLast('nhwc'), quick);
    expect(report.exitCode).toBe(0);
    expect(report.kernels[0]).toMatchObject({ layout: 'nhwc', weightLayout: 'hwio' });
  });

  it('catches the same kernel writing NCHW, and prints worst elements in NHWC order', async () => {
    const report = await checkKernel(channelsLast('nchw'), quick);
    expect(report.exitCode).toBe(1);
    const failure = report.phases.find((p) => p.failure)?.failure;
    expect(failure?.details).toMatch(
      /worst elements \(.*\[n, (h, )?w, c\] \(the kernel's nhwc order\)/,
    );
  });

  it('runs a program in its declared layouts (reference client, --layout nhwc --weight-layout ohwi)', async () => {
    const report = await checkKernel(
      { command: 'python3 scripts/clients/reference_client.py' },
      { ...quick, runs: 4, layout: 'nhwc', weightLayout: 'ohwi', dtype: 'float64' },
    );
    expect(report.exitCode, JSON.stringify(report.phases.map((p) => p.failure?.message))).toBe(0);
    expect(report.kernels[0]?.source).toContain('--layout nhwc --weight-layout ohwi');
  }, 120_000);

  it('fails a program that ignores the layouts it declared', async () => {
    const report = await checkKernel(
      { command: 'python3 scripts/check/hosts/testdata/layout_blind_client.py' },
      { ...quick, runs: 4, layout: 'nhwc', weightLayout: 'ohwi', dtype: 'float64' },
    );
    expect(report.exitCode).toBe(1);
  }, 120_000);
});

describe('layout declarations', () => {
  const conv = () => new Float32Array(0);

  it('the contract refuses an unknown layout, naming the field and the value', () => {
    expect(checkKernelContract({ name: 'k', conv, layout: 'NHWC' })).toEqual({
      violation: `layout must be one of 'nchw', 'nhwc', got "NHWC"`,
    });
    expect(checkKernelContract({ name: 'k', conv, weightLayout: 'oihw' })).toHaveProperty('kernel');
    expect(checkKernelContract({ name: 'k', conv, weightLayout: 'hwoi' })).toEqual({
      violation: `weightLayout must be one of 'oihw', 'ohwi', 'hwio', 'ihwo', got "hwoi"`,
    });
  });

  it('the CLI takes --layout and --weight-layout for programs only, and checks their values', async () => {
    await expect(openTargets({ implCmd: 'cat', layout: 'nwc' })).rejects.toThrow(
      /--layout must be nchw, nhwc; got 'nwc'/,
    );
    await expect(openTargets({ impl: 'x.mjs', weightLayout: 'hwio' })).rejects.toThrow(UsageError);
    await expect(openTargets({ builtin: 'im2col', layout: 'nhwc' })).rejects.toThrow(UsageError);
    const [t] = await openTargets({ implCmd: 'cat', layout: 'nhwc', weightLayout: 'ihwo' });
    expect(t!.host.layouts).toEqual({ layout: 'nhwc', weightLayout: 'ihwo' });
    expect(t!.implFlags).toBe("--impl-cmd 'cat' --layout nhwc --weight-layout ihwo");
    await t!.host.close();
  });
});
