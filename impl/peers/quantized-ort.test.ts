/**
 * onnxruntime-node's ConvInteger and QLinearConv against the quantized oracles:
 * ConvInteger exactly, QLinearConv within qlinearConvBounds (the exact result, or
 * ±1 next to a rounding tie). Each operator runs as a one-node model built here;
 * an operator or type combination the CPU provider lacks is reported, not failed.
 * Skipped, with the reason in the name, when onnxruntime-node cannot load.
 *
 * Over 300 lines, on purpose: the one-node ONNX models and the operand arbitraries exist only
 * for these cross-checks, so they stay beside them.
 */
import fc from 'fast-check';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  type ConvProblem,
  convGeometry,
  type QLinearConvParameters,
  QUANTIZED_RANGE,
  type QuantizedArray,
  type QuantizedDType,
  qlinearConvBounds,
  referenceConvInteger,
} from '../../reference/index.ts';
import { smallConvProblemArbitrary } from '../../reference/testing.ts';
import { ProtoWriter } from './protobuf.ts';

type Ort = typeof import('onnxruntime-node');
const ort: Ort | string = await import('onnxruntime-node').catch((e: Error) => e.message);
const skipReason = typeof ort === 'string' ? ` — SKIPPED: onnxruntime-node: ${ort}` : '';

/** ONNX TensorProto.DataType codes of the tensors these models use. */
const ELEMENT = { float32: 1, uint8: 2, int8: 3, int32: 6 } as const;
type Element = keyof typeof ELEMENT;

interface GraphInput {
  name: string;
  type: Element;
  shape: readonly number[];
}

function valueInfoOf({ name, type, shape }: GraphInput): ProtoWriter {
  const dims = new ProtoWriter();
  for (const size of shape) dims.message(1, new ProtoWriter().varint(1, size));
  const tensor = new ProtoWriter().varint(1, ELEMENT[type]).message(2, dims);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor));
}

/** A one-node model: every input a graph input, explicit pads, opset 17. */
function oneNodeModel(
  op: string,
  inputs: GraphInput[],
  output: GraphInput,
  g: ReturnType<typeof convGeometry>,
): Uint8Array {
  const ints = (name: string, values: readonly number[]) =>
    new ProtoWriter().string(1, name).packedVarints(8, values).varint(20, 7);
  const node = new ProtoWriter();
  for (const input of inputs) node.string(1, input.name);
  node
    .string(2, output.name)
    .string(4, op)
    .message(5, ints('kernel_shape', g.kernelSize))
    .message(5, ints('strides', g.stride))
    .message(5, ints('dilations', g.dilation))
    .message(5, ints('pads', [...g.padBegin, ...g.padEnd]))
    .message(5, new ProtoWriter().string(1, 'group').varint(3, g.groups).varint(20, 2));
  const graph = new ProtoWriter().message(1, node).string(2, 'convcheck_quantized');
  for (const input of inputs) graph.message(11, valueInfoOf(input));
  graph.message(12, valueInfoOf(output));
  const opset = new ProtoWriter().string(1, '').varint(2, 17);
  return new ProtoWriter().varint(1, 8).message(7, graph).message(8, opset).finish();
}

async function runModel(
  o: Ort,
  model: Uint8Array,
  feeds: Record<string, Tensor>,
): Promise<ArrayLike<number>> {
  const options: InferenceSession.SessionOptions = {
    intraOpNumThreads: 1,
    executionProviders: ['cpu'],
  };
  const session = await o.InferenceSession.create(model, options);
  try {
    const result = await session.run(feeds);
    return result.Y!.data as ArrayLike<number>;
  } finally {
    await session.release();
  }
}

function tensorOf(
  o: Ort,
  type: Element,
  data: ArrayLike<number>,
  shape: readonly number[],
): Tensor {
  const typed =
    type === 'uint8'
      ? Uint8Array.from(data)
      : type === 'int8'
        ? Int8Array.from(data)
        : type === 'int32'
          ? Int32Array.from(data)
          : Float32Array.from(data);
  return new o.Tensor(type, typed, [...shape]);
}

/** Cross-correlation problems (ONNX's sense). */
const problemArb = smallConvProblemArbitrary({
  modes: ['cross-correlation'],
  maxSlack: 8,
  maxChannelsPerGroup: 4,
});

