/**
 * Over 300 lines, on purpose: a unit's test file holds all of its tests: the bound parameters,
 * compareConvOutput, the statistics, the Winograd model and ulpOf.
 */
import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { winogradErrorConstants } from '../impl/winograd/error-constants.ts';
import { type ConvProblem, convGeometry, referenceConv } from '../reference/index.ts';
import { mulberry32 } from '../reference/random.ts';
import { convCaseArbitrary } from './arbitraries/convCase.ts';
import { materializeConvCase } from './data.ts';
import {
  type BoundModel,
  boundParameters,
  compareConvOutput,
  elementBound,
  magnitudeConv,
  magnitudeWinograd,
  STATISTICS,
  ulpOf,
} from './tolerance.ts';
import { identityAxisBound, winogradAxisBound, winogradStages } from './winogradBound.ts';
import { winogradModel } from './winogradModel.ts';

const dot: BoundModel = { kind: 'dot-product' };

/** Lavin & Gray's F(2, 3). */
const F23 = {
  AT: [
    [1, 1, 1, 0],
    [0, 1, -1, -1],
  ],
  G: [
    [1, 0, 0],
    [0.5, 0.5, 0.5],
    [0.5, -0.5, 0.5],
    [0, 0, 1],
  ],
  BT: [
    [1, 0, -1, 0],
    [0, 1, 1, 0],
    [0, -1, 1, 0],
    [0, 1, 0, -1],
  ],
};

function problem(over: Partial<ConvProblem> = {}): ConvProblem {
  return {
    mode: 'cross-correlation',
    batch: 1,
    inChannels: 3,
    outChannels: 2,
    groups: 1,
    inputSize: [7, 6],
    kernelSize: [3, 3],
    stride: [1, 1],
    dilation: [1, 1],
    padBegin: [1, 1],
    padEnd: [1, 0],
    bias: true,
    ...over,
  };
}

/** A problem with enough outputs for the statistical checks. */
const wide = problem({
  inChannels: 1,
  outChannels: 1,
  inputSize: [40, 40],
  kernelSize: [2, 2],
  bias: false,
});

function realCase(p: ConvProblem, seed = 1) {
  const ops = materializeConvCase({ problem: p, data: 'real', dataSeed: seed }, 'float32');
  const reference = referenceConv(p, ops.input, ops.weight, ops.bias);
  return { ops, reference, magnitude: magnitudeConv(p, ops.input, ops.weight, ops.bias) };
}

function compare(
  p: ConvProblem,
  got: ArrayLike<number>,
  reference: ArrayLike<number>,
  magnitude: ArrayLike<number>,
  model: BoundModel = dot,
) {
  return compareConvOutput({ problem: p, got, reference, magnitude, dtype: 'float32', model });
}

describe('bound parameters', () => {
  it('dot-product: ksb = reduction length + bias, factor 2 (float32) or 3 (float64)', () => {
    const p = problem();
    expect(boundParameters(p, 'float32', dot)).toMatchObject({
      model: 'dot-product',
      unitRoundoff: 2 ** -24,
      ksb: 3 * 9 + 1,
      factor: 2,
      normalMin: 2 ** -126,
    });
    expect(boundParameters(p, 'float64', dot)).toMatchObject({ unitRoundoff: 2 ** -53, factor: 3 });
    expect(boundParameters(p, 'float32', { kind: 'exact' })).toMatchObject({ ksb: 0, factor: 0 });
  });

  it('winograd: ksb = transform stages + channels + bias; off its domain it falls back to dot-product', () => {
    const model = winogradModel(2, [3, 3]);
    expect(winogradStages(model)).toBe(26);
    expect(boundParameters(problem(), 'float32', model)).toMatchObject({
      model: 'winograd',
      ksb: 26 + 3 + 1,
      factor: 2,
    });
    const strided = boundParameters(problem({ stride: [2, 1] }), 'float32', model);
    expect(strided.model).toBe('dot-product');
    expect(strided.note).toMatch(/stride 1/);
  });

  it('elementBound = factor · ksb · max(u · mag, normalMin), and 0 for a zero magnitude', () => {
    const params = boundParameters(problem(), 'float32', dot);
    expect(elementBound(params, 3)).toBe(2 * 28 * 3 * 2 ** -24);
    expect(elementBound(params, 0)).toBe(0);
    expect(elementBound(params, 2 ** -140)).toBe(2 * 28 * 2 ** -126);
  });
});

