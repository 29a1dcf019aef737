import { describe, expect, it } from 'vitest';
import { type ConvProblem, convGeometry } from '../reference/index.ts';
import { uniformTensor } from './data.ts';
import { classifyMismatch } from './patterns.ts';

/** Output [1, 3, 6, 7]: input 8×9, kernel 3×3, no padding. */
const p: ConvProblem = {
  mode: 'cross-correlation',
  batch: 1,
  inChannels: 2,
  outChannels: 3,
  groups: 1,
  inputSize: [8, 9],
  kernelSize: [3, 3],
  stride: [1, 1],
  dilation: [1, 1],
  padBegin: [0, 0],
  padEnd: [0, 0],
  bias: false,
};
const [C, H, W] = [3, 6, 7];
const reference = uniformTensor(C * H * W, 1).map((v) => v + 2);

function classify(problem: ConvProblem, ref: Float64Array, got: Float64Array) {
  const failing = Uint8Array.from(got, (v, i) => (v === ref[i] ? 0 : 1));
  return classifyMismatch({ problem, reference: ref, got, failing });
}

function corrupt(where: (c: number, h: number, w: number) => boolean): Float64Array {
  return reference.map((v, i) =>
    where(Math.floor(i / (H * W)), Math.floor(i / W) % H, i % W) ? v + 1 + i : v,
  );
}

describe('classifyMismatch', () => {
  it("'layout': the oracle with H and W swapped", () => {
    const got = reference.map((_, i) => {
      const [c, s] = [Math.floor(i / (H * W)), i % (H * W)];
      // got is stored [C, W, H]: its element s holds ref[c, s % H, ⌊s / H⌋].
      return reference[c * H * W + (s % H) * W + Math.floor(s / H)]!;
    });
    expect(classify(p, reference, got).kind).toBe('layout');
  });

  it("'layout': the oracle stored channels-last", () => {
    const got = reference.map((_, i) => reference[(i % C) * H * W + Math.floor(i / C)]!);
    expect(classify(p, reference, got)).toMatchObject({
      kind: 'layout',
      detail: expect.stringMatching(/channels-last/),
    });
  });

  it("'padding': the oracle shifted by one column (pads swapped)", () => {
    const got = reference.map((_, i) => (i % W === W - 1 ? 0 : reference[i + 1]!));
    expect(classify(p, reference, got)).toMatchObject({
      kind: 'padding',
      detail: expect.stringMatching(/shifted by \[0, 1\]/),
    });
  });

  it("'padding': only outputs whose window reaches into the padding", () => {
    const padded = { ...p, inputSize: [6, 7], padBegin: [1, 1], padEnd: [1, 1] };
    expect(convGeometry(padded).outputSize).toEqual([H, W]);
    const got = corrupt((_c, h, w) => h === 0 || w === W - 1);
    expect(classify(padded, reference, got)).toMatchObject({
      kind: 'padding',
      detail: expect.stringMatching(/touches the padding/),
    });
  });

  it("'tile-remainder': only the last partial tile of 4 along W", () => {
    const got = corrupt((_c, _h, w) => w >= 4);
    expect(classify(p, reference, got)).toMatchObject({
      kind: 'tile-remainder',
      detail: expect.stringMatching(/tile of 4 along W/),
    });
  });

  it("'tile-remainder': wrong outputs that repeat with the tile period", () => {
    const wider = { ...p, inputSize: [8, 10] };
    const ref = uniformTensor(C * H * 8, 2);
    const got = ref.map((v, i) => (i % 8 === 3 || i % 8 === 7 ? v + 1 : v));
    expect(classify(wider, ref, got)).toMatchObject({
      kind: 'tile-remainder',
      detail: expect.stringMatching(/period 4 along W/),
    });
  });

  it("'channel-mapping': only one output channel, or whole groups", () => {
    expect(
      classify(
        p,
        reference,
        corrupt((c) => c === 1),
      ).kind,
    ).toBe('channel-mapping');
    const grouped = { ...p, inChannels: 4, outChannels: 4, groups: 2 };
    const ref = uniformTensor(4 * H * W, 3);
    const got = ref.map((v, i) => (Math.floor(i / (H * W)) >= 2 ? v + 1 : v));
    expect(classify(grouped, ref, got)).toMatchObject({
      kind: 'channel-mapping',
      detail: expect.stringMatching(/groups 1 of 2/),
    });
  });

  it("'semantics': everything wrong, and a per-channel constant offset named as a bias problem", () => {
    const scrambled = reference.map((v, i) => v * ((i % 5) + 2));
    expect(classify(p, reference, scrambled).kind).toBe('semantics');
    const offset = reference.map((v, i) => v - [0.5, -0.25, 2][Math.floor(i / (H * W))]!);
    expect(classify({ ...p, bias: true }, reference, offset)).toMatchObject({
      kind: 'semantics',
      detail: expect.stringMatching(/bias dropped/),
    });
  });

  it('never names a bias on a problem without one', () => {
    const offset = reference.map((v, i) => v - [0.5, -0.25, 2][Math.floor(i / (H * W))]!);
    const pattern = classify(p, reference, offset);
    expect(pattern.kind).toBe('semantics');
    expect(pattern.detail).not.toMatch(/bias/);
    // Nor stride, dilation or groups, which this problem does not have.
    expect(pattern.detail).not.toMatch(/stride|dilation|groups/);
  });

  it("'precision': errors a tiny fraction of the magnitude, whatever their layout", () => {
    // TF32-like: every output off by about 2^-12 of its magnitude.
    const magnitude = reference.map((v) => Math.abs(v) * 3);
    const got = reference.map((v, i) => v * (1 + 2 ** -12 * ((i % 3) - 1)));
    const failing = Uint8Array.from(got, (v, i) => (v === reference[i] ? 0 : 1));
    const pattern = classifyMismatch({ problem: p, reference, got, failing, magnitude });
    expect(pattern).toMatchObject({ kind: 'precision', detail: expect.stringMatching(/Σ\|x·w\|/) });
    // A semantics error is far larger than that: not precision.
    const wrong = reference.map((v) => v * 1.5);
    const all = new Uint8Array(reference.length).fill(1);
    expect(
      classifyMismatch({ problem: p, reference, got: wrong, failing: all, magnitude }).kind,
    ).not.toBe('precision');
  });

  it("'unclassified': a few scattered errors", () => {
    const got = corrupt(
      (c, h, w) =>
        (c === 0 && h === 2 && w === 1) ||
        (c === 1 && h === 3 && w === 2) ||
        (c === 2 && h === 1 && w === 3),
    );
    expect(classify(p, reference, got).kind).toBe('unclassified');
  });
});

