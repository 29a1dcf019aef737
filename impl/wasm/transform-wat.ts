/**
 * The WebAssembly text of the Winograd tile transforms (`npm run build` assembles it
 * into impl/wasm/transforms.wasm, like gemm.wat into gemm.wasm). Generated, not
 * hand-written: the coefficients are the exactly derived doubles of impl/winograd
 * (`winogradTransforms(m, r).BTf` / `ATf`, through the same `sparseRows` as the JS
 * transforms), printed as hexadecimal floats so that they read back as the same bits.
 *
 * Float model: each output is the JS transform's sum (separable.ts, `compileSeparable`)
 * term for term — the same nonzeros, the same order, float64 arithmetic (`f64x2`), the
 * `+ addend` last, rounded to float32 once by `f32x4.demote_f64x2_zero` (round to
 * nearest even, like the store into a Float32Array). So the bits are those of the JS
 * transforms. Two lanes per `f64x2`: two tiles (input transform) or two output channels
 * (output transform); float32 lanes would change the roundings.
 */
import { type SparseRows, sparseRows } from '../winograd/separable.ts';
import { winogradTransforms } from '../winograd/transforms.ts';
import { copyFunctions, touchFunction } from './memory-wat.ts';

/** The F(m×m, r×r) tile transforms that transforms.wasm holds (default points). */
export const wasmTransformSizes: readonly { m: number; r: number }[] = [
  { m: 2, r: 3 },
  { m: 4, r: 3 },
];

/**
 * The export-name suffix of F(m×m, r×r)'s transforms.
 *
 * @example
 * ```ts
 * transformKey(4, 3); // 'f4r3': exports input_f4r3 and output_f4r3
 * ```
 */
export function transformKey(m: number, r: number): string {
  return `f${m}r${r}`;
}

/**
 * A double as a WAT hexadecimal float literal, exactly (no decimal rounding).
 *
 * @example
 * ```ts
 * hexFloat(-0.5); // '-0x1.0000000000000p-1'
 * ```
 */
export function hexFloat(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`hexFloat: ${value} is not finite`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const sign = high >>> 31 ? '-' : '';
  const biased = (high >>> 20) & 0x7ff;
  const mantissa = ((high & 0xfffff).toString(16).padStart(5, '0') +
    low.toString(16).padStart(8, '0')) as string;
  if (biased === 0) return `${sign}0x0.${mantissa}p-1022`;
  return `${sign}0x1.${mantissa}p${biased - 1023}`;
}

/** A two-lane float64 constant. */
function splat(value: number): string {
  const text = hexFloat(value);
  return `(v128.const f64x2 ${text} ${text})`;
}

/** `c·x` with the multiply by ±1 left out, as the JS transform's `term` does. */
function product(magnitude: number, operand: string): string {
  return magnitude === 1 ? operand : `(f64x2.mul ${splat(magnitude)} ${operand})`;
}

/**
 * Row `row` of `matrix` applied to operands, as one f64x2 expression: the first term
 * negated when its coefficient is (JS `-c * x`: the same bits as `(-c)·x`), each next
 * one added or subtracted, left to right. No row of the transforms generated here is
 * empty (Bᵀ and Aᵀ have full row rank): an empty one would print nothing, leaving an
 * instruction short of an operand, and `npm run build` would fail to validate the module
 * rather than assemble a wrong transform.
 */
function sumExpression(matrix: SparseRows, row: number, operand: (column: number) => string) {
  let text = '';
  for (let p = matrix.rowStart[row]!; p < matrix.rowStart[row + 1]!; p++) {
    const coefficient = matrix.value[p]!;
    const term = product(Math.abs(coefficient), operand(matrix.column[p]!));
    if (text === '') text = coefficient < 0 ? `(f64x2.neg ${term})` : term;
    else text = `(f64x2.${coefficient < 0 ? 'sub' : 'add'} ${text} ${term})`;
  }
  return text;
}

/** Local declarations and the two stages of Out = L · X · Rᵀ + addend, as `(local.set …)`s. */
function separableStages(
  left: SparseRows,
  right: SparseRows,
  load: (k: number, c: number) => string,
  addend: string,
): { locals: string[]; body: string[]; out: (i: number, j: number) => string } {
  const locals: string[] = [];
  const body: string[] = [];
  const used = new Set<string>();
  for (let p = 0; p < left.column.length; p++) {
    for (let c = 0; c < right.cols; c++) used.add(`${left.column[p]}_${c}`);
  }
  for (const key of [...used].sort()) {
    const [k, c] = key.split('_').map(Number) as [number, number];
    locals.push(`(local $x${key} v128)`);
    body.push(`(local.set $x${key} ${load(k, c)})`);
  }
  for (let i = 0; i < left.rows; i++) {
    for (let c = 0; c < right.cols; c++) {
      locals.push(`(local $t${i}_${c} v128)`);
      body.push(
        `(local.set $t${i}_${c} ${sumExpression(left, i, (k) => `(local.get $x${k}_${c})`)})`,
      );
    }
  }
  const out = (i: number, j: number) =>
    `(f32x4.demote_f64x2_zero (f64x2.add ${sumExpression(right, j, (c) => `(local.get $t${i}_${c})`)} ${addend}))`;
  return { locals, body, out };
}

