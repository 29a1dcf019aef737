import { describe, expect, it } from 'vitest';
import { gamma, sameBits, sameValues, unitRoundoff } from './float.ts';
import { mixSeed, mulberry32, randomInteger, seededRandom } from './random.ts';

// Pinned outputs: the committed golden fixtures and every replayed seed depend on them.
describe('the random source', () => {
  it('mulberry32 yields its published sequence', () => {
    const next = mulberry32(42);
    expect([next(), next(), next()]).toEqual([2581720956, 1925393290, 3661312704]);
  });

  it('mixSeed keeps the output the golden fixtures were generated with', () => {
    expect(mixSeed(42, 7, 0)).toBe(2518892206);
    expect(mixSeed(7)).toBe(1655559385);
    expect(mixSeed(20261127, 3, 1)).toBe(508391324);
    expect(mixSeed(-5, 2 ** 31)).toBe(2790114059);
  });

  it('mixSeed separates streams and word orders', () => {
    const seeds = new Set([mixSeed(7, 0), mixSeed(7, 1), mixSeed(0, 7), mixSeed(8, 0)]);
    expect(seeds.size).toBe(4);
  });

  it('seededRandom and randomInteger stay in range', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 1000; i++) {
      const r = random();
      expect(r >= 0 && r < 1).toBe(true);
      const k = randomInteger(random, -2, 2);
      expect(Number.isInteger(k) && k >= -2 && k <= 2).toBe(true);
    }
  });
});

describe('float helpers', () => {
  it('unitRoundoff is half the gap above 1', () => {
    expect(1 + 2 * unitRoundoff('float64')).toBeGreaterThan(1);
    expect(1 + unitRoundoff('float64')).toBe(1);
    expect(Math.fround(1 + 2 * unitRoundoff('float32'))).toBeGreaterThan(1);
    expect(Math.fround(1 + unitRoundoff('float32'))).toBe(1);
  });

  it('gamma is k·u/(1 − k·u) and refuses k·u ≥ 1', () => {
    expect(gamma(4, 0.125)).toBe(0.5 / 0.5);
    expect(() => gamma(8, 0.125)).toThrow(RangeError);
  });

  it('sameBits sees NaN payloads, the sign of zero and the array type', () => {
    const quiet = new Float32Array([Number.NaN]);
    const payload = new Float32Array(1);
    new Uint32Array(payload.buffer)[0] = 0x7fc00001;
    expect(Number.isNaN(payload[0]!)).toBe(true);
    expect(sameBits(quiet, payload)).toBe(false);
    expect(sameBits(new Float64Array([-0]), new Float64Array([0]))).toBe(false);
    expect(sameBits(new Float32Array([1]), new Float64Array([1]))).toBe(false);
    expect(sameBits(new Float32Array([1, 2]), new Float32Array([1, 2]))).toBe(true);
  });

  it('sameValues ignores only what IEEE 754 leaves open: the sign and payload of a NaN', () => {
    const negativeNaN = new Float32Array(1);
    new Uint32Array(negativeNaN.buffer)[0] = 0xffc00000; // x86's default NaN
    expect(sameValues(new Float32Array([Number.NaN]), negativeNaN)).toBe(true);
    expect(sameValues(new Float64Array([-0]), new Float64Array([0]))).toBe(false);
    expect(sameValues(new Float32Array([1, 2]), new Float32Array([1, 2 + 2 ** -22]))).toBe(false);
    expect(sameValues(new Float32Array([1]), new Float32Array([1, 1]))).toBe(false);
    expect(sameValues(new Uint16Array([0x7e00]), new Uint16Array([0xfe00]))).toBe(false);
  });
});