const valuesOf = (t: QuantizedDType, n: number) => {
  const { min, max } = QUANTIZED_RANGE[t];
  return fc.array(fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max)), {
    minLength: n,
    maxLength: n,
  });
};

const typed = (t: QuantizedDType, v: number[]): QuantizedArray =>
  t === 'int8' ? Int8Array.from(v) : Uint8Array.from(v);

interface QCase {
  p: ConvProblem;
  x: QuantizedArray;
  w: QuantizedArray;
  xZero: number;
  wZero: number[];
}

/** A problem with operands of the given types and zero points anywhere in range (ends included). */
function caseArb(xType: QuantizedDType, wType: QuantizedDType): fc.Arbitrary<QCase> {
  return problemArb.chain((p) => {
    const g = convGeometry(p);
    return fc.record({
      p: fc.constant(p),
      x: valuesOf(xType, g.inputLength).map((v) => typed(xType, v)),
      w: valuesOf(wType, g.weightLength).map((v) => typed(wType, v)),
      xZero: valuesOf(xType, 1).map((v) => v[0]!),
      wZero: valuesOf(wType, g.outChannels),
    });
  });
}

const typeOf = (a: QuantizedArray): QuantizedDType => (a instanceof Int8Array ? 'int8' : 'uint8');

/** Runs ONNX ConvInteger; per-tensor weight zero point when `perChannel` is false. */
async function ortConvInteger(o: Ort, c: QCase, perChannel: boolean) {
  const g = convGeometry(c.p);
  const [xt, wt] = [typeOf(c.x), typeOf(c.w)];
  const wzShape = perChannel ? [g.outChannels] : [];
  const wz = perChannel ? c.wZero : [c.wZero[0]!];
  const inputs: GraphInput[] = [
    { name: 'X', type: xt, shape: g.inputShape },
    { name: 'W', type: wt, shape: g.weightShape },
    { name: 'XZ', type: xt, shape: [] },
    { name: 'WZ', type: wt, shape: wzShape },
  ];
  const model = oneNodeModel(
    'ConvInteger',
    inputs,
    { name: 'Y', type: 'int32', shape: g.outputShape },
    g,
  );
  return runModel(o, model, {
    X: tensorOf(o, xt, c.x, g.inputShape),
    W: tensorOf(o, wt, c.w, g.weightShape),
    XZ: tensorOf(o, xt, [c.xZero], []),
    WZ: tensorOf(o, wt, wz, wzShape),
  });
}

/** Runs ONNX QLinearConv with per-channel w scale and zero point, an int32 bias. */
async function ortQLinearConv(o: Ort, c: QCase, q: QLinearConvParameters, bias: Int32Array) {
  const g = convGeometry(c.p);
  const [xt, wt] = [typeOf(c.x), typeOf(c.w)];
  const yt = q.yType ?? xt;
  const m = [g.outChannels];
  const inputs: GraphInput[] = [
    { name: 'X', type: xt, shape: g.inputShape },
    { name: 'XS', type: 'float32', shape: [] },
    { name: 'XZ', type: xt, shape: [] },
    { name: 'W', type: wt, shape: g.weightShape },
    { name: 'WS', type: 'float32', shape: m },
    { name: 'WZ', type: wt, shape: m },
    { name: 'YS', type: 'float32', shape: [] },
    { name: 'YZ', type: yt, shape: [] },
    { name: 'B', type: 'int32', shape: m },
  ];
  const model = oneNodeModel(
    'QLinearConv',
    inputs,
    { name: 'Y', type: yt, shape: g.outputShape },
    g,
  );
  return runModel(o, model, {
    X: tensorOf(o, xt, c.x, g.inputShape),
    XS: tensorOf(o, 'float32', [q.xScale], []),
    XZ: tensorOf(o, xt, [q.xZeroPoint], []),
    W: tensorOf(o, wt, c.w, g.weightShape),
    WS: tensorOf(o, 'float32', q.wScale as number[], m),
    WZ: tensorOf(o, wt, q.wZeroPoint as number[], m),
    YS: tensorOf(o, 'float32', [q.yScale], []),
    YZ: tensorOf(o, yt, [q.yZeroPoint], []),
    B: tensorOf(o, 'int32', bias, m),
  });
}

