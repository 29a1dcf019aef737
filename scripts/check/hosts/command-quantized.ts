/**
 * The quantized ops over the subprocess protocol (docs/protocol.md, "Quantized
 * ops"): a request carries the operands of ONNX ConvInteger or QLinearConv under
 * their names, each as base64 of its little-endian values with its type in
 * `dtypes`; the answer's `output` is of `outputDtype`. The program declines a
 * case by answering "unsupported", as for every op.
 */
import type { QuantizedCase } from '../../../properties/quantized/case.ts';
import type { QuantizedOperands } from '../../../properties/quantized/data.ts';
import { convGeometry } from '../../../reference/geometry.ts';
import type { PerChannel, QuantizedDType } from '../../../reference/quantized.ts';
import {
  decodeQuantized,
  encodeFloats,
  problemFields,
  type QuantizedWireRequest,
  type QuantizedWireType,
  type WireAnswer,
} from './command-wire.ts';
import type { Settlement } from './supervisor.ts';
import type { QuantizedHostPart } from './types.ts';

const typeOf = (a: Int8Array | Uint8Array): QuantizedDType =>
  a instanceof Int8Array ? 'int8' : 'uint8';

/** A zero point (of its tensor's type) or a scale (float32): one value, or one per output channel. */
function parameter(value: PerChannel, type: QuantizedWireType): ArrayBufferView {
  const values = typeof value === 'number' ? [value] : Array.from(value);
  return type === 'float32'
    ? Float32Array.from(values)
    : type === 'int8'
      ? Int8Array.from(values)
      : Uint8Array.from(values);
}

/**
 * The operand fields, their types and the output's type of a quantized request.
 *
 * @example
 * ```ts
 * quantizedWireFields(operands).dtypes; // { x: 'uint8', w: 'int8', xZeroPoint: 'uint8', wZeroPoint: 'int8' }
 * quantizedWireFields(operands).fields.x; // base64 of x's bytes
 * ```
 */
export function quantizedWireFields(o: QuantizedOperands): Pick<
  QuantizedWireRequest,
  'dtypes' | 'outputDtype'
> & {
  fields: Record<string, string | null>;
} {
  const [x, w] = [typeOf(o.x), typeOf(o.w)];
  const arrays: Record<string, [ArrayBufferView, QuantizedWireType]> = { x: [o.x, x], w: [o.w, w] };
  let outputDtype: QuantizedWireType = 'int32';
  if (o.op === 'conv-integer') {
    arrays.xZeroPoint = [parameter(o.xZeroPoint, x), x];
    arrays.wZeroPoint = [parameter(o.wZeroPoint, w), w];
  } else {
    const p = o.params;
    const y = p.yType ?? x;
    outputDtype = y;
    arrays.xScale = [parameter(p.xScale, 'float32'), 'float32'];
    arrays.xZeroPoint = [parameter(p.xZeroPoint, x), x];
    arrays.wScale = [parameter(p.wScale, 'float32'), 'float32'];
    arrays.wZeroPoint = [parameter(p.wZeroPoint, w), w];
    arrays.yScale = [parameter(p.yScale, 'float32'), 'float32'];
    arrays.yZeroPoint = [parameter(p.yZeroPoint, y), y];
    if (o.bias) arrays.bias = [o.bias, 'int32'];
  }
  const dtypes: Record<string, QuantizedWireType> = {};
  const fields: Record<string, string | null> = {};
  for (const [name, [values, type]] of Object.entries(arrays)) {
    dtypes[name] = type;
    fields[name] = encodeFloats(values);
  }
  if (o.op === 'qlinear-conv' && !o.bias) fields.bias = null;
  return { fields, dtypes, outputDtype };
}

/** Sends a request (given its id) and awaits the answer: the command host's exchange. */
type Exchange = (
  request: (id: number) => QuantizedWireRequest,
  timeoutMs: number,
) => Promise<{ settled: Settlement<WireAnswer>; ms: number }>;

/**
 * The quantized part of a command host: `supports` is always true (a program
 * declines by answering "unsupported"); `run` sends the request and decodes the
 * output in the op's output type.
 *
 * @example
 * ```ts
 * const part = commandQuantized((request, ms) => host.exchange(request, ms));
 * ```
 */
export function commandQuantized(exchange: Exchange): QuantizedHostPart {
  return {
    supports: async () => true,
    async run(c: QuantizedCase, operands: QuantizedOperands, timeoutMs: number) {
      const { dtypes, outputDtype, fields } = quantizedWireFields(operands);
      const { settled, ms } = await exchange(
        (id) => ({
          id,
          op: c.op,
          problem: problemFields(c.problem),
          dtypes,
          outputDtype,
          ...fields,
        }),
        timeoutMs,
      );
      if ('failure' in settled) return { kind: 'error', message: settled.failure };
      const answer = settled.value;
      if ('unsupported' in answer) return { kind: 'unsupported', reason: answer.unsupported };
      if ('error' in answer) {
        return { kind: 'error', message: `the program reported: ${answer.error}` };
      }
      const length = convGeometry(c.problem).outputLength;
      const output = decodeQuantized(answer.output, outputDtype, length);
      if (typeof output === 'string') return { kind: 'error', message: output };
      // The program worked on copies: it cannot have written into the harness's arrays.
      return { kind: 'output', output, mutatedInputs: [], ms };
    },
  };
}
