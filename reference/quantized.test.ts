/**
 * The quantized oracles: hand-checkable cases recomputed here by a plain formula,
 * laws against the float64 oracle, saturation, zero points at the ends of their
 * ranges, per-channel parameters, and the admissible ±1 of floating-point rescaling.
 *
 * Over 300 lines, on purpose: a unit's test file holds all of its tests: plain-formula cases,
 * laws, saturation, zero points and the ±1 rescaling rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceConv } from './conv.ts';
import { ProblemError } from './errors.ts';
import { convGeometry } from './geometry.ts';
import type { ConvProblem } from './problem.ts';
import {
  type QLinearConvParameters,
  QUANTIZED_RANGE,
  type QuantizedArray,
  type QuantizedDType,
  referenceConvInteger,
  referenceQLinearConv,
} from './quantized.ts';
import { qlinearConvBounds } from './quantized-bounds.ts';
import { convProblem, smallConvProblemArbitrary } from './testing.ts';

/** Round half to even on a float64 that is exact (the tests pick dyadic scales). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const rest = v - f;
  // + 0: the oracle's integer outputs have no −0.
  if (rest !== 0.5) return Math.round(v) + 0;
  return (f % 2 === 0 ? f : f + 1) + 0;
}

const clamp = (v: number, t: QuantizedDType) =>
  Math.min(QUANTIZED_RANGE[t].max, Math.max(QUANTIZED_RANGE[t].min, v));

function typed(type: QuantizedDType, values: number[]): QuantizedArray {
  return type === 'int8' ? Int8Array.from(values) : Uint8Array.from(values);
}

/**
 * 1-D ConvInteger by the plain formula, written independently of the oracle:
 * y[o] = Σ_k (xpad[o·s + k·d] − xz)(w[k] − wz), xpad padded with xz.
 */
function plainConvInteger1d(
  x: number[],
  w: number[],
  xz: number,
  wz: number,
  s: { stride: number; dilation: number; pad: [number, number] },
): number[] {
  const padded = [...Array(s.pad[0]).fill(xz), ...x, ...Array(s.pad[1]).fill(xz)];
  const span = s.dilation * (w.length - 1) + 1;
  const out: number[] = [];
  for (let start = 0; start + span <= padded.length; start += s.stride) {
    out.push(w.reduce((acc, wk, k) => acc + (padded[start + k * s.dilation]! - xz) * (wk - wz), 0));
  }
  return out;
}

describe('referenceConvInteger, against the plain formula', () => {
  it('uint8 input, int8 weight, zero points, stride, dilation and asymmetric padding', () => {
    const x = [0, 255, 17, 128, 3, 250, 9];
    const w = [-128, 5, 127];
    const s = { stride: 2, dilation: 2, pad: [3, 1] as [number, number] };
    const p = convProblem({
      inputSize: [7],
      kernelSize: [3],
      stride: [2],
      dilation: [2],
      padBegin: [3],
      padEnd: [1],
    });
    const y = referenceConvInteger(p, Uint8Array.from(x), Int8Array.from(w), 128, -3);
    expect(y).toBeInstanceOf(Int32Array);
    expect([...y]).toEqual(plainConvInteger1d(x, w, 128, -3, s));
  });

  it('true convolution applies the weight reversed', () => {
    const x = [1, 2, 3, 4, 5];
    const w = [7, -2];
    const p = convProblem({ mode: 'convolution', inputSize: [5], kernelSize: [2] });
    const y = referenceConvInteger(p, Int8Array.from(x), Int8Array.from(w), 1, 2);
    const single = { stride: 1, dilation: 1, pad: [0, 0] as [number, number] };
    expect([...y]).toEqual(plainConvInteger1d(x, [...w].reverse(), 1, 2, single));
  });

  it('per-output-channel weight zero points: each channel as if alone', () => {
    const p = convProblem({ inputSize: [4], kernelSize: [2], outChannels: 3 });
    const x = Uint8Array.from([255, 0, 37, 200]);
    const w = Int8Array.from([1, -1, 127, -128, 3, 4]);
    const zeros = [0, -128, 127];
    const y = referenceConvInteger(p, x, w, 255, zeros);
    const single = { stride: 1, dilation: 1, pad: [0, 0] as [number, number] };
    const expected = zeros.flatMap((z, oc) =>
      plainConvInteger1d([...x], [...w.slice(oc * 2, oc * 2 + 2)], 255, z, single),
    );
    expect([...y]).toEqual(expected);
  });
});