describe('compareConvOutput', () => {
  const p = problem();
  const { reference, magnitude } = realCase(p);
  const rounded = Float32Array.from(reference);

  it('passes the oracle rounded to float32, fails beyond the bound and names the elements', () => {
    expect(compare(p, rounded, reference, magnitude).verdict).toBe('pass');
    const params = boundParameters(p, 'float32', dot);
    const got = Float64Array.from(rounded);
    got[5] = reference[5]! + 1.5 * elementBound(params, magnitude[5]!);
    const c = compare(p, got, reference, magnitude);
    expect(c.verdict).toBe('fail');
    expect(c.failures).toBe(1);
    expect(c.worst[0]).toMatchObject({ index: 5, coords: [0, 0, 1, 0] });
    expect(c.worst[0]!.boundRatio).toBeCloseTo(1.5, 6);
    expect(c.worst[0]!.ulps).toBeGreaterThan(1);
  });

  it('exact model: one ulp off fails; +0 and −0 are equal', () => {
    const exact: BoundModel = { kind: 'exact' };
    const zeros = new Float64Array(reference.length);
    expect(
      compare(
        p,
        zeros.map(() => -0),
        zeros,
        zeros,
        exact,
      ).verdict,
    ).toBe('pass');
    const got = Float32Array.from(rounded);
    got[0] = got[0]! + ulpOf(got[0]!, 'float32');
    expect(compare(p, got, reference, magnitude, exact).verdict).toBe('fail');
  });

  it('special values: NaN must stay NaN, infinities exact, and NaN for a number is an error', () => {
    const ref = Float64Array.from(reference);
    ref[0] = Number.NaN;
    ref[1] = Number.POSITIVE_INFINITY;
    const got = Float64Array.from(rounded);
    got[0] = Number.NaN;
    got[1] = Number.POSITIVE_INFINITY;
    expect(compare(p, got, ref, magnitude).verdict).toBe('pass');
    got[1] = Number.NEGATIVE_INFINITY;
    expect(compare(p, got, ref, magnitude).verdict).toBe('fail');
    got[1] = Number.POSITIVE_INFINITY;
    got[2] = Number.NaN;
    const c = compare(p, got, ref, magnitude);
    // A numerically wrong value: FAIL, not ERROR (which is for crashes and malformed outputs).
    expect(c.verdict).toBe('fail');
    expect(c.reason).toMatch(/1 of \d+ outputs are NaN where the oracle gives a number/);
  });

  it('a Winograd kernel may turn an infinity into NaN (its transforms subtract inputs)', () => {
    const model = winogradModel(2, [3, 3]);
    const ref = Float64Array.from(reference);
    ref[1] = Number.POSITIVE_INFINITY;
    const got = Float64Array.from(rounded);
    got[1] = Number.NaN;
    expect(compare(p, got, ref, magnitude, model).verdict).toBe('pass');
    expect(compare(p, got, ref, magnitude, dot).verdict).toBe('fail');
  });

  it('a zero magnitude demands an exact zero', () => {
    const zero = new Float64Array(reference.length);
    const got = new Float64Array(reference.length);
    got[3] = 2 ** -149;
    expect(compare(p, got, zero, zero).verdict).toBe('fail');
  });

  it('an output of the wrong length is an error', () => {
    const c = compare(p, rounded.subarray(1), reference, magnitude);
    expect(c.verdict).toBe('error');
    expect(c.reason).toMatch(/elements, expected/);
  });
});

describe('statistical checks over ≥ 1000 outputs', () => {
  const { reference, magnitude } = realCase(wide);
  const params = boundParameters(wide, 'float32', dot);
  const n = reference.length;
  const next = mulberry32(5);
  const signs = Float64Array.from({ length: n }, () => (next() & 1 ? 1 : -1));

  it('has enough outputs', () => {
    expect(n).toBeGreaterThanOrEqual(STATISTICS.minOutputs);
  });

  it('variance: errors each within the bound but all near it fail (a too-short accumulator)', () => {
    const got = reference.map((r, i) => r + 0.9 * signs[i]! * elementBound(params, magnitude[i]!));
    const c = compare(wide, got, reference, magnitude);
    expect(c.failures).toBe(0);
    expect(c.verdict).toBe('fail');
    expect(c.reason).toMatch(/variance/);
  });

  it('bias: one-sided errors of one unit roundoff fail; the same errors with random signs pass', () => {
    const unit = (i: number) => Math.max(2 ** -24 * magnitude[i]!, 2 ** -126);
    const biased = compare(
      wide,
      reference.map((r, i) => r + unit(i)),
      reference,
      magnitude,
    );
    expect(biased.verdict).toBe('fail');
    expect(biased.reason).toMatch(/bias/);
    const signed = compare(
      wide,
      reference.map((r, i) => r + signs[i]! * unit(i)),
      reference,
      magnitude,
    );
    expect(signed.verdict).toBe('pass');
  });
});

