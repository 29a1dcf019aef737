import { describe, expect, it } from 'vitest';
import { referenceConv } from './conv.ts';
import {
  ACTIVATION_LAYOUTS,
  activationAxisNames,
  coordsInLayout,
  layoutsOf,
  operandsInLayout,
  outputFromLayout,
  outputInLayout,
  transpose,
  WEIGHT_LAYOUTS,
  type WeightLayout,
} from './layout.ts';
import type { ConvProblem } from './problem.ts';
import { convProblem, integerData } from './testing.ts';

/** Every index tuple of `shape`, row-major. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const total = shape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < total; flat++) {
    const index = new Array<number>(shape.length);
    let rest = flat;
    for (let a = shape.length - 1; a >= 0; a--) {
      index[a] = rest % shape[a]!;
      rest = Math.floor(rest / shape[a]!);
    }
    yield index;
  }
}

/** Row-major offset of `index` in `shape`. */
function offset(index: readonly number[], shape: readonly number[]): number {
  return index.reduce((o, v, a) => o * shape[a]! + v, 0);
}

/** Distinct values, so a misplaced element cannot go unnoticed. */
function iota(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => i + 1);
}

/**
 * Where the weight element [o, i, ...k] sits in `layout`, spelled out per layout
 * (independently of weightAxes) as the frameworks document them.
 */
function weightIndexIn(layout: WeightLayout, [o, i, ...k]: number[]): number[] {
  switch (layout) {
    case 'oihw':
      return [o!, i!, ...k];
    case 'ohwi':
      return [o!, ...k, i!];
    case 'hwio':
      return [...k, i!, o!];
    case 'ihwo':
      return [i!, ...k, o!];
  }
}

function shapeIn(layout: WeightLayout, canonical: number[]): number[] {
  return weightIndexIn(layout, canonical);
}

const problems: ConvProblem[] = [
  convProblem({ inputSize: [5], kernelSize: [2], batch: 2, inChannels: 3, outChannels: 4 }),
  convProblem({ inputSize: [4, 5], kernelSize: [2, 3], batch: 2, inChannels: 3, outChannels: 2 }),
  convProblem({
    inputSize: [3, 4, 2],
    kernelSize: [2, 1, 2],
    inChannels: 4,
    outChannels: 2,
    groups: 2,
  }),
];

describe('transpose', () => {
  it('transposes a matrix', () => {
    expect([...transpose(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], [1, 0])]).toEqual([
      1, 4, 2, 5, 3, 6,
    ]);
  });

  it('keeps the array type and moves every element to its permuted index', () => {
    const shape = [2, 3, 4, 5];
    const axes = [2, 0, 3, 1];
    const data = Float32Array.from(iota(120));
    const moved = transpose(data, shape, axes);
    expect(moved).toBeInstanceOf(Float32Array);
    const outShape = axes.map((a) => shape[a]!);
    for (const index of indices(shape)) {
      const target = axes.map((a) => index[a]!);
      expect(moved[offset(target, outShape)]).toBe(data[offset(index, shape)]);
    }
  });
});

describe.each(problems)('layouts of a $inputSize.length-D problem', (p) => {
  const rank = p.inputSize.length;
  const cig = p.inChannels / p.groups;
  const inputShape = [p.batch, p.inChannels, ...p.inputSize];
  const weightShape = [p.outChannels, cig, ...p.kernelSize];
  const x = iota(inputShape.reduce((a, b) => a * b));
  const w = iota(weightShape.reduce((a, b) => a * b));

  it('nhwc puts channels last, element by element', () => {
    const { input } = operandsInLayout(
      p,
      { input: x, weight: w, bias: undefined },
      layoutsOf({
        layout: 'nhwc',
      }),
    );
    const stored = [p.batch, ...p.inputSize, p.inChannels];
    for (const [n, c, ...s] of indices(inputShape)) {
      expect(input[offset([n!, ...s, c!], stored)]).toBe(x[offset([n!, c!, ...s], inputShape)]);
    }
  });

  it.each(WEIGHT_LAYOUTS)('weight layout %s stores each element where the frameworks say', (l) => {
    const { weight, input } = operandsInLayout(
      p,
      { input: x, weight: w, bias: undefined },
      layoutsOf({ weightLayout: l }),
    );
    expect(input).toBe(x);
    const stored = shapeIn(l, weightShape);
    for (const index of indices(weightShape)) {
      expect(weight[offset(weightIndexIn(l, index), stored)]).toBe(w[offset(index, weightShape)]);
    }
  });

  it.each(ACTIVATION_LAYOUTS)('the output in %s comes back to NCHW unchanged', (layout) => {
    const y = referenceConv(p, x, w);
    const written = outputInLayout(p, y, layout);
    expect(outputFromLayout(p, written, layout)).toEqual(y);
    if (layout === 'nchw') expect(written).toBe(y);
    else expect(written).not.toEqual(y);
  });

  it('names the axes in layout order', () => {
    const spatial = ['d', 'h', 'w'].slice(3 - rank).join(', ');
    expect(activationAxisNames(rank, 'nchw')).toBe(`n, c, ${spatial}`);
    expect(activationAxisNames(rank, 'nhwc')).toBe(`n, ${spatial}, c`);
  });
});

