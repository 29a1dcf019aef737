/**
 * tfConvTransposePads against TensorFlow.js's own conv2dTranspose (cpu
 * backend): for 'same' and 'valid' with every output shape the TF rule
 * accepts, tfjs's output (float32, integer data: exact) equals
 * referenceConvTranspose on the converter's pads. tfjs's conv2dTranspose has
 * no dilation and no groups, so those are not covered. Skipped with the reason
 * when tfjs cannot load.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTfjsBackend, type TfjsModule } from '../../impl/peers/tfjs.ts';
import {
  type ConvTransposeProblem,
  convTransposeGeometry,
  formatOpDescriptor,
  referenceConvTranspose,
  tfConvTransposePads,
} from '../../reference/index.ts';

type Converter = typeof tfConvTransposePads;

interface AxisCase {
  input: number;
  kernel: number;
  stride: number;
  output: number;
}

/** Every (input, kernel, stride, output) of one axis that TF's rule accepts for `padding`. */
function axisCases(padding: 'SAME' | 'VALID'): AxisCase[] {
  const out: AxisCase[] = [];
  for (const kernel of [1, 2, 3])
    for (const stride of [1, 2, 3])
      for (const input of [1, 2, 3])
        for (let output = 1; output <= input * stride + kernel; output++) {
          const attributes = {
            inputSize: [input],
            kernelSize: [kernel],
            stride: [stride],
            dilation: [1],
            padding,
            outputShape: [output],
          };
          try {
            tfConvTransposePads(attributes);
            out.push({ input, kernel, stride, output });
          } catch {
            // TF refuses the same output shapes: its conv of them does not give the input size.
          }
        }
  return out;
}

function problemOf(
  h: AxisCase,
  w: AxisCase,
  padding: 'SAME' | 'VALID',
  convert: Converter,
): ConvTransposeProblem {
  const spatial = {
    inputSize: [h.input, w.input],
    kernelSize: [h.kernel, w.kernel],
    stride: [h.stride, w.stride],
    dilation: [1, 1],
  };
  return {
    mode: 'cross-correlation',
    batch: 1,
    inChannels: 2,
    outChannels: 3,
    groups: 1,
    ...spatial,
    ...convert({ ...spatial, padding, outputShape: [h.output, w.output] }),
    bias: false,
  };
}

/** tfjs conv2dTranspose on NCHW data and the [in, out, kh, kw] weight, back to NCHW. */
function runTfjs(
  tf: TfjsModule,
  p: ConvTransposeProblem,
  padding: 'SAME' | 'VALID',
  x: Float32Array,
  w: Float32Array,
): number[] {
  const g = convTransposeGeometry(p);
  return tf.tidy(() => {
    const input = tf.tensor4d(x, g.inputShape as [number, number, number, number]);
    const weight = tf.tensor4d(w, g.weightShape as [number, number, number, number]);
    const y = tf.conv2dTranspose(
      tf.transpose(input, [0, 2, 3, 1]) as Parameters<typeof tf.conv2dTranspose>[0],
      tf.transpose(weight, [2, 3, 1, 0]) as Parameters<typeof tf.conv2dTranspose>[1],
      [g.batch, g.outputSize[0]!, g.outputSize[1]!, g.outChannels],
      [p.stride[0]!, p.stride[1]!],
      padding === 'SAME' ? 'same' : 'valid',
    );
    return [...tf.transpose(y, [0, 3, 1, 2]).dataSync()];
  });
}

function compareWithTfjs(tf: TfjsModule, convert: Converter) {
  const mismatches: string[] = [];
  let compared = 0;
  for (const padding of ['SAME', 'VALID'] as const) {
    const axes = axisCases(padding);
    axes.forEach((w, i) => {
      const h = axes[(i * 7 + 3) % axes.length]!;
      const p = problemOf(h, w, padding, convert);
      const g = convTransposeGeometry(p);
      const x = Float32Array.from({ length: g.inputLength }, (_, j) => ((j * 3) % 7) - 3);
      const wt = Float32Array.from({ length: g.weightLength }, (_, j) => ((j * 5) % 9) - 4);
      const want = referenceConvTranspose(p, x, wt);
      const got = runTfjs(tf, p, padding, x, wt);
      compared++;
      if (got.some((v, j) => v !== want[j])) {
        mismatches.push(`${padding} ${formatOpDescriptor({ op: 'convtranspose', problem: p })}`);
      }
    });
  }
  return { mismatches, compared };
}

describe('tfConvTransposePads vs tfjs conv2dTranspose (skipped, with the reason, without tfjs)', () => {
  let tf: TfjsModule | undefined;
  let unavailable: string | undefined;
  beforeAll(async () => {
    try {
      tf = await loadTfjsBackend('cpu');
    } catch (e) {
      unavailable = `tfjs did not load: ${(e as Error).message}`;
      console.warn(`tfjs conv2dTranspose cross-check SKIPPED: ${unavailable}`);
    }
  }, 120_000);

  it("gives what tfjs computes for 'same' and 'valid' with every accepted output shape", (ctx) => {
    if (tf === undefined) return ctx.skip(unavailable);
    const { mismatches, compared } = compareWithTfjs(tf, tfConvTransposePads);
    console.info(`tfjs conv2dTranspose: ${compared} cases compared`);
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThan(100);
  });

  it("catches a converter that puts SAME's odd unit at the beginning", (ctx) => {
    if (tf === undefined) return ctx.skip(unavailable);
    const lower: Converter = (a) => {
      const pads = tfConvTransposePads(a);
      return a.padding === 'SAME'
        ? { ...pads, padBegin: pads.padEnd, padEnd: pads.padBegin }
        : pads;
    };
    expect(compareWithTfjs(tf, lower).mismatches.length).toBeGreaterThan(0);
  });
});
