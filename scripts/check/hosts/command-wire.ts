/**
 * The wire format of the subprocess protocol (docs/protocol.md): one JSON object
 * per line each way, arrays as base64 of their raw little-endian bytes.
 */
import { endianness } from 'node:os';
import type { ConvProblem, PaddingRule } from '../../../reference/index.ts';
import type { ActivationLayout, WeightLayout } from '../../../reference/layout.ts';
import type { OpName } from '../../../reference/ops.ts';
import { type KernelArray, type KernelDType, kernelArrayType } from '../../../reference/storage.ts';
import type { Settlement } from './supervisor.ts';

/** One request line, before JSON encoding. */
export interface WireRequest {
  id: number;
  /**
   * The op asked for (reference/ops.ts); always sent. A program that reads no
   * "op" computes conv, which is all it is asked for unless run with --ops.
   */
  op: OpName;
  problem: ConvProblem;
  /** float32, float64, or a 16-bit storage type ('float16', 'bfloat16': 2 bytes per value). */
  dtype: KernelDType;
  /** The padding rule the program is judged by (declared with --padding); fixed for a run. */
  padding: PaddingRule;
  /** Layout of `input` and of the answer's output (declared with --layout); fixed for a run. */
  layout: ActivationLayout;
  /** Layout of `weight` (declared with --weight-layout); fixed for a run. */
  weightLayout: WeightLayout;
  /**
   * The operands, base64, each under its name in the op's entry: conv and
   * convtranspose `input`, `weight`, `bias` (null without one);
   * conv-backward-data `outputGradient`, `weight`; conv-backward-weights
   * `input`, `outputGradient`.
   */
  [operand: string]: string | null | number | ConvProblem;
}

/**
 * One request line of a quantized op (`conv-integer`, `qlinear-conv`): the
 * operands under their names in the op's entry (reference/ops-quantized.ts),
 * each of the type `dtypes` names (a zero point or scale: one value, or one per
 * output channel), and the output's type. No `dtype`, `padding` or layouts:
 * these ops are NCHW/OIHW with zero padding only, whatever the program declared.
 */
export interface QuantizedWireRequest {
  id: number;
  op: 'conv-integer' | 'qlinear-conv';
  problem: ConvProblem;
  /** Each operand's element type: 'int8' | 'uint8' (x, w, zero points), 'float32' (scales), 'int32' (bias). */
  dtypes: Record<string, QuantizedWireType>;
  /** The answer's element type: 'int32' (ConvInteger) or y_zero_point's type (QLinearConv). */
  outputDtype: QuantizedWireType;
  /** The operands, base64; QLinearConv's `bias` is null without one. */
  [operand: string]: string | null | number | ConvProblem | Record<string, QuantizedWireType>;
}

/** The three answers a program may give, with their payload. */
export type WireAnswer = { output: string } | { unsupported: string } | { error: string };

/** Characters of a bad line quoted in an error message. */
const QUOTED_CHARS = 200;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Throws unless this machine stores floats little-endian: the encoders below
 * copy raw bytes, and the protocol fixes little-endian.
 *
 * @example
 * ```ts
 * assertLittleEndian(); // no-op on x86 and arm64
 * ```
 */
export function assertLittleEndian(): void {
  if (endianness() !== 'LE') {
    throw new Error('the subprocess protocol encoder needs a little-endian machine');
  }
}

/**
 * Base64 of a typed array's raw (little-endian) bytes: floats, the raw
 * patterns of a 16-bit storage type, or a quantized op's integers and scales.
 *
 * @example
 * ```ts
 * encodeFloats(new Float32Array([1])); // 'AACAPw=='
 * ```
 */
export function encodeFloats(values: ArrayBufferView): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/**
 * Decodes a base64 payload into a typed array of `dtype` holding exactly
 * `length` values, or returns why it cannot.
 *
 * @example
 * ```ts
 * decodeFloats('AACAPw==', 'float32', 1); // Float32Array [1]
 * decodeFloats('AACAPw==', 'float64', 1); // 'output: 4 bytes, expected 8 (1 float64 values)'
 * decodeFloats('ADw=', 'float16', 1); // Uint16Array [0x3c00] (the pattern of 1)
 * ```
 */
export function decodeFloats(
  text: string,
  dtype: KernelDType,
  length: number,
): KernelArray | string {
  return decodeInto(text, new (kernelArrayType(dtype))(length), dtype);
}

/** The integer and scale element types of the quantized ops on the wire (docs/protocol.md). */
export const QUANTIZED_WIRE_TYPES = {
  int8: Int8Array,
  uint8: Uint8Array,
  int32: Int32Array,
  float32: Float32Array,
} as const;
export type QuantizedWireType = keyof typeof QUANTIZED_WIRE_TYPES;