describe('outputFromLayout', () => {
  const p = problems[1]!;
  it('returns what it cannot transpose unchanged, for the judge to refuse', () => {
    const short = new Float32Array(3);
    expect(outputFromLayout(p, short, 'nhwc')).toBe(short);
    expect(outputFromLayout(p, [1, 2], 'nhwc')).toEqual([1, 2]);
  });
});

describe('coordsInLayout', () => {
  it('moves the channel last and gives the flat index in that order', () => {
    const shape = [1, 4, 5, 6];
    const { coords, index } = coordsInLayout([0, 2, 1, 3], shape, 'nhwc');
    expect(coords).toEqual([0, 1, 3, 2]);
    expect(index).toBe(offset([0, 1, 3, 2], [1, 5, 6, 4]));
    expect(coordsInLayout([0, 2, 1, 3], shape, 'nchw')).toEqual({
      coords: [0, 2, 1, 3],
      index: offset([0, 2, 1, 3], shape),
    });
  });
});

describe('a kernel computing natively in NHWC / HWIO', () => {
  /** A direct 2-D cross-correlation written in TF's index order, no padding. */
  function nhwcHwioConv(p: ConvProblem, x: Float64Array, w: Float64Array): Float64Array {
    const [H, W] = p.inputSize as [number, number];
    const [KH, KW] = p.kernelSize as [number, number];
    const [OH, OW] = [H - KH + 1, W - KW + 1];
    const [C, O] = [p.inChannels, p.outChannels];
    const y = new Float64Array(p.batch * OH * OW * O);
    for (let n = 0; n < p.batch; n++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++)
          for (let o = 0; o < O; o++) {
            let sum = 0;
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++)
                for (let c = 0; c < C; c++) {
                  const xv = x[((n * H + oh + kh) * W + ow + kw) * C + c]!;
                  sum += xv * w[((kh * KW + kw) * C + c) * O + o]!;
                }
            y[((n * OH + oh) * OW + ow) * O + o] = sum;
          }
    return y;
  }

  it('agrees with the oracle once operands go in and the output comes out', () => {
    const p = problems[1]!;
    const x = Float64Array.from(integerData(2 * 3 * 4 * 5, 1));
    const w = Float64Array.from(integerData(2 * 3 * 2 * 3, 2));
    const layouts = layoutsOf({ layout: 'nhwc', weightLayout: 'hwio' });
    const k = operandsInLayout(p, { input: x, weight: w, bias: undefined }, layouts);
    const y = outputFromLayout(p, nhwcHwioConv(p, k.input, k.weight), 'nhwc');
    expect(y).toEqual(referenceConv(p, x, w));
    // Read as OHWI instead (a classic adapter bug), the same kernel disagrees.
    const wrong = operandsInLayout(
      p,
      { input: x, weight: w, bias: undefined },
      {
        layout: 'nhwc',
        weightLayout: 'ohwi',
      },
    );
    const bad = outputFromLayout(p, nhwcHwioConv(p, wrong.input, wrong.weight), 'nhwc');
    expect(bad).not.toEqual(referenceConv(p, x, w));
  });
});
