/**
 * The 16-bit conversions, exhaustively over all 65,536 patterns, against
 * independent conversions:
 * - float16 against numpy (`np.float16`, whose float64 → float16 cast rounds from
 *   the double directly); skipped with the reason in the name without numpy;
 * - bfloat16 encoding from float32 against PyTorch (`torch.bfloat16`), skipped with
 *   the reason in the name without torch;
 * - bfloat16 decoding against the float32 reinterpretation of `bits << 16`, and
 *   float32 → bfloat16 against the classic integer rounding of the float32 bits;
 * - both, from float64, against a nearest-value search over the sorted table of
 *   every finite value (no scaling, no exponent arithmetic).
 * The inputs are every value, every midpoint between neighbours (the ties) and
 * the doubles just either side of each midpoint.
 *
 * Over 300 lines, on purpose: a unit's test file holds all of its tests: every 16-bit
 * conversion against numpy, PyTorch, the bit layout and the value table shares these probes.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeHalf,
  encodeHalf,
  floatFormat,
  fromHalfBits,
  HALF_FORMATS,
  type HalfDType,
  roundToFormat,
  roundToHalf,
  toHalfBits,
} from './float16.ts';
import { mulberry32 } from './random.ts';

const PATTERNS = Uint16Array.from({ length: 65536 }, (_, i) => i);
const DTYPES: HalfDType[] = ['float16', 'bfloat16'];

/** The neighbouring doubles of x (x finite): one ulp of float64 down and up. */
function doubleNeighbours(x: number): [number, number] {
  const f = new Float64Array([x]);
  const i = new BigInt64Array(f.buffer);
  const bits = i[0]!;
  // For x > 0, bits ± 1 moves away from / towards zero; x = 0 is not a midpoint.
  i[0] = bits - 1n;
  const below = f[0]!;
  i[0] = bits + 1n;
  return [below, f[0]!];
}

/** Sorted non-negative finite values of a format. */
function finiteValues(dtype: HalfDType): number[] {
  const values: number[] = [];
  for (const p of PATTERNS) {
    const v = fromHalfBits(p, dtype);
    if (Number.isFinite(v) && !Object.is(v, -0) && v >= 0) values.push(v);
  }
  return values.sort((a, b) => a - b);
}

/** Every value, midpoint and double beside a midpoint, both signs, plus overflow probes. */
function probes(dtype: HalfDType): Float64Array {
  const values = finiteValues(dtype);
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    out.push(values[i]!);
    const next = values[i + 1] ?? values[i]! + (values[i]! - values[i - 1]!); // 2^(emax+1)
    const mid = (values[i]! + next) / 2; // exact in float64
    out.push(mid, ...doubleNeighbours(mid));
  }
  out.push(Number.POSITIVE_INFINITY, 1e300, Number.MIN_VALUE, 0);
  return Float64Array.from([...out, ...out.map((v) => -v)]);
}

/**
 * Nearest-value search: the largest table value ≤ |x| and the next one; the
 * nearer wins, a tie goes to the one with an even last fraction bit. Past the
 * largest finite value, 2^(emax+1) stands for infinity (IEEE's overflow rule).
 */
function searchRound(x: number, values: number[]): number {
  const a = Math.abs(x);
  const top = values.at(-1)! + (values.at(-1)! - values.at(-2)!);
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (values[mid]! <= a) lo = mid;
    else hi = mid - 1;
  }
  const below = values[lo]!;
  const above = values[lo + 1] ?? top;
  let r: number;
  if (a === below) r = below;
  else if (a - below < above - a) r = below;
  else if (a - below > above - a) r = above;
  else r = lo % 2 === 0 ? below : above; // values[i] has fraction parity i mod 2
  if (r >= top) r = Number.POSITIVE_INFINITY;
  return x < 0 || Object.is(x, -0) ? -r : r;
}

function python(args: string[]) {
  // -W ignore: numpy warns on the casts that overflow to infinity, which are intended.
  return spawnSync('python3', ['-W', 'ignore', ...args], { encoding: 'utf8', timeout: 60_000 });
}

function numpyMissing(): string | undefined {
  const probe = python(['-c', 'import numpy']);
  if (probe.error) return `python3 not runnable (${probe.error.message})`;
  if (probe.status !== 0) return `numpy not importable: ${probe.stderr.trim().split('\n').at(-1)}`;
  return undefined;
}

const numpySkip = numpyMissing();
const numpyTitle = (what: string) =>
  numpySkip === undefined ? what : `${what} — SKIPPED: ${numpySkip}`;
