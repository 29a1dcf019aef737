/**
 * Each buggy zoo kernel has exactly its one bug: wherever that bug cannot show,
 * the kernel equals the oracle bit for bit on exact (integer) data. Run in
 * process, on the property suite's random problems restricted to each
 * kernel's bug-free region, so a second, unintended bug would be found here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convProblemArbitrary } from '../../../properties/arbitraries/convProblem.ts';
import { materializeConvCase } from '../../../properties/data.ts';
import {
  type ConvKernel,
  type ConvProblem,
  convGeometry,
  type FloatArray,
  layoutsOf,
  lift3,
  operandsInLayout,
  outputFromLayout,
  referenceConv,
} from '../../../reference/index.ts';
import { zooCatalog } from './catalog.ts';

const outputAt = (p: ConvProblem, axis: 0 | 1 | 2) => lift3(convGeometry(p).outputSize, 1)[axis]!;
const perGroupIn = (p: ConvProblem) => p.inChannels / p.groups;
const perGroupOut = (p: ConvProblem) => p.outChannels / p.groups;
const lifted = (p: ConvProblem, field: 'kernelSize' | 'stride' | 'dilation') => lift3(p[field], 1);
const everyAxis = (p: ConvProblem, test: (d: number) => boolean) =>
  p.inputSize.every((_, d) => test(d));
const pointwise = (p: ConvProblem) => p.kernelSize.every((k) => k === 1);

/**
 * Where each bug cannot show. `null`: nowhere on exact data (the bug changes
 * every result, or exact data is exactly what exposes it).
 */
const BUG_FREE: Record<string, ((p: ConvProblem) => boolean) | null> = {
  'pad-swapped': (p) => everyAxis(p, (d) => p.padBegin[d] === p.padEnd[d]),
  'pad-end-ignored': (p) => p.padEnd.every((v) => v === 0),
  'ceil-output-size': (p) =>
    everyAxis(p, (d) => {
      const span = p.inputSize[d]! + p.padBegin[d]! + p.padEnd[d]!;
      return (span - p.dilation[d]! * (p.kernelSize[d]! - 1) - 1) % p.stride[d]! === 0;
    }),
  'last-row-dropped': (p) => outputAt(p, 1) % 2 === 0,
  'flip-missing': (p) => p.mode === 'cross-correlation' || pointwise(p),
  'flip-in-xcorr': pointwise,
  'flip-one-axis': (p) =>
    p.mode === 'cross-correlation' || p.kernelSize.slice(0, -1).every((k) => k === 1),
  'dilation-ignored-strided': (p) =>
    p.stride.every((s) => s === 1) || p.dilation.every((d) => d === 1),
  'stride-as-tap-step': (p) =>
    everyAxis(p, (d) => p.stride[d] === p.dilation[d] || p.kernelSize[d] === 1),
  'dilation-zero-based': pointwise,
  'group-modulo': (p) => p.groups === 1 || perGroupOut(p) === 1,
  'depthwise-multiplier': (p) => !(perGroupIn(p) === 1 && p.groups > 1 && perGroupOut(p) > 1),
  'bias-dropped': (p) => !p.bias,
  'bias-per-input-channel': (p) => !p.bias || perGroupIn(p) === 1,
  'bias-within-group': (p) => !p.bias || p.groups === 1,
  'bias-by-batch': (p) => !p.bias,
  'channel-unroll-no-remainder': (p) => perGroupIn(p) % 4 === 0,
  'width-unroll-no-tail': (p) => outputAt(p, 2) % 4 === 0,
  'tile-stale-accumulator': (p) => outputAt(p, 2) % 4 === 0,
  'pointwise-ignores-stride': (p) => !pointwise(p) || p.stride.every((s) => s === 1),
  'depthwise-fast-path': (p) =>
    !(p.groups > 1 && p.groups === p.inChannels) || p.outChannels === p.inChannels,
  'bf16-accumulator': null,
  'fp16-accumulator': null,
  'tf32-inputs': () => true,
  'flip-weight-in-place': () => true,
  'pack-weight-in-place': () => true,
  'alternating-split': () => true,
  'random-order-sum': () => true,
  'clamp-drops-nan': () => true,
  'ftz-drops-nan': () => true,
  'inf-saturated': () => true,
  'nan-input-as-zero': () => true,
  'nan-or-zero': () => true,
  'zero-weight-skip': () => true,
  'shape-axis-offset': null,
  'width-from-height': (p) => {
    const [k, s, d] = [lifted(p, 'kernelSize'), lifted(p, 'stride'), lifted(p, 'dilation')];
    return k[1] === k[2] && s[1] === s[2] && d[1] === d[2];
  },
  // NCHW and NHWC orders coincide when there is one channel or one position per image.
  'nhwc-output-as-nchw': (p) => p.outChannels === 1 || convGeometry(p).outputVolume === 1,
  // OHWI and HWIO orders coincide with a single output channel.
  'hwio-read-as-ohwi': (p) => p.outChannels === 1,
  'width-taps-from-height': (p) => lifted(p, 'kernelSize')[1]! >= lifted(p, 'kernelSize')[2]!,
};

const buggy = zooCatalog().filter((k) => k.expect === 'fail');

describe('each zoo kernel has only its one bug', () => {
  it('knows the bug-free region of every buggy kernel', () => {
    expect(Object.keys(BUG_FREE).sort()).toEqual(buggy.map((k) => k.slug).sort());
  });

  const checked = buggy.filter((k) => BUG_FREE[k.slug]);
  it.each(checked)('$slug equals the oracle exactly where its bug cannot show', async (k) => {
    const kernel = (await import(`../../../${k.path}`)).default as ConvKernel;
    const bugFree = BUG_FREE[k.slug]!;
    fc.assert(
      fc.property(
        convProblemArbitrary({ maxMacs: 20_000, paddingModes: ['zeros'] }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (problem, dataSeed) => {
          fc.pre(bugFree(problem));
          const operands = materializeConvCase({ problem, data: 'exact', dataSeed }, 'float32');
          const want = referenceConv(problem, operands.input, operands.weight, operands.bias);
          // Copies: the in-place kernels must not corrupt the oracle's operands.
          const copy = (a: FloatArray | undefined) => a?.slice();
          // In the kernel's declared layouts, as every host gives them.
          const layouts = layoutsOf(kernel);
          const given = operandsInLayout(
            problem,
            {
              input: copy(operands.input)!,
              weight: copy(operands.weight)!,
              bias: copy(operands.bias),
            },
            layouts,
          );
          const got = kernel.conv(problem, given.input, given.weight, given.bias);
          expect(got).toBeInstanceOf(Float32Array);
          const canonical = outputFromLayout(problem, got as Float32Array, layouts.layout);
          expect([...canonical]).toEqual([...want]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
