import { describe, expect, it } from 'vitest';
import { ProtoWriter } from './protobuf.ts';

/** Decodes the varints of a byte string (the inverse of the writer's encoding). */
function readVarints(bytes: Uint8Array): number[] {
  const values: number[] = [];
  let value = 0;
  let scale = 1;
  for (const byte of bytes) {
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) {
      values.push(value);
      value = 0;
      scale = 1;
    }
  }
  return values;
}

describe('ProtoWriter', () => {
  it('writes the protobuf documentation example: field 1 = 150 is 08 96 01', () => {
    expect(Array.from(new ProtoWriter().varint(1, 150).finish())).toEqual([0x08, 0x96, 0x01]);
  });

  it('round-trips varints across byte boundaries, up to 2^53 − 1', () => {
    const values = [0, 1, 127, 128, 16383, 16384, 2 ** 31, 2 ** 35 + 7, Number.MAX_SAFE_INTEGER];
    const bytes = new ProtoWriter().packedVarints(8, values).finish();
    // key (8 << 3 | 2 = 66), length, then the packed values
    const [key, length, ...decoded] = readVarints(bytes);
    expect(key).toBe(66);
    expect(length).toBe(bytes.length - 2);
    expect(decoded).toEqual(values);
  });

  it('writes strings and embedded messages length-prefixed', () => {
    const inner = new ProtoWriter().string(1, 'Conv');
    const bytes = new ProtoWriter().message(7, inner).finish();
    expect(Array.from(bytes)).toEqual([0x3a, 6, 0x0a, 4, ...new TextEncoder().encode('Conv')]);
  });

  it('refuses negative and non-integer varints instead of mis-encoding them', () => {
    expect(() => new ProtoWriter().varint(1, -1)).toThrow(/ProtoWriter varint: -1/);
    expect(() => new ProtoWriter().varint(1, 1.5)).toThrow(/ProtoWriter varint: 1.5/);
  });
});
