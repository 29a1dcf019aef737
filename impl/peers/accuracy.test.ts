import { describe, expect, it } from 'vitest';
import { convGeometry, referenceConv } from '../../reference/index.ts';
import { compareWithTolerance, float32DirectTolerance, oracleOutput } from './accuracy.ts';
import { peerData, peerProblem } from './test-problems.ts';

const p = peerProblem({ batch: 1, inChannels: 3, outChannels: 2, inputSize: [5, 5] });
const g = convGeometry(p);
const { input, weight, bias } = peerData(p, 'uniform', 9);
const oracle = oracleOutput(p, input, weight, bias);
const tolerance = (m: number) => float32DirectTolerance(g, m);

describe('float32 direct-sum tolerance', () => {
  it('is γ_{n+1}·bnd to first order: (n + 1)·2^-24 per unit of magnitude', () => {
    const n = g.reductionLength;
    const perUnit = float32DirectTolerance(g, 1);
    expect(perUnit).toBeGreaterThan((n + 1) * 2 ** -24);
    expect(perUnit).toBeLessThan((n + 1) * 2 ** -24 * 1.001);
  });

  it('accepts the oracle rounded to float32 and a float32 sequential sum', () => {
    expect(
      compareWithTolerance(Float32Array.from(oracle.expected), oracle, tolerance).failures,
    ).toBe(0);
    // Every operation rounded to float32, in the oracle's order.
    const y = referenceConv(p, input, weight, bias).map(() => 0);
    const f = Math.fround;
    const cig = g.inChannels;
    for (let oc = 0; oc < g.outChannels; oc++) {
      for (let oh = 0; oh < 5; oh++) {
        for (let ow = 0; ow < 5; ow++) {
          let acc = bias![oc]!;
          for (let c = 0; c < cig; c++) {
            for (let kh = 0; kh < 3; kh++) {
              for (let kw = 0; kw < 3; kw++) {
                const h = oh - 1 + kh;
                const w = ow - 1 + kw;
                if (h < 0 || h >= 5 || w < 0 || w >= 5) continue;
                acc = f(
                  acc +
                    f(input[(c * 5 + h) * 5 + w]! * weight[((oc * cig + c) * 3 + kh) * 3 + kw]!),
                );
              }
            }
          }
          y[(oc * 5 + oh) * 5 + ow] = acc;
        }
      }
    }
    expect(compareWithTolerance(y, oracle, tolerance).failures).toBe(0);
  });

  it('rejects an element just outside its tolerance, accepts one just inside', () => {
    const i = 12;
    const t = tolerance(oracle.magnitude[i]!);
    const inside = Float64Array.from(oracle.expected);
    inside[i]! += 0.99 * t;
    expect(compareWithTolerance(inside, oracle, tolerance).failures).toBe(0);
    const outside = Float64Array.from(oracle.expected);
    outside[i]! += 1.01 * t;
    const c = compareWithTolerance(outside, oracle, tolerance);
    expect(c.failures).toBe(1);
    expect(c.first?.index).toBe(i);
  });

  it('catches a missing bias and a missing tap', () => {
    const noBias = referenceConv({ ...p, bias: false }, input, weight);
    expect(compareWithTolerance(noBias, oracle, tolerance).failures).toBeGreaterThan(0);
    const w = weight.slice();
    w[4] = 0; // drop the centre tap of the first kernel
    const missingTap = referenceConv(p, input, w, bias);
    expect(compareWithTolerance(missingTap, oracle, tolerance).failures).toBeGreaterThan(0);
  });

  it('requires NaN for a NaN oracle and the same infinity for an infinite one', () => {
    const nanOracle = {
      expected: Float64Array.of(Number.NaN, Number.POSITIVE_INFINITY),
      magnitude: Float64Array.of(1, 1),
    };
    expect(
      compareWithTolerance([Number.NaN, Number.POSITIVE_INFINITY], nanOracle, tolerance).failures,
    ).toBe(0);
    expect(compareWithTolerance([0, Number.NEGATIVE_INFINITY], nanOracle, tolerance).failures).toBe(
      2,
    );
    expect(
      compareWithTolerance([Number.NaN], oracleOutput(p, input, weight, bias), tolerance).failures,
    ).toBe(oracle.expected.length);
  });
});