const problemArb = smallConvProblemArbitrary();

interface QuantizedCase {
  p: ConvProblem;
  xType: QuantizedDType;
  wType: QuantizedDType;
  x: QuantizedArray;
  w: QuantizedArray;
  xZero: number;
  wZero: number[];
}

function valueArb(t: QuantizedDType): fc.Arbitrary<number> {
  const { min, max } = QUANTIZED_RANGE[t];
  // The ends of the range are where zero points and saturation bugs live.
  return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max, 0));
}

const caseArb: fc.Arbitrary<QuantizedCase> = fc
  .record({
    p: problemArb,
    xType: fc.constantFrom<QuantizedDType>('int8', 'uint8'),
    wType: fc.constantFrom<QuantizedDType>('int8', 'uint8'),
  })
  .chain(({ p, xType, wType }) => {
    const g = convGeometry(p);
    return fc.record({
      p: fc.constant(p),
      xType: fc.constant(xType),
      wType: fc.constant(wType),
      x: fc
        .array(valueArb(xType), { minLength: g.inputLength, maxLength: g.inputLength })
        .map((v) => typed(xType, v)),
      w: fc
        .array(valueArb(wType), { minLength: g.weightLength, maxLength: g.weightLength })
        .map((v) => typed(wType, v)),
      xZero: valueArb(xType),
      wZero: fc.array(valueArb(wType), { minLength: g.outChannels, maxLength: g.outChannels }),
    });
  });

/** The operands with zero points subtracted, as plain numbers (the float64 oracle's input). */
function shifted(c: QuantizedCase): { x: number[]; w: number[] } {
  const perChannel = convGeometry(c.p).weightLength / c.p.outChannels;
  return {
    x: Array.from(c.x, (v) => v - c.xZero),
    w: Array.from(c.w, (v, i) => v - c.wZero[Math.floor(i / perChannel)]!),
  };
}

describe('referenceConvInteger, laws', () => {
  it('equals referenceConv on the shifted integer data, exactly (sums far below 2^53)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        // Padding holds the zero point, i.e. 0 after shifting: referenceConv pads with 0.
        const { x, w } = shifted(c);
        const y = referenceConvInteger(c.p, c.x, c.w, c.xZero, c.wZero);
        expect([...y]).toEqual([...referenceConv(c.p, x, w)].map((v) => v + 0));
      }),
    );
  });

  it('a per-channel vector of equal zero points equals the per-tensor scalar', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const z = c.wZero[0]!;
        const vector = new Array<number>(c.p.outChannels).fill(z);
        expect(referenceConvInteger(c.p, c.x, c.w, c.xZero, vector)).toEqual(
          referenceConvInteger(c.p, c.x, c.w, c.xZero, z),
        );
      }),
    );
  });
});

/** Dyadic scales: the plain float64 formula below is then exact, ties included. */
const dyadicScale = fc
  .tuple(fc.integer({ min: 1, max: 15 }), fc.integer({ min: -8, max: 2 }))
  .map(([m, e]) => m * 2 ** e);

