/**
 * onnxConvTransposePads against onnxruntime itself: one-node ConvTranspose
 * models carrying auto_pad, pads, output_padding and output_shape as a model
 * file would, run by onnxruntime-node (float32, integer data: exact), compared
 * with referenceConvTranspose on the pads the converter derives. Skipped with
 * the reason when onnxruntime-node cannot load.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeOnnxConvTransposeModel } from '../../impl/peers/onnx-transpose-model.ts';
import {
  type ConvTransposeProblem,
  convTransposeGeometry,
  effectiveKernel,
  formatOpDescriptor,
  type OnnxConvTransposeAttributes,
  onnxConvTransposePads,
  referenceConvTranspose,
} from '../../reference/index.ts';

type Ort = typeof import('onnxruntime-node');

interface OrtCase {
  attributes: OnnxConvTransposeAttributes;
  channels: [inChannels: number, outChannels: number, groups: number];
}

/** 1-D cases over every padding rule, with output padding 0 and its largest value. */
function cases(): OrtCase[] {
  const out: OrtCase[] = [];
  for (const I of [1, 2, 4])
    for (const K of [1, 2, 3])
      for (const S of [1, 2, 3])
        for (const D of [1, 2])
          for (const op of new Set([0, Math.max(S, D) - 1])) {
            const spatial = { inputSize: [I], kernelSize: [K], stride: [S], dilation: [D] };
            const base = { ...spatial, outputPadding: [op] };
            const natural = (I - 1) * S + effectiveKernel(K, D) + op;
            const variants: Omit<OnnxConvTransposeAttributes, keyof typeof spatial>[] = [
              { autoPad: 'SAME_UPPER' },
              { autoPad: 'SAME_LOWER' },
              { autoPad: 'VALID' },
              { pads: [1, 0] },
              { pads: [0, 2] },
              ...[natural - 2, natural - 1, natural]
                .filter((o) => o >= 1)
                .map((o) => ({ outputShape: [o] })),
            ];
            const channels: OrtCase['channels'] = (I + K) % 2 === 0 ? [2, 4, 2] : [1, 2, 1];
            for (const v of variants) out.push({ attributes: { ...base, ...v }, channels });
          }
  return out;
}

type Converter = typeof onnxConvTransposePads;

function problemOf(c: OrtCase, convert: Converter): ConvTransposeProblem {
  const [inChannels, outChannels, groups] = c.channels;
  return {
    mode: 'cross-correlation',
    batch: 1,
    inChannels,
    outChannels,
    groups,
    inputSize: [...c.attributes.inputSize],
    kernelSize: [...c.attributes.kernelSize],
    stride: [...c.attributes.stride],
    dilation: [...c.attributes.dilation],
    ...convert(c.attributes),
    bias: false,
  };
}

async function runOrt(ort: Ort, c: OrtCase, x: Float32Array, w: Float32Array) {
  const [inChannels, outChannels, groups] = c.channels;
  const a = c.attributes;
  const inputShape = [1, inChannels, ...a.inputSize];
  const weightShape = [inChannels, outChannels / groups, ...a.kernelSize];
  const session = await ort.InferenceSession.create(
    encodeOnnxConvTransposeModel({
      dtype: 'float32',
      inputShape,
      weightShape,
      group: groups,
      strides: a.stride,
      dilations: a.dilation,
      ...(a.autoPad ? { autoPad: a.autoPad } : {}),
      ...(a.pads ? { pads: a.pads } : {}),
      ...(a.outputPadding ? { outputPadding: a.outputPadding } : {}),
      ...(a.outputShape ? { outputShape: a.outputShape } : {}),
    }),
    // Fatal only: the refusals below are expected and counted, not worth a log line each.
    { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 },
  );
  try {
    const result = await session.run({
      X: new ort.Tensor('float32', x, inputShape),
      W: new ort.Tensor('float32', w, weightShape),
    });
    return { dims: [...result.Y!.dims], data: [...(result.Y!.data as Float32Array)] };
  } finally {
    await session.release();
  }
}

/** Runs every case through onnxruntime and the oracle on the converter's pads. */
async function compareWithOrt(ort: Ort, convert: Converter) {
  const mismatches: string[] = [];
  let refused = 0;
  let ortRefused = 0;
  let compared = 0;
  for (const c of cases()) {
    let p: ConvTransposeProblem;
    try {
      p = problemOf(c, convert);
      convTransposeGeometry(p);
    } catch {
      refused++; // e.g. SAME with a kernel narrower than the stride: negative pads
      continue;
    }
    const g = convTransposeGeometry(p);
    const x = Float32Array.from({ length: g.inputLength }, (_, i) => ((i * 3) % 7) - 3);
    const w = Float32Array.from({ length: g.weightLength }, (_, i) => ((i * 5) % 9) - 4);
    const want = referenceConvTranspose(p, x, w);
    let got: Awaited<ReturnType<typeof runOrt>>;
    try {
      got = await runOrt(ort, c, x, w);
    } catch (e) {
      // onnxruntime refuses output_padding ≥ stride even below the dilation (PyTorch accepts it).
      const opAtLeastStride = p.outputPadding.some((op, i) => op >= p.stride[i]!);
      if (!opAtLeastStride) mismatches.push(`${JSON.stringify(c.attributes)}: ORT failed: ${e}`);
      ortRefused++;
      continue;
    }
    compared++;
    const sameShape = got.dims.join() === g.outputShape.join();
    if (!sameShape || got.data.some((v, i) => v !== want[i])) {
      mismatches.push(
        `${JSON.stringify(c.attributes)} → ${formatOpDescriptor({ op: 'convtranspose', problem: p })}: ` +
          `ORT [${got.dims}] ${got.data.join(' ')} vs [${g.outputShape}] ${[...want].join(' ')}`,
      );
    }
  }
  console.info(
    `ORT ConvTranspose: ${compared} cases compared, ${refused} refused by the converter, ` +
      `${ortRefused} refused by onnxruntime (output_padding ≥ stride)`,
  );
  return { mismatches, compared };
}

describe('onnxConvTransposePads vs onnxruntime ConvTranspose (skipped, with the reason, without it)', () => {
  let ort: Ort | undefined;
  let unavailable: string | undefined;
  beforeAll(async () => {
    try {
      ort = await import('onnxruntime-node');
    } catch (e) {
      unavailable = `onnxruntime-node did not load: ${(e as Error).message}`;
      console.warn(`ORT ConvTranspose cross-check SKIPPED: ${unavailable}`);
    }
  });

  it('gives the output shape and values onnxruntime computes, for every auto_pad rule', async (ctx) => {
    if (ort === undefined) return ctx.skip(unavailable);
    const { mismatches, compared } = await compareWithOrt(ort, onnxConvTransposePads);
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThan(300);
  }, 300_000);

  it('catches a converter that puts the odd unit of SAME and output_shape on the other side', async (ctx) => {
    if (ort === undefined) return ctx.skip(unavailable);
    const swapped: Converter = (a) => {
      const pads = onnxConvTransposePads(a);
      const derived = a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER' || a.outputShape;
      return derived ? { ...pads, padBegin: pads.padEnd, padEnd: pads.padBegin } : pads;
    };
    const { mismatches } = await compareWithOrt(ort, swapped);
    expect(mismatches.length).toBeGreaterThan(0);
  }, 300_000);
});