/**
 * V = Bᵀ d B for the input tiles of a block, two tiles per f64x2. Tile t's top-left
 * input (channel 0 of the group) is at the byte address in the int32 `$tiles[t]`, plus
 * `$base`; channel ci `ci·$cs` bytes further; rows `$rs` bytes apart. `$tiles` holds a
 * multiple of 4 entries (lanes past the block's tiles repeat a valid tile: their V is
 * never used). V[ξν] at `$v + ξν·$vs`, tile t of channel ci in lane t mod 4 of panel
 * ⌊t/4⌋, each panel k-major over `$cig` channels (16 bytes per channel).
 */
function inputFunction(key: string, left: SparseRows, right: SparseRows): string {
  const alphaW = right.rows;
  const load = (k: number, c: number) =>
    `(f64x2.promote_low_f32x4 (v128.load32_lane offset=${4 * c} 1 (local.get $rb${k}) (v128.load32_zero offset=${4 * c} (local.get $ra${k}))))`;
  const { locals, body, out } = separableStages(left, right, load, splat(0));
  const rows = [...new Set(Array.from(left.column))].sort((a, b) => a - b);
  const rowLocals = rows.map((k) => `(local $ra${k} i32) (local $rb${k} i32)`);
  const rowSets = rows.map(
    (k) =>
      `(local.set $ra${k} (i32.add (local.get $a) (i32.mul (local.get $rs) (i32.const ${k}))))
       (local.set $rb${k} (i32.add (local.get $b) (i32.mul (local.get $rs) (i32.const ${k}))))`,
  );
  const stores: string[] = [];
  for (let i = 0; i < left.rows; i++) {
    for (let j = 0; j < right.rows; j++) {
      stores.push(`(v128.store64_lane 0 (local.get $o) ${out(i, j)})`);
      if (i * alphaW + j < left.rows * alphaW - 1) {
        stores.push('(local.set $o (i32.add (local.get $o) (local.get $vs)))');
      }
    }
  }
  return `
  (func (export "input_${key}") (param $tiles i32) (param $count i32) (param $base i32)
      (param $rs i32) (param $cs i32) (param $cig i32) (param $v i32) (param $vs i32)
    (local $t i32) (local $ci i32) (local $a i32) (local $b i32) (local $o i32) (local $panel i32)
    ${rowLocals.join(' ')}
    ${locals.join(' ')}
    (block $tilesDone (loop $tileLoop
      (br_if $tilesDone (i32.ge_u (local.get $t) (local.get $count)))
      ;; Lanes t, t + 1 of panel t/4: 16*cig bytes per panel, 8 bytes per pair.
      (local.set $panel (i32.add (local.get $v) (i32.add
        (i32.mul (i32.shr_u (local.get $t) (i32.const 2)) (i32.shl (local.get $cig) (i32.const 4)))
        (i32.shl (i32.and (local.get $t) (i32.const 2)) (i32.const 2)))))
      (local.set $a (i32.add (local.get $base) (i32.load (i32.add (local.get $tiles) (i32.shl (local.get $t) (i32.const 2))))))
      (local.set $b (i32.add (local.get $base) (i32.load offset=4 (i32.add (local.get $tiles) (i32.shl (local.get $t) (i32.const 2))))))
      (local.set $ci (i32.const 0))
      (block $channelsDone (loop $channelLoop
        (br_if $channelsDone (i32.ge_u (local.get $ci) (local.get $cig)))
        ${rowSets.join('\n        ')}
        ${body.join('\n        ')}
        (local.set $o (i32.add (local.get $panel) (i32.shl (local.get $ci) (i32.const 4))))
        ${stores.join('\n        ')}
        (local.set $a (i32.add (local.get $a) (local.get $cs)))
        (local.set $b (i32.add (local.get $b) (local.get $cs)))
        (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
        (br $channelLoop)))
      (local.set $t (i32.add (local.get $t) (i32.const 2)))
      (br $tileLoop)))
  )`;
}

/**
 * y = Aᵀ M A + bias for `$count` tiles and `$channels` output channels, two channels per
 * f64x2. M[ξν] of (channel c, tile t) at `$m + ξν·$ms + c·$mcs + t·$mts`; the bias of
 * channel c is the float32 at `$bias + 4c`; tile t's output (channel 0 of the block)
 * at `$base + $tiles[t]`, channel c `c·$ocs` bytes further, rows `$ors` bytes apart.
 * An odd last channel runs in both lanes and stores one.
 */