describe('the Winograd bound model', () => {
  it('derives K* from the transforms: r × (2m + r − 2), the direct taps at least 1', () => {
    const axis = winogradAxisBound(2, 3, F23);
    expect(axis.magnitudeKernel).toHaveLength(3);
    for (const [k, row] of axis.magnitudeKernel.entries()) {
      expect(row).toHaveLength(5);
      expect(row[k + 1]).toBeGreaterThanOrEqual(1);
      expect(row.every((v) => v >= 0)).toBe(true);
    }
    expect(axis.filter).toEqual({ terms: 3, exact: false, stored: true });
    expect(axis.input).toEqual({ terms: 2, exact: false, stored: true });
    expect(identityAxisBound().magnitudeKernel).toEqual([[1]]);
  });

  it('refuses matrices that do not compute F(m, r)', () => {
    const swapped = { ...F23, AT: [F23.AT[1]!, F23.AT[0]!] };
    expect(() => winogradAxisBound(2, 3, swapped)).toThrow(/not F\(2, 3\)/);
  });

  it.each([2, 4, 6])('F(%i, 3): K* covers the amplification constants of impl/winograd', (m) => {
    const axis = winogradModel(m, [3]).axes[0]!;
    const constants = winogradErrorConstants(m, 3);
    const total = axis.magnitudeKernel.flat().reduce((a, b) => a + b, 0);
    // Σ K* bounds the worst tile position's Σ_kj K_i[k, j] = amp_i, and at most m of them.
    expect(total).toBeGreaterThanOrEqual(constants.maxAmplification * (1 - 1e-12));
    expect(total).toBeLessThanOrEqual(m * constants.maxAmplification * (1 + 1e-12));
  });

  test.prop([
    convCaseArbitrary('real', {
      dims: [1, 2],
      maxStride: 1,
      maxDilation: 1,
      maxMacs: 5000,
      // The Winograd magnitude widens the zero padding (Winograd kernels pad with zeros only).
      paddingModes: ['zeros'],
    }),
  ])('the Winograd magnitude is at least the direct one, and equals it for F(1, 1)', (c) => {
    const ops = materializeConvCase(c, 'float64');
    const direct = magnitudeConv(c.problem, ops.input, ops.weight, ops.bias);
    const model = winogradModel(4, c.problem.kernelSize);
    const widened = magnitudeWinograd(c.problem, ops.input, ops.weight, ops.bias, model);
    direct.forEach((v, i) => {
      expect(widened[i]!).toBeGreaterThanOrEqual(v * (1 - 1e-12));
    });
    const identity = {
      kind: 'winograd' as const,
      m: 1,
      axes: c.problem.kernelSize.map(() => identityAxisBound()),
    };
    if (c.problem.kernelSize.every((k) => k === 1)) {
      expect(magnitudeWinograd(c.problem, ops.input, ops.weight, ops.bias, identity)).toEqual(
        direct,
      );
    }
    expect(convGeometry(c.problem).outputLength).toBe(widened.length);
  });
});

describe('ulpOf', () => {
  it('is the spacing of the dtype at the value', () => {
    expect(ulpOf(1, 'float32')).toBe(2 ** -23);
    expect(ulpOf(1.75, 'float32')).toBe(2 ** -23);
    expect(ulpOf(0, 'float32')).toBe(2 ** -149);
    expect(ulpOf(1, 'float64')).toBe(2 ** -52);
    expect(ulpOf(2 - 2 ** -52, 'float64')).toBe(2 ** -52);
    expect(ulpOf(-4, 'float64')).toBe(2 ** -50);
  });
});
