/**
 * A minimal protocol-buffers writer: just the wire types an ONNX model needs
 * (varint and length-delimited). Enough to serialize a ModelProto in memory
 * without a protobuf dependency.
 *
 * Wire format: every field is a key varint `(fieldNumber << 3) | wireType`
 * followed by the value; wire type 0 is a varint, 2 is a length-prefixed byte
 * string (strings, bytes, embedded messages and packed repeated scalars).
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

/**
 * Accumulates the bytes of one message. Nested messages are built with their
 * own writer and embedded with {@link ProtoWriter.message}.
 *
 * @example
 * ```ts
 * const shape = new ProtoWriter().varint(1, 3);          // Dimension { dim_value: 3 }
 * const bytes = new ProtoWriter().message(1, shape).finish();
 * ```
 */
export class ProtoWriter {
  private readonly chunks: number[] = [];

  /** Writes a non-negative integer field (int32, int64, enum) as a varint. */
  varint(field: number, value: number): this {
    this.key(field, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  /** Writes a UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** Writes a bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.rawVarint(value.length);
    for (let i = 0; i < value.length; i++) this.chunks.push(value[i]!);
    return this;
  }

  /** Writes an embedded message field. */
  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /** Writes a packed repeated varint field (proto3 default for repeated int64). */
  packedVarints(field: number, values: readonly number[]): this {
    const body = new ProtoWriter();
    for (const v of values) body.rawVarint(v);
    return this.bytes(field, body.finish());
  }

  /** The serialized message. */
  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }

  private key(field: number, wireType: number): void {
    this.rawVarint(field * 8 + wireType);
  }

  /**
   * Base-128 varint, least significant group first. Only non-negative safe
   * integers are needed (sizes, pads, enum values); negative int64 would need
   * ten-byte two's complement, so it is refused rather than mis-encoded.
   */
  private rawVarint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`ProtoWriter varint: ${value} is not a non-negative safe integer`);
    }
    let v = value;
    while (v >= 0x80) {
      this.chunks.push((v % 0x80) + 0x80);
      v = Math.floor(v / 0x80);
    }
    this.chunks.push(v);
  }
}