describe('referenceQLinearConv, against the plain formula', () => {
  it('y = saturate(roundHalfEven(acc · xs·ws/ys) + yz) with dyadic scales, bias and per-channel w', () => {
    fc.assert(
      fc.property(
        caseArb,
        fc.constantFrom<QuantizedDType>('int8', 'uint8'),
        dyadicScale,
        dyadicScale,
        fc.array(dyadicScale, { minLength: 4, maxLength: 4 }),
        fc.integer({ min: -5000, max: 5000 }),
        (c, yType, xScale, yScale, wScales, biasSeed) => {
          const oc = c.p.outChannels;
          const p = { ...c.p, bias: true };
          const bias = Int32Array.from({ length: oc }, (_, i) => biasSeed * (i + 1));
          const wScale = wScales.slice(0, oc);
          while (wScale.length < oc) wScale.push(wScales[0]!);
          const yZero = yType === 'int8' ? -3 : 7;
          const params: QLinearConvParameters = {
            xScale,
            xZeroPoint: c.xZero,
            wScale,
            wZeroPoint: c.wZero,
            yScale,
            yZeroPoint: yZero,
            yType,
          };
          const { x, w } = shifted(c);
          const acc = referenceConv(p, x, w, bias);
          const spatial = acc.length / (p.batch * oc);
          const expected = Array.from(acc, (a, i) => {
            const m = (xScale * wScale[Math.floor(i / spatial) % oc]!) / yScale;
            return clamp(roundHalfEven(a * m) + yZero, yType);
          });
          const y = referenceQLinearConv(p, c.x, c.w, params, bias);
          expect(y).toBeInstanceOf(yType === 'int8' ? Int8Array : Uint8Array);
          expect([...y]).toEqual(expected);
        },
      ),
    );
  });

  it('rounds exact ties to even and saturates at both ends', () => {
    // One tap, x − xz = v, w = 1, scale 1/2: y = round(v/2) + yz.
    const p = convProblem({ inputSize: [6], kernelSize: [1] });
    const x = Int8Array.from([1, 3, 5, -1, 127, -128]);
    const params = (yType: QuantizedDType, yZeroPoint: number): QLinearConvParameters => ({
      xScale: 0.5,
      xZeroPoint: 0,
      wScale: 1,
      wZeroPoint: 0,
      yScale: 1,
      yZeroPoint,
      yType,
    });
    const w = Int8Array.from([1]);
    const expected = (yType: QuantizedDType, z: number) =>
      [...x].map((v) => clamp(roundHalfEven(v / 2) + z, yType));
    expect([...referenceQLinearConv(p, x, w, params('int8', 0))]).toEqual(expected('int8', 0));
    expect(expected('int8', 0).slice(0, 4)).toEqual([0, 2, 2, 0]); // ties to even, by hand
    // y_zero_point at the ends of its range pushes results into saturation.
    expect([...referenceQLinearConv(p, x, w, params('int8', 127))]).toEqual(expected('int8', 127));
    expect([...referenceQLinearConv(p, x, w, params('uint8', 0))]).toEqual(expected('uint8', 0));
    expect([...referenceQLinearConv(p, x, w, params('uint8', 255))]).toEqual(
      expected('uint8', 255),
    );
    expect(new Set(referenceQLinearConv(p, x, w, params('uint8', 0)))).toContain(0);
    expect(new Set(referenceQLinearConv(p, x, w, params('int8', 127)))).toContain(127);
  });

  it('a non-dyadic multiplier is rounded from the exact rational, not from a float32 one', () => {
    // m = 3 · fround(1/3) is not 1 (fround(3 · fround(1/3)) is): 3·fround(1/3) is exact in
    // float64 (26 bits), and so is acc·m/2^17 for these acc, so the plain formula is exact.
    const third = Math.fround(1 / 3);
    const yScale = 2 ** 17;
    const p = convProblem({ inputSize: [1], kernelSize: [1], bias: true });
    const params: QLinearConvParameters = {
      xScale: 3,
      xZeroPoint: 0,
      wScale: third,
      wZeroPoint: 0,
      yScale,
      yZeroPoint: 0,
      yType: 'int8',
    };
    // 2.5·2^17 is a tie for the float32 multiplier 1, just above one for the exact m.
    for (const acc of [1, 3, 127, -128, 2.5 * 2 ** 17, -6.5 * 2 ** 17, 100 * 2 ** 17 + 1]) {
      const bias = Int32Array.from([acc - 1]);
      const y = referenceQLinearConv(p, Int8Array.from([1]), Int8Array.from([1]), params, bias);
      expect(y[0]).toBe(clamp(roundHalfEven((acc * (3 * third)) / yScale), 'int8'));
    }
    const tie = Int32Array.from([2.5 * 2 ** 17 - 1]);
    const y = referenceQLinearConv(p, Int8Array.from([1]), Int8Array.from([1]), params, tie);
    expect(y[0]).not.toBe(roundHalfEven((2.5 * 2 ** 17 * Math.fround(3 * third)) / yScale));
  });
});

