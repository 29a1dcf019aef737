/**
 * The effective-bits estimate is scale-free across cases: one case of large
 * magnitude computed in float32 no longer drowns the errors of the others (the
 * ratio of sums over a whole phase let a wide-range case outweigh the rest by
 * up to 2^48: 23.7 bits reported for a TF32 kernel, issue 18).
 */
import { describe, expect, it } from 'vitest';
import { decodeHalf, encodeHalf } from '../../reference/float16.ts';
import type { ConvKernel } from '../../reference/problem.ts';
import { materializeConvCase } from '../data.ts';
import { emulatedKernel, emulatedStorageKernel } from './emulated.ts';
import { effectiveSignificandBits, type PrecisionCase, precisionOracle } from './judge.ts';
import { MEDIUM_PROBE } from './probes.ts';

async function caseOf(kernel: ConvKernel, dataSeed: number, scale = 1): Promise<PrecisionCase> {
  const { input, weight, bias } = materializeConvCase({
    problem: MEDIUM_PROBE,
    data: 'real',
    dataSeed,
  });
  const x = input.map((v) => v * scale);
  const w = weight.map((v) => v * scale);
  const got = (await kernel.conv(MEDIUM_PROBE, x, w, bias)) as Float32Array;
  return { problem: MEDIUM_PROBE, got, ...precisionOracle(MEDIUM_PROBE, x, w, bias) };
}

// Seeds ≡ 0 mod 4 draw uniform [−1, 1] data (not the wide-range kind).
const seeds = [4, 8, 12, 16];

describe('effective significand bits', () => {
  it('TF32 ≈ 11, float16 storage ≈ 11, float32 ≈ 20 or more, on signed data', async () => {
    const bits = async (k: ConvKernel) =>
      effectiveSignificandBits(await Promise.all(seeds.map((s) => caseOf(k, s))))!;
    const tf32 = await bits(emulatedKernel('tf32'));
    expect(tf32).toBeGreaterThan(10.5);
    expect(tf32).toBeLessThan(12.5);
    expect(await bits(emulatedKernel('fp32'))).toBeGreaterThan(18);
    // float16 storage: the operands arrive stored, the output is rounded to 11 bits.
    const f16 = emulatedStorageKernel('float16', 'float32');
    const stored: ConvKernel = {
      name: 'f16-as-float32',
      async conv(p, x, w, b) {
        const enc = (v: Float32Array | Float64Array) => encodeHalf(v, 'float16');
        const out = await f16.conv(p, enc(x), enc(w), b && enc(b));
        return decodeHalf(out, 'float16');
      },
    };
    const storedCases = await Promise.all(
      seeds.map(async (s) => {
        const { input, weight, bias } = materializeConvCase(
          { problem: MEDIUM_PROBE, data: 'real', dataSeed: s },
          'float16',
        );
        const got = (await stored.conv(MEDIUM_PROBE, input, weight, bias)) as Float32Array;
        return {
          problem: MEDIUM_PROBE,
          got,
          ...precisionOracle(MEDIUM_PROBE, input, weight, bias),
        };
      }),
    );
    const halfBits = effectiveSignificandBits(storedCases)!;
    expect(halfBits).toBeGreaterThan(10.5);
    expect(halfBits).toBeLessThan(13);
  });

  it('one float32 case of large magnitude does not lift a TF32 kernel to float32 bits', async () => {
    const tf32 = await Promise.all(seeds.map((s) => caseOf(emulatedKernel('tf32'), s)));
    // The same problem on operands 2^12 larger (squares 2^48 larger), computed in float32:
    // a ratio of sums over the phase would read about 24 bits from it alone.
    const big = await caseOf(emulatedKernel('fp32'), 20, 2 ** 12);
    const alone = effectiveSignificandBits(tf32)!;
    const mixed = effectiveSignificandBits([...tf32, big])!;
    expect(mixed).toBeLessThan(12.5);
    expect(Math.abs(mixed - alone)).toBeLessThan(1);
  });
});
