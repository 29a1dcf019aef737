/**
 * Exact-arithmetic oracle with mathjs Fractions (BigInt rationals). It computes
 * the same definition as {@link referenceConv} with no rounding at all, so it can
 * certify the float64 oracle on small problems.
 */
import type { Fraction } from 'mathjs';
import { convGeometry, lift3 } from './geometry.ts';
import { mathjs as mathOf } from './mathjs.ts';
import { paddedIndex } from './padding-mode.ts';
import type { ConvProblem } from './problem.ts';

/**
 * The exact rational value of a finite double, built from its mantissa and
 * exponent (`math.fraction(number)` approximates by continued fractions).
 *
 * @example
 * ```ts
 * exactFraction(0.1).toFraction(); // '3602879701896397/36028797018963968'
 * ```
 */
export function exactFraction(value: number): Fraction {
  if (!Number.isFinite(value)) {
    throw new RangeError(`exactFraction: value must be finite, got ${value}`);
  }
  const math = mathOf();
  if (value === 0) return math.fraction(0n, 1n);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // Subnormals have no implicit leading one and the minimum exponent.
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  const result =
    exponent >= 0
      ? math.fraction(sign * mantissa * (1n << BigInt(exponent)), 1n)
      : math.fraction(sign * mantissa, 1n << BigInt(-exponent));
  if (math.typeOf(result) !== 'Fraction')
    throw new Error('exactFraction: mathjs returned a non-Fraction');
  return result;
}

/**
 * The double nearest to a fraction (round half to even), computed with BigInt so
 * that large numerators and denominators are not rounded twice.
 *
 * @example
 * ```ts
 * fractionToNumber(exactFraction(0.1)); // 0.1
 * ```
 */
export function fractionToNumber(f: Fraction): number {
  const n = f.n;
  const d = f.d;
  if (n === 0n) return 0;
  // q·2^e0 approximates n/d with at least 64 significant bits; r marks a remainder.
  const e0 = bitLength(n) - bitLength(d) - 64;
  const scaledN = e0 <= 0 ? n << BigInt(-e0) : n;
  const scaledD = e0 <= 0 ? d : d << BigInt(e0);
  const q = scaledN / scaledD;
  const inexact = scaledN % scaledD !== 0n;
  // Exponent of the last kept bit: 53 significant bits, or the subnormal grid.
  const top = bitLength(q) - 1 + e0;
  const lsb = Math.max(top - 52, -1074);
  const shift = BigInt(lsb - e0);
  let m = q >> shift;
  const rest = q - (m << shift);
  const half = 1n << (shift - 1n);
  if (rest > half || (rest === half && (inexact || (m & 1n) === 1n))) m += 1n;
  const value = Number(m) * 2 ** lsb;
  return f.s < 0n ? -value : value;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/**
 * Exact convolution or cross-correlation: every output as a Fraction.
 * Intended for small problems; the cost is that of the direct definition with
 * big-rational arithmetic. Inputs must be finite.
 *
 * @example
 * ```ts
 * const exact = exactConv(p, x, w, b).map(fractionToNumber);
 * ```
 */
export function exactConv(
  problem: ConvProblem,
  input: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias?: ArrayLike<number>,
): Fraction[] {
  const g = convGeometry(problem);
  const xs = Array.from(input, exactFraction);
  const ws = Array.from(weight, exactFraction);
  const bs = bias ? Array.from(bias, exactFraction) : undefined;
  const [ID, IH, IW] = lift3(g.inputSize, 1);
  const [KD, KH, KW] = lift3(g.kernelSize, 1);
  const [OD, OH, OW] = lift3(g.outputSize, 1);
  const [SD, SH, SW] = lift3(g.stride, 1);
  const [DD, DH, DW] = lift3(g.dilation, 1);
  const [PD, PH, PW] = lift3(g.padBegin, 0);
  const cig = g.inChannelsPerGroup;
  const mode = g.problem.paddingMode ?? 'zeros';
  const math = mathOf();
  const zero = math.fraction(0n, 1n);
  const out: Fraction[] = [];
  for (let n = 0; n < g.batch; n++) {
    for (let oc = 0; oc < g.outChannels; oc++) {
      const group = Math.floor(oc / g.outChannelsPerGroup);
      for (let od = 0; od < OD; od++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            let acc = bs ? bs[oc]! : zero;
            for (let ci = 0; ci < cig; ci++) {
              for (let kd = 0; kd < KD; kd++) {
                for (let kh = 0; kh < KH; kh++) {
                  for (let kw = 0; kw < KW; kw++) {
                    const d = paddedIndex(mode, od * SD - PD + kd * DD, ID);
                    const h = paddedIndex(mode, oh * SH - PH + kh * DH, IH);
                    const w = paddedIndex(mode, ow * SW - PW + kw * DW, IW);
                    if (d < 0 || h < 0 || w < 0) continue;
                    const c = group * cig + ci;
                    const xv = xs[(((n * g.inChannels + c) * ID + d) * IH + h) * IW + w]!;
                    const [fd, fh, fw] = g.flipKernel
                      ? [KD - 1 - kd, KH - 1 - kh, KW - 1 - kw]
                      : [kd, kh, kw];
                    const wv = ws[(((oc * cig + ci) * KD + fd) * KH + fh) * KW + fw]!;
                    acc = math.add(acc, math.multiply(xv, wv)) as Fraction;
                  }
                }
              }
            }
            out.push(acc);
          }
        }
      }
    }
  }
  return out;
}