describe('qlinearConvBounds: the ±1 floating-point rescaling may show', () => {
  /** A float32 requantizer as onnxruntime's: multiplier and product in float32, nearbyint. */
  function float32Requantize(acc: number, xs: number, ws: number, ys: number, yz: number): number {
    const m = Math.fround(Math.fround(xs * ws) / ys);
    return roundHalfEven(Math.fround(Math.fround(acc) * m)) + yz;
  }

  const scaleArb = fc.float({ min: Math.fround(1e-3), max: 1, noNaN: true });

  /** acc, x and w scales, and a y scale that puts acc·m mostly inside int8's range. */
  const rescaleArb = fc
    .record({
      acc: fc.integer({ min: -200_000, max: 200_000 }),
      xs: scaleArb,
      ws: scaleArb,
      target: fc.double({ min: 0.5, max: 150, noNaN: true }),
    })
    .map(({ acc, xs, ws, target }) => ({
      acc,
      xs,
      ws,
      ys: Math.fround(Math.max(Math.abs(acc * xs * ws), 1e-3) / target),
    }))
    .filter(({ ys }) => ys > 0 && Number.isFinite(ys));

  it('admits the float32 requantizer everywhere, and only ever widens by 1 next to a tie', () => {
    fc.assert(
      fc.property(rescaleArb, ({ acc, xs, ws, ys }) => {
        const p = convProblem({ inputSize: [1], kernelSize: [1], bias: true });
        const params: QLinearConvParameters = {
          xScale: xs,
          xZeroPoint: 0,
          wScale: ws,
          wZeroPoint: 0,
          yScale: ys,
          yZeroPoint: 0,
          yType: 'int8',
        };
        const args = [p, Int8Array.from([0]), Int8Array.from([0]), params] as const;
        const b = qlinearConvBounds(...args, Int32Array.from([acc]));
        const got = clamp(float32Requantize(acc, xs, ws, ys, 0), 'int8');
        expect(b.low[0]! <= got && got <= b.high[0]!).toBe(true);
        expect(b.expected[0]).toBe(referenceQLinearConv(...args, Int32Array.from([acc]))[0]);
        expect(b.high[0]! - b.low[0]!).toBeLessThanOrEqual(2);
        expect(b.expected[0]! - b.low[0]!).toBeLessThanOrEqual(1);
        expect(b.high[0]! - b.expected[0]!).toBeLessThanOrEqual(1);
        // Away from a tie (by more than twice δ) there is no slack.
        const v = (acc * xs * ws) / ys;
        const distance = Math.abs(v - Math.floor(v) - 0.5);
        if (Math.abs(v) < 127 && distance > 12 * 2 ** -24 * (Math.abs(v) + 1)) {
          expect(b.low[0]).toBe(b.high[0]);
        }
      }),
    );
  });

  it('admits both neighbours of a tie a float rescale may miss, and rejects an off-by-one elsewhere', () => {
    const p = convProblem({ inputSize: [3], kernelSize: [1] });
    const x = Int8Array.from([5, 4, 6]); // 5·m is a tie; 4·m and 6·m are integers (m = 1/2)
    // 3 and 6 are not powers of two: 3·1/6 is 1/2, but 1/6 (another order) is inexact.
    const params: QLinearConvParameters = {
      xScale: 3,
      xZeroPoint: 0,
      wScale: 1,
      wZeroPoint: 0,
      yScale: 6,
      yZeroPoint: 0,
    };
    const b = qlinearConvBounds(p, x, Int8Array.from([1]), params);
    expect([...b.expected]).toEqual([2, 2, 3]);
    expect([...b.low]).toEqual([2, 2, 3]);
    expect([...b.high]).toEqual([3, 2, 3]);
    // An odd y_zero_point: rounding before or after adding it (onnxruntime, the ONNX
    // reference evaluator) differ at the tie, so both neighbours stand.
    const odd = qlinearConvBounds(p, x, Int8Array.from([1]), {
      ...params,
      xScale: 1,
      yScale: 2,
      yZeroPoint: 3,
    });
    expect([...odd.low]).toEqual([5, 5, 6]);
    expect([...odd.high]).toEqual([6, 5, 6]);
  });

  it('holds a tie that every float rescale computes exactly to half even (power-of-two scales)', () => {
    const p = convProblem({ inputSize: [4], kernelSize: [1] });
    const x = Int8Array.from([5, 7, -5, -7]); // ±2.5 and ±3.5: ties
    const params: QLinearConvParameters = {
      xScale: 0.25,
      xZeroPoint: 0,
      wScale: 4,
      wZeroPoint: 0,
      yScale: 2,
      yZeroPoint: -2,
    };
    const b = qlinearConvBounds(p, x, Int8Array.from([1]), params);
    // By hand: round-half-even(2.5, 3.5, −2.5, −3.5) = 2, 4, −2, −4; then − 2.
    expect([...b.expected]).toEqual([0, 2, -4, -6]);
    expect([...b.low]).toEqual([...b.expected]);
    expect([...b.high]).toEqual([...b.expected]);
  });

  it('with power-of-two scales: a float32 half-even requantizer always passes, a half-away one fails at ties', () => {
    const powerOfTwo = fc.integer({ min: -6, max: 3 }).map((e) => 2 ** e);
    // Half the cases are made ties: m = 2^−s and acc an odd multiple of 2^(s−1).
    const rescale = fc
      .record({
        k: fc.integer({ min: -2500, max: 2500 }),
        s: fc.integer({ min: 1, max: 4 }),
        xs: powerOfTwo,
        ws: powerOfTwo,
        ys: powerOfTwo,
        tie: fc.boolean(),
      })
      .map(({ k, s, xs, ws, ys, tie }) =>
        tie
          ? { acc: (2 * k + 1) * 2 ** (s - 1), xs, ws, ys: xs * ws * 2 ** s }
          : { acc: k, xs, ws, ys },
      );
    let ties = 0;
    fc.assert(
      fc.property(
        rescale,
        fc.integer({ min: -64, max: 63 }).map((z) => 2 * z),
        ({ acc, xs, ws, ys }, yz) => {
          const p = convProblem({ inputSize: [1], kernelSize: [1], bias: true });
          const params: QLinearConvParameters = {
            xScale: xs,
            xZeroPoint: 0,
            wScale: ws,
            wZeroPoint: 0,
            yScale: ys,
            yZeroPoint: yz,
            yType: 'int8',
          };
          const b = qlinearConvBounds(
            p,
            Int8Array.from([0]),
            Int8Array.from([0]),
            params,
            Int32Array.from([acc]),
          );
          const evenOne = clamp(float32Requantize(acc, xs, ws, ys, yz), 'int8');
          expect(b.low[0]! <= evenOne && evenOne <= b.high[0]!).toBe(true);
          const v = (acc * xs * ws) / ys; // exact: dyadic
          const away = clamp(Math.sign(v) * Math.round(Math.abs(v)) + yz, 'int8');
          const tie = v - Math.floor(v) === 0.5;
          if (tie && away !== evenOne) {
            ties++;
            expect(b.low[0]! <= away && away <= b.high[0]!).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(ties).toBeGreaterThan(0);
  });
});

describe('validation names the field', () => {
  const p = convProblem({ inputSize: [2], kernelSize: [1], outChannels: 2 });
  const x = Uint8Array.from([1, 2]);
  const w = Int8Array.from([1, 2]);
  const base: QLinearConvParameters = {
    xScale: 0.5,
    xZeroPoint: 0,
    wScale: 1,
    wZeroPoint: 0,
    yScale: 1,
    yZeroPoint: 0,
  };
  const fieldOf = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      if (e instanceof ProblemError) return e.field;
      throw e;
    }
    return 'no error';
  };

  it.each([
    ['xZeroPoint', () => referenceConvInteger(p, x, w, 256, 0)],
    ['wZeroPoint[1]', () => referenceConvInteger(p, x, w, 0, [0, -129])],
    ['wZeroPoint', () => referenceConvInteger(p, x, w, 0, [0, 0, 0])],
    ['x', () => referenceConvInteger(p, Float32Array.from([1, 2]) as never, w)],
    ['ConvProblem.bias', () => referenceConvInteger({ ...p, bias: true }, x, w)],
    [
      'ConvProblem.paddingMode',
      () => referenceConvInteger({ ...p, padBegin: [1], paddingMode: 'reflect' }, x, w),
    ],
    ['QLinearConv.xScale', () => referenceQLinearConv(p, x, w, { ...base, xScale: 0 })],
    ['QLinearConv.wScale[0]', () => referenceQLinearConv(p, x, w, { ...base, wScale: [0.1, 1] })],
    ['QLinearConv.yZeroPoint', () => referenceQLinearConv(p, x, w, { ...base, yZeroPoint: -1 })],
    ['bias', () => referenceQLinearConv({ ...p, bias: true }, x, w, base)],
  ])('%s', (field, f) => {
    expect(fieldOf(f)).toBe(field);
  });

  it('an accumulator beyond int32 is refused, naming the output', () => {
    const big = convProblem({ inputSize: [1], kernelSize: [1], bias: true });
    const call = () =>
      referenceQLinearConv(
        big,
        Uint8Array.from([255]),
        Uint8Array.from([255]),
        base,
        Int32Array.from([2 ** 31 - 1]),
      );
    expect(fieldOf(call)).toBe('accumulator[0]');
  });
});