const scratch = mkdtempSync(join(tmpdir(), 'convcheck-f16-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('float16 against numpy', () => {
  it.skipIf(numpySkip !== undefined)(
    numpyTitle('decodes all 65,536 patterns as numpy does'),
    () => {
      const file = join(scratch, 'decoded.f8');
      const run = python([
        '-c',
        `import numpy as np; np.arange(65536, dtype='<u2').view('<f2').astype('<f8').tofile('${file}')`,
      ]);
      expect(run.stderr).toBe('');
      const theirs = new Float64Array(readFileSync(file).buffer.slice(0));
      for (const p of PATTERNS) {
        const ours = fromHalfBits(p, 'float16');
        if (!Object.is(ours, theirs[p]!))
          expect({ pattern: p, ours }).toEqual({ pattern: p, ours: theirs[p] });
      }
    },
  );

  it.skipIf(numpySkip !== undefined)(
    numpyTitle('encodes every value, tie and near-tie from float64 as numpy does'),
    () => {
      const input = probes('float16');
      const inFile = join(scratch, 'probes.f8');
      const outFile = join(scratch, 'encoded.u2');
      writeFileSync(inFile, new Uint8Array(input.buffer));
      const run = python([
        '-c',
        `import numpy as np; np.fromfile('${inFile}', dtype='<f8').astype('<f2').view('<u2').tofile('${outFile}')`,
      ]);
      expect(run.stderr).toBe('');
      const buffer = readFileSync(outFile);
      const theirs = new Uint16Array(buffer.buffer, buffer.byteOffset, buffer.length / 2);
      const ours = encodeHalf(input, 'float16');
      const differ = [...ours.keys()].filter((i) => ours[i] !== theirs[i]);
      expect(differ.map((i) => [input[i], ours[i], theirs[i]])).toEqual([]);
    },
  );
});

/** Debian's python3-torch lives in /usr/bin/python3; CONVCHECK_TORCH_PYTHON names another. */
const TORCH_PYTHON = process.env.CONVCHECK_TORCH_PYTHON ?? '/usr/bin/python3';

function torchMissing(): string | undefined {
  const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.error) return `${TORCH_PYTHON} not runnable (${probe.error.message})`;
  if (probe.status !== 0) return `torch not importable: ${probe.stderr.trim().split('\n').at(-1)}`;
  return undefined;
}

const torchSkip = torchMissing();
const torchTitle = (what: string) =>
  torchSkip === undefined ? what : `${what} — SKIPPED: ${torchSkip}`;

describe('bfloat16 against PyTorch', () => {
  it.skipIf(torchSkip !== undefined)(
    torchTitle('encodes every float32 value, tie and near-tie as torch.bfloat16 does'),
    () => {
      const input = Float32Array.from(probes('bfloat16'));
      const inFile = join(scratch, 'probes.f4');
      const outFile = join(scratch, 'torch.u2');
      writeFileSync(inFile, new Uint8Array(input.buffer));
      const script =
        'import numpy as np, torch; a = np.fromfile(r"' +
        inFile +
        '", dtype="<f4"); torch.from_numpy(a).to(torch.bfloat16).view(torch.int16).numpy().view("<u2").tofile(r"' +
        outFile +
        '")';
      const run = spawnSync(TORCH_PYTHON, ['-W', 'ignore', '-c', script], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const buffer = readFileSync(outFile);
      const theirs = new Uint16Array(buffer.buffer, buffer.byteOffset, buffer.length / 2);
      const ours = encodeHalf(input, 'bfloat16');
      // NaN payloads differ (torch keeps the float32's); only NaN-ness is compared.
      const isNaN16 = (bits: number) => Number.isNaN(fromHalfBits(bits, 'bfloat16'));
      const differ = [...ours.keys()].filter(
        (i) => ours[i] !== theirs[i] && !(isNaN16(ours[i]!) && isNaN16(theirs[i]!)),
      );
      expect(differ.map((i) => [input[i], ours[i], theirs[i]])).toEqual([]);
    },
  );
});

describe('bfloat16 against the float32 bit layout', () => {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);

  it('decodes all 65,536 patterns as the top half of a float32', () => {
    for (const p of PATTERNS) {
      u32[0] = p << 16;
      const theirs = f32[0]!;
      const ours = fromHalfBits(p, 'bfloat16');
      if (!Object.is(ours, theirs))
        expect({ pattern: p, ours }).toEqual({ pattern: p, ours: theirs });
    }
  });

  it('encodes float32 values as the integer rounding of their bits does', () => {
    // bits + 0x7fff + (bit 16) carries into the top half exactly when the low half is
    // above the midpoint, or at it with an odd top half; NaN is handled apart.
    const input = Float32Array.from(probes('bfloat16'));
    for (const x of input) {
      f32[0] = x;
      const bits = u32[0]!;
      const theirs = Number.isNaN(x)
        ? 0x7fc0
        : ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
      const ours = toHalfBits(x, 'bfloat16');
      if (ours !== theirs) expect({ x, ours }).toEqual({ x, ours: theirs });
    }
  });
});