function outputFunction(key: string, left: SparseRows, right: SparseRows): string {
  const alphaW = right.cols;
  // M's entries in ξν order: the pointers step one matrix at a time.
  const loadExpression = (k: number, c: number) => {
    const xi = k * alphaW + c;
    return `(f64x2.promote_low_f32x4 (v128.load32_lane 1 (i32.add (local.get $pb) (i32.mul (local.get $ms) (i32.const ${xi}))) (v128.load32_zero (i32.add (local.get $pa) (i32.mul (local.get $ms) (i32.const ${xi}))))))`;
  };
  const { locals, body, out } = separableStages(left, right, loadExpression, '(local.get $addend)');
  const stores = (lane: 0 | 1, base: string) => {
    const lines: string[] = [];
    for (let i = 0; i < left.rows; i++) {
      lines.push(
        `(local.set $row (i32.add (local.get ${base}) (i32.mul (local.get $ors) (i32.const ${i}))))`,
      );
      for (let j = 0; j < right.rows; j++) {
        lines.push(
          `(v128.store32_lane offset=${4 * j} ${lane} (local.get $row) (local.get $y${i}_${j}))`,
        );
      }
    }
    return lines.join('\n          ');
  };
  const results: string[] = [];
  const resultLocals: string[] = [];
  for (let i = 0; i < left.rows; i++) {
    for (let j = 0; j < right.rows; j++) {
      resultLocals.push(`(local $y${i}_${j} v128)`);
      results.push(`(local.set $y${i}_${j} ${out(i, j)})`);
    }
  }
  return `
  (func (export "output_${key}") (param $m i32) (param $ms i32) (param $mcs i32) (param $mts i32)
      (param $channels i32) (param $count i32) (param $tiles i32) (param $base i32)
      (param $ocs i32) (param $ors i32) (param $bias i32)
    (local $c i32) (local $t i32) (local $pair i32) (local $second i32) (local $addend v128)
    (local $pa i32) (local $pb i32) (local $oa i32) (local $ob i32) (local $row i32)
    ${locals.join(' ')}
    ${resultLocals.join(' ')}
    (block $channelsDone (loop $channelLoop
      (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $channels)))
      (local.set $pair (i32.lt_u (i32.add (local.get $c) (i32.const 1)) (local.get $channels)))
      ;; The second lane's channel: c + 1, or c again for an odd last channel.
      (local.set $second (i32.add (local.get $c) (local.get $pair)))
      (local.set $addend (f64x2.promote_low_f32x4
        (v128.load32_lane 1 (i32.add (local.get $bias) (i32.shl (local.get $second) (i32.const 2)))
          (v128.load32_zero (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2)))))))
      (local.set $t (i32.const 0))
      (block $tilesDone (loop $tileLoop
        (br_if $tilesDone (i32.ge_u (local.get $t) (local.get $count)))
        (local.set $pa (i32.add (local.get $m) (i32.add (i32.mul (local.get $c) (local.get $mcs)) (i32.mul (local.get $t) (local.get $mts)))))
        (local.set $pb (i32.add (local.get $pa) (i32.mul (local.get $pair) (local.get $mcs))))
        ${body.join('\n        ')}
        ${results.join('\n        ')}
        (local.set $oa (i32.add (i32.add (local.get $base) (i32.load (i32.add (local.get $tiles) (i32.shl (local.get $t) (i32.const 2)))))
          (i32.mul (local.get $c) (local.get $ocs))))
        ${stores(0, '$oa')}
        (if (local.get $pair) (then
          (local.set $ob (i32.add (local.get $oa) (local.get $ocs)))
          ${stores(1, '$ob')}))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tileLoop)))
      (local.set $c (i32.add (local.get $c) (i32.const 2)))
      (br $channelLoop)))
  )`;
}

/**
 * The whole transforms.wat: the copy and touch helpers and, per {@link wasmTransformSizes}, the input
 * and output transforms of F(m×m, r×r), on the shared memory of the GEMM.
 *
 * @example
 * ```ts
 * const wat = transformsWat(); // assembled by scripts/build.mjs
 * ```
 */
export function transformsWat(): string {
  const functions = wasmTransformSizes.map(({ m, r }) => {
    const t = winogradTransforms(m, r);
    const bt = sparseRows(t.BTf, t.alpha, t.alpha);
    const at = sparseRows(t.ATf, t.m, t.alpha);
    const key = transformKey(m, r);
    return inputFunction(key, bt, bt) + outputFunction(key, at, at);
  });
  return `;; Generated by impl/wasm/transform-wat.ts (npm run build); do not edit.
(module
  (import "env" "memory" (memory 1 16384 shared))
${copyFunctions}
${touchFunction}
${functions.join('\n')}
)
`;
}