/** Runs `body`, or returns the reason onnxruntime gave for not having the kernel. */
async function orUnsupported<T>(body: () => Promise<T>): Promise<T | { unsupported: string }> {
  try {
    return await body();
  } catch (e) {
    const message = (e as Error).message;
    if (/NOT_IMPLEMENTED|Could not find an implementation|not supported/i.test(message)) {
      return { unsupported: message.split('\n')[0]! };
    }
    throw e;
  }
}

const COMBOS: [QuantizedDType, QuantizedDType][] = [
  ['uint8', 'uint8'],
  ['uint8', 'int8'],
  ['int8', 'int8'],
];

describe.skipIf(typeof ort === 'string')(
  `onnxruntime-node quantized convolution${skipReason}`,
  () => {
    const o = ort as Ort;

    describe.each(COMBOS)('ConvInteger x %s, w %s: exactly the oracle', (xt, wt) => {
      it.for([false, true])('per-channel weight zero point: %s', async (perChannel, { skip }) => {
        const unsupported: string[] = [];
        let compared = 0;
        await fc.assert(
          fc.asyncProperty(caseArb(xt, wt), async (c) => {
            const got = await orUnsupported(() => ortConvInteger(o, c, perChannel));
            if ('unsupported' in got) {
              unsupported.push(got.unsupported);
              return;
            }
            compared++;
            const wz = perChannel ? c.wZero : c.wZero[0]!;
            expect(Array.from(got)).toEqual([...referenceConvInteger(c.p, c.x, c.w, c.xZero, wz)]);
          }),
          { numRuns: 15 },
        );
        // A per-channel zero point on one output channel is a scalar to onnxruntime: those
        // cases compare; the others are refused ("Non per-tensor quantization is not supported").
        if (unsupported.length > 0) {
          process.stderr.write(
            `ConvInteger x ${xt} w ${wt} per-channel ${perChannel}: ${compared} compared, ` +
              `${unsupported.length} refused by onnxruntime (${unsupported[0]!.slice(-80)})\n`,
          );
        }
        if (compared === 0) skip(`onnxruntime refused every case: ${unsupported[0]}`);
      });
    });

    describe.each(COMBOS)('QLinearConv x %s, w %s: within the derived ±1', (xt, wt) => {
      it('per-channel scales and zero points, int32 bias, saturation', async () => {
        let beside = 0;
        let saturated = 0;
        let outputs = 0;
        const scale = fc.float({ min: Math.fround(1e-3), max: Math.fround(0.5), noNaN: true });
        await fc.assert(
          fc.asyncProperty(
            caseArb(xt, wt),
            scale,
            fc.array(scale, { minLength: 8, maxLength: 8 }),
            fc.float({ min: Math.fround(0.05), max: Math.fround(20), noNaN: true }),
            fc.array(fc.integer({ min: -20000, max: 20000 }), { minLength: 8, maxLength: 8 }),
            fc.constantFrom<QuantizedDType>('int8', 'uint8'),
            async (c, xScale, wScales, yScale, biasSeed, yType) => {
              const oc = c.p.outChannels;
              const p = { ...c.p, bias: true };
              const q: QLinearConvParameters = {
                xScale,
                xZeroPoint: c.xZero,
                wScale: wScales.slice(0, oc),
                wZeroPoint: c.wZero,
                yScale,
                yZeroPoint: yType === 'int8' ? -5 : 130,
                yType,
              };
              const bias = Int32Array.from(biasSeed.slice(0, oc));
              const got = await orUnsupported(() => ortQLinearConv(o, { ...c, p }, q, bias));
              if ('unsupported' in got) return;
              const b = qlinearConvBounds(p, c.x, c.w, q, bias);
              for (let i = 0; i < b.expected.length; i++) {
                const v = got[i]!;
                expect(
                  v >= b.low[i]! && v <= b.high[i]!,
                  `output ${i}: ${v} vs ${b.expected[i]}`,
                ).toBe(true);
                if (v !== b.expected[i]) beside++;
                if (v === QUANTIZED_RANGE[yType].min || v === QUANTIZED_RANGE[yType].max)
                  saturated++;
              }
              outputs += b.expected.length;
            },
          ),
          { numRuns: 40 },
        );
        expect(outputs).toBeGreaterThan(saturated);
        process.stderr.write(
          `QLinearConv x ${xt} w ${wt}: ${outputs} outputs, ${saturated} saturated, ${beside} took the admitted ±1\n`,
        );
      });
    });
  },
);