describe('TF32 rounding (roundToFormat with floatFormat(8, 10))', () => {
  it('rounds float32 values as the integer rounding of their low 13 bits does', () => {
    const tf32 = floatFormat(8, 10);
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    // Every bfloat16 probe, midpoints and near-midpoints of a finer grid: random float32 bits.
    const next = mulberry32(12345);
    const wrong: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      u32[0] = next() & 0x7f7fffff; // finite, both exponent extremes included
      if (i % 2 === 1) u32[0] = (u32[0]! & ~0x1fff) | 0x1000; // an exact tie
      const x = f32[0]!;
      const bits = u32[0]!;
      u32[0] = (bits + 0xfff + ((bits >>> 13) & 1)) & ~0x1fff;
      if (roundToFormat(x, tf32) !== f32[0]) wrong.push(x);
    }
    expect(wrong).toEqual([]);
  });
});

describe.each(DTYPES)('%s', (dtype) => {
  const values = finiteValues(dtype);
  const f = HALF_FORMATS[dtype];

  it('round-trips every non-NaN pattern and canonicalizes NaN', () => {
    for (const p of PATTERNS) {
      const v = fromHalfBits(p, dtype);
      expect(toHalfBits(v, dtype)).toBe(Number.isNaN(v) ? f.nan : p);
    }
  });

  it('rounds every value, tie and near-tie from float64 to the nearest value, ties to even', () => {
    for (const x of probes(dtype)) {
      const ours = roundToHalf(x, dtype);
      const theirs = searchRound(x, values);
      if (!Object.is(ours, theirs)) expect({ x, ours }).toEqual({ x, ours: theirs });
    }
  });

  it('overflows to infinity from the largest finite value plus half an ulp, not before', () => {
    const halfUlp = 2 ** (f.bias - f.fractionBits - 1);
    const threshold = f.maxFinite + halfUlp;
    expect(roundToHalf(threshold, dtype)).toBe(Number.POSITIVE_INFINITY);
    expect(roundToHalf(-threshold, dtype)).toBe(Number.NEGATIVE_INFINITY);
    expect(roundToHalf(doubleNeighbours(threshold)[0], dtype)).toBe(f.maxFinite);
  });

  it('keeps subnormals and the sign of zero; the smallest subnormal halves to zero (even)', () => {
    expect(roundToHalf(f.minSubnormal, dtype)).toBe(f.minSubnormal);
    expect(roundToHalf(f.minSubnormal / 2, dtype)).toBe(0);
    expect(roundToHalf(doubleNeighbours(f.minSubnormal / 2)[1], dtype)).toBe(f.minSubnormal);
    expect(roundToHalf(1.5 * f.minSubnormal, dtype)).toBe(2 * f.minSubnormal);
    // The largest subnormal plus half a quantum ties up to the smallest normal (even fraction 0).
    expect(roundToHalf(f.minNormal - f.minSubnormal / 2, dtype)).toBe(f.minNormal);
    expect(Object.is(roundToHalf(-0, dtype), -0)).toBe(true);
    expect(Object.is(roundToHalf(-f.minSubnormal / 4, dtype), -0)).toBe(true);
  });

  it('roundToFormat (its float32 fast path included) agrees with roundToHalf', () => {
    const format = floatFormat(f.exponentBits, f.fractionBits);
    const inputs = [...probes(dtype), ...Float32Array.from(probes(dtype))];
    const wrong = inputs.filter((x) => !Object.is(roundToFormat(x, format), roundToHalf(x, dtype)));
    expect(wrong).toEqual([]);
  });

  it('typed-array helpers agree with the scalar conversions', () => {
    const input = Float32Array.from(probes(dtype));
    const bits = encodeHalf(input, dtype);
    const back = decodeHalf(bits, dtype);
    const wrong = [...input.keys()].filter(
      (i) =>
        bits[i] !== toHalfBits(input[i]!, dtype) ||
        !Object.is(back[i], Math.fround(roundToHalf(input[i]!, dtype))),
    );
    expect(wrong.map((i) => input[i])).toEqual([]);
    const all = decodeHalf(PATTERNS, dtype);
    const wrongDecode = [...PATTERNS].filter(
      (p) => !Object.is(all[p], Math.fround(fromHalfBits(p, dtype))) && !Number.isNaN(all[p]),
    );
    expect(wrongDecode).toEqual([]);
  });
});