/**
 * Decodes a base64 payload into `length` values of a quantized op's output
 * type, or returns why it cannot.
 *
 * @example
 * ```ts
 * decodeQuantized('AQL/', 'int8', 3); // Int8Array [1, 2, -1]
 * ```
 */
export function decodeQuantized(
  text: string,
  dtype: QuantizedWireType,
  length: number,
): ArrayBufferView | string {
  return decodeInto(text, new QUANTIZED_WIRE_TYPES[dtype](length), dtype);
}

/** Fills `values` from base64 of exactly its byte length, or says why not. */
function decodeInto<T extends ArrayBufferView>(text: string, values: T, dtype: string): T | string {
  if (!BASE64.test(text) || text.length % 4 !== 0) {
    return `output is not base64: ${quote(text)}`;
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength !== values.byteLength) {
    const length = values.byteLength / bytesPerElement(values);
    return (
      `output: ${bytes.byteLength} bytes, expected ${values.byteLength} ` +
      `(${length} ${dtype} values)`
    );
  }
  // Copy rather than view: the decoded Buffer may sit unaligned in Node's pool.
  new Uint8Array(values.buffer).set(bytes);
  return values;
}

const bytesPerElement = (values: ArrayBufferView): number =>
  (values as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;

/**
 * A judge for the answer to request `id`: a line that is not a well-formed answer
 * is garbage (a failure quoting it); an answer to an earlier request (left over
 * after a garbage line) is ignored.
 *
 * @example
 * ```ts
 * answerJudge(2)('{"id": 2, "unsupported": "no 3-D"}'); // { value: { unsupported: 'no 3-D' } }
 * answerJudge(2)('{"id": 1, "output": ""}'); // undefined (stale)
 * ```
 */
export function answerJudge(id: number): (line: string) => Settlement<WireAnswer> | undefined {
  return (line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return garbage(line, 'not JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return garbage(line, 'not a JSON object');
    }
    const answer = parsed as Record<string, unknown>;
    if (!Number.isInteger(answer.id)) return garbage(line, 'no integer "id"');
    if ((answer.id as number) < id) return undefined;
    if (answer.id !== id) return garbage(line, `answers id ${answer.id}, expected ${id}`);
    const kinds = (['output', 'unsupported', 'error'] as const).filter((k) => k in answer);
    const kind = kinds[0];
    if (kinds.length !== 1 || kind === undefined || typeof answer[kind] !== 'string') {
      return garbage(line, 'expected exactly one of "output", "unsupported", "error", a string');
    }
    return { value: { [kind]: answer[kind] } as WireAnswer };
  };
}

function garbage(line: string, why: string): Settlement<WireAnswer> {
  return { failure: `garbage on stdout (${why}): ${quote(line)}` };
}

function quote(text: string): string {
  return text.length > QUOTED_CHARS ? `${text.slice(0, QUOTED_CHARS)}…` : text;
}

/**
 * Splits a byte stream into lines (LF, an optional CR before it dropped) without
 * copying a long line more than once, and refuses lines over `maxLineBytes`.
 *
 * @example
 * ```ts
 * const lines = new LineSplitter(1 << 20, (line) => console.log(line), () => {});
 * lines.push(Buffer.from('{"id":1,'));
 * lines.push(Buffer.from('"error":"x"}\n')); // logs the whole line once
 * ```
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      this.parts.push(chunk.subarray(start, end));
      const line = Buffer.concat(this.parts).toString('utf8');
      this.parts = [];
      this.partBytes = 0;
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = end + 1;
    }
    if (start === chunk.length) return;
    this.parts.push(chunk.subarray(start));
    this.partBytes += chunk.length - start;
    if (this.partBytes > this.maxLineBytes) {
      this.parts = [];
      this.partBytes = 0;
      this.onOverflow();
    }
  }
}

/** The problem's protocol fields only, in a fixed order (ConvTranspose's outputPadding last). */
export function problemFields(p: ConvProblem): ConvProblem {
  const { mode, batch, inChannels, outChannels, groups, inputSize, kernelSize } = p;
  const { stride, dilation, padBegin, padEnd, bias } = p;
  return {
    mode,
    batch,
    inChannels,
    outChannels,
    groups,
    inputSize,
    kernelSize,
    stride,
    dilation,
    padBegin,
    padEnd,
    bias,
    // Sent only when not the default, so programs written before padding modes see no new field.
    ...(p.paddingMode !== undefined && p.paddingMode !== 'zeros'
      ? { paddingMode: p.paddingMode }
      : {}),
    ...('outputPadding' in p
      ? { outputPadding: (p as { outputPadding: number[] }).outputPadding }
      : {}),
  };
}
