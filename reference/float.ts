/**
 * Floating-point facts every error bound uses, defined once: the unit roundoff
 * u of a dtype, Higham's γ_k, and bitwise equality of typed arrays. A leaf
 * module: it imports nothing from the project.
 */

/** The float dtypes kernels compute in (the same union as problem.ts's DType). */
export type FloatDType = 'float32' | 'float64';

/**
 * The unit roundoff u of a dtype: 2^−24 for float32, 2^−53 for float64
 * (round to nearest: |fl(x) − x| ≤ u·|x| in the normal range).
 *
 * @example
 * ```ts
 * unitRoundoff('float32'); // 2 ** -24
 * ```
 */
export function unitRoundoff(dtype: FloatDType): number {
  return dtype === 'float32' ? 2 ** -24 : 2 ** -53;
}

/**
 * γ_k = k·u / (1 − k·u) (Higham, Accuracy and Stability of Numerical
 * Algorithms, Lemma 3.1): the bound on a product of k factors (1 + δ), |δ| ≤ u.
 * Throws a RangeError when k·u ≥ 1, where the bound means nothing.
 *
 * @example
 * ```ts
 * gamma(3, unitRoundoff('float64')); // ≈ 3 · 2^−53
 * ```
 */
export function gamma(k: number, u: number): number {
  const ku = k * u;
  if (ku >= 1) throw new RangeError(`gamma: k·u = ${ku} must be below 1`);
  return ku / (1 - ku);
}

/**
 * Whether two typed arrays hold the same bytes and are of the same type: NaN
 * payloads and the sign of zero count, unlike `===` or `Object.is` on values.
 *
 * @example
 * ```ts
 * sameBits(new Float32Array([-0]), new Float32Array([0])); // false
 * ```
 */
export function sameBits(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength || a.constructor !== b.constructor) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * Whether two outputs hold the same values, bit for bit except inside NaNs: the
 * sign and payload of a NaN an operation produces are not specified by IEEE 754
 * (§6.2.3), and V8 gives different ones in different JIT tiers, so two runs of
 * one kernel on one input may differ there and nowhere else. The sign of zero
 * counts. Arrays other than Float32Array/Float64Array (16-bit patterns,
 * integers) are compared by {@link sameBits}.
 *
 * @example
 * ```ts
 * sameValues(new Float32Array([NaN]), new Float32Array([-NaN])); // true
 * sameValues(new Float32Array([-0]), new Float32Array([0])); // false
 * ```
 */
export function sameValues(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const floats =
    (a instanceof Float32Array && b instanceof Float32Array) ||
    (a instanceof Float64Array && b instanceof Float64Array);
  if (!floats) return sameBits(a, b);
  if (a.length !== b.length) return false;
  // Object.is: NaN equals every NaN, -0 differs from 0, all else by value (= by bits).
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * Round half to even of a float64, as C's nearbyint and numpy's np.round: the
 * rounding ONNX's QuantizeLinear (and so QLinearConv) prescribes.
 *
 * @example
 * ```ts
 * [0.5, 1.5, 2.5, -2.5].map(roundHalfEven); // [0, 2, 2, -2]
 * ```
 */
export function roundHalfEven(v: number): number {
  const r = Math.round(v); // ties toward +∞
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