describe('no wrong hint on tiny counterexamples', () => {
  /** A problem with `outputs` outputs: 1×1 spatial output, one output channel each. */
  const tiny = (outputs: number, bias: boolean): ConvProblem => ({
    ...p,
    inChannels: 1,
    outChannels: outputs,
    inputSize: [3, 3],
    bias,
  });

  it.each([1, 2, 4])('%i output(s): rounding is precision, never layout or bias', (n) => {
    const problem = tiny(n, true);
    const ref = Float64Array.from({ length: n }, (_, i) => 1 + i / 7);
    const magnitude = ref.map((v) => 4 * v);
    const got = ref.map((v) => v * (1 + 2 ** -13));
    const failing = new Uint8Array(n).fill(1);
    const pattern = classifyMismatch({ problem, reference: ref, got, failing, magnitude });
    expect(pattern.kind).toBe('precision');
  });

  it.each([1, 2, 4])('%i output(s): a constant offset without a bias names no bias', (n) => {
    const problem = tiny(n, false);
    const ref = Float64Array.from({ length: n }, (_, i) => 1 + i / 7);
    const got = ref.map((v) => v + 0.5);
    const pattern = classify(problem, ref, got);
    expect(pattern.detail).not.toMatch(/bias|swapped|shifted|channels-last/);
  });

  it.each([1, 2])('%i output(s): too few outputs for any location hint', (n) => {
    const problem = tiny(n, true);
    const ref = Float64Array.from({ length: n }, (_, i) => 1 + i / 7);
    expect(
      classify(
        problem,
        ref,
        ref.map((v) => v + 0.5),
      ),
    ).toMatchObject({
      kind: 'unclassified',
      detail: expect.stringMatching(/too few outputs/),
    });
  });

  it('no axis-swap hint when swapping the oracle changes nothing (a 2×2 symmetric output)', () => {
    const square = { ...p, inChannels: 1, outChannels: 1, inputSize: [4, 4] };
    expect(convGeometry({ ...square, kernelSize: [3, 3] }).outputSize).toEqual([2, 2]);
    const ref = Float64Array.from([1, 2, 2, 3]); // symmetric: ref[h][w] = ref[w][h]
    const got = Float64Array.from([1, 2, 2, 5]);
    expect(classify(square, ref, got).kind).not.toBe('layout');
    // A real transpose of an asymmetric output is still named.
    const asym = Float64Array.from([1, 2, 3, 4]);
    expect(classify(square, asym, Float64Array.from([1, 3, 2, 4])).kind).toBe('layout');
  });
});
