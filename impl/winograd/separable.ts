/**
 * The tile transforms of nested Winograd, Out = L · In · Rᵀ, in the generic
 * matrix form: L and R are the exact transforms (as doubles) stored by rows with
 * their zeros dropped, so a row costs only its nonzeros. Arithmetic is in
 * float64; the dtype's rounding happens once, when the result is stored: by the
 * store itself into a Float32Array, or by Math.fround into the float64 packed
 * buffer of a float32 kernel (`roundToFloat32`).
 */
import type { FloatArray } from '../../reference/index.ts';
import type { PackedBuffer } from '../gemm/index.ts';

/** Where a transform writes: a typed array, or the micro-kernel's packed buffer. */
export type TransformTarget = FloatArray | PackedBuffer;

/** A row-major matrix stored as its nonzeros, row by row (CSR). */
export interface SparseRows {
  rows: number;
  cols: number;
  /** Row i's nonzeros are entries rowStart[i] … rowStart[i+1] − 1. */
  rowStart: Int32Array;
  /** Column of each nonzero. */
  column: Int32Array;
  /** Value of each nonzero. */
  value: Float64Array;
}

/**
 * Compresses a dense row-major matrix to its nonzeros.
 *
 * @example
 * ```ts
 * sparseRows(Float64Array.of(1, 0, 0, 2), 2, 2).column; // Int32Array [0, 1]
 * ```
 */
export function sparseRows(dense: Float64Array, rows: number, cols: number): SparseRows {
  const rowStart = new Int32Array(rows + 1);
  const column: number[] = [];
  const value: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = dense[i * cols + j]!;
      if (v !== 0) {
        column.push(j);
        value.push(v);
      }
    }
    rowStart[i + 1] = column.length;
  }
  return { rows, cols, rowStart, column: Int32Array.from(column), value: Float64Array.from(value) };
}

/**
 * Where 2-D blocks live in a flat array: the first at `offset`, with row and column
 * strides, and block b of a batch at `offset + b·step`.
 */
export interface BlockLayout {
  offset: number;
  rowStride: number;
  colStride: number;
  step: number;
}

/**
 * Out = L · In · Rᵀ for an In of L.cols × R.cols, giving L.rows × R.rows. One
 * instance owns its scratch row buffer, so it is reused across calls without
 * allocation.
 *
 * @example
 * ```ts
 * const t = new SeparableTransform(sparseRows(BTf, 4, 4), sparseRows(BTf, 4, 4), false);
 * const from = { offset: 0, rowStride: 8, colStride: 1, step: 4 };
 * const to = { offset: 0, rowStride: 4, colStride: 1, step: 16 };
 * t.apply(x, from, v, to, 0, 2); // two 4×4 blocks side by side
 * ```
 */
export class SeparableTransform {
  readonly left: SparseRows;
  readonly right: SparseRows;
  /** Round every result to float32 before storing it (for a float64 target). */
  readonly roundToFloat32: boolean;
  private readonly partial: Float64Array;

  constructor(left: SparseRows, right: SparseRows, roundToFloat32: boolean) {
    this.left = left;
    this.right = right;
    this.roundToFloat32 = roundToFloat32;
    this.partial = new Float64Array(left.rows * right.cols);
  }

  /**
   * Writes L · In · Rᵀ + addend for `count` blocks (the addend is added to every entry,
   * after the products).
   */
  apply(
    input: FloatArray,
    from: BlockLayout,
    output: TransformTarget,
    to: BlockLayout,
    addend: number,
    count: number,
  ): void {
    for (let b = 0; b < count; b++) {
      this.applyOne(
        input,
        from.offset + b * from.step,
        from,
        output,
        to.offset + b * to.step,
        to,
        addend,
      );
    }
  }

  private applyOne(
    input: FloatArray,
    inOffset: number,
    from: BlockLayout,
    output: TransformTarget,
    outOffset: number,
    to: BlockLayout,
    addend: number,
  ): void {
    const { left, right, partial } = this;
    const inner = right.cols;
    // partial = L · In: row i of L combines rows of In.
    for (let i = 0; i < left.rows; i++) {
      const start = left.rowStart[i]!;
      const end = left.rowStart[i + 1]!;
      for (let c = 0; c < inner; c++) {
        const base = inOffset + c * from.colStride;
        let sum = 0;
        for (let p = start; p < end; p++) {
          sum += left.value[p]! * input[base + left.column[p]! * from.rowStride]!;
        }
        partial[i * inner + c] = sum;
      }
    }
    // Out = partial · Rᵀ: entry (i, j) is row i of partial dotted with row j of R.
    for (let i = 0; i < left.rows; i++) {
      const rowBase = i * inner;
      const outRow = outOffset + i * to.rowStride;
      for (let j = 0; j < right.rows; j++) {
        const end = right.rowStart[j + 1]!;
        let sum = 0;
        for (let p = right.rowStart[j]!; p < end; p++) {
          sum += right.value[p]! * partial[rowBase + right.column[p]!]!;
        }
        // The addend (bias) comes last so that it is rounded once, with the result.
        const value = sum + addend;
        output[outRow + j * to.colStride] = this.roundToFloat32 ? Math.fround(value) : value;
      }
    }
  }
}

/** Signature shared by {@link SeparableTransform.apply} and compiled transforms. */
export type SeparableApply = (
  input: FloatArray,
  from: BlockLayout,
  output: TransformTarget,
  to: BlockLayout,
  addend: number,
  count: number,
) => void;

/** `c·x` as source text, with the multiply by ±1 (exact either way) left out. */
function term(coefficient: number, operand: string, first: boolean): string {
  const sign = coefficient < 0 ? '-' : '+';
  const magnitude = Math.abs(coefficient);
  const product = magnitude === 1 ? operand : `${magnitude} * ${operand}`;
  if (first) return coefficient < 0 ? `-${product}` : product;
  return ` ${sign} ${product}`;
}

function sumText(matrix: SparseRows, row: number, operand: (column: number) => string): string {
  let text = '';
  for (let p = matrix.rowStart[row]!; p < matrix.rowStart[row + 1]!; p++) {
    text += term(matrix.value[p]!, operand(matrix.column[p]!), text === '');
  }
  return text === '' ? '0' : text;
}

/**
 * Compiles L · In · Rᵀ + addend, over `count` blocks, into a loop of straight-line
 * code: the same nonzeros, the
 * same summation order and so the same results as {@link SeparableTransform}, with
 * the loops and the index arithmetic unrolled away. The source is generated only
 * from the matrices' numbers (each printed so it reads back as the same double).
 *
 * @example
 * ```ts
 * const apply = compileSeparable(sparseRows(BTf, 6, 6), sparseRows(BTf, 6, 6), false);
 * apply(x, from, v, to, 0, 1);
 * ```
 */
export function compileSeparable(
  left: SparseRows,
  right: SparseRows,
  roundToFloat32: boolean,
): SeparableApply {
  const store = roundToFloat32 ? (sum: string) => `Math.fround(${sum})` : (sum: string) => sum;
  const lines: string[] = [
    'const rs = from.rowStride, cs = from.colStride, is = from.step;',
    'const ors = to.rowStride, ocs = to.colStride, os = to.step;',
    // The loop over blocks is in the generated code, so a batch costs one call.
    'for (let b = 0, o = from.offset, p = to.offset; b < count; b++, o += is, p += os) {',
  ];
  const used = new Set<string>();
  for (let p = 0; p < left.column.length; p++) {
    for (let c = 0; c < right.cols; c++) used.add(`${left.column[p]}_${c}`);
  }
  for (const key of [...used].sort()) {
    const [k, c] = key.split('_').map(Number) as [number, number];
    lines.push(`const x${key} = input[o + ${k} * rs + ${c} * cs];`);
  }
  for (let i = 0; i < left.rows; i++) {
    for (let c = 0; c < right.cols; c++) {
      lines.push(`const t${i}_${c} = ${sumText(left, i, (k) => `x${k}_${c}`)};`);
    }
  }
  for (let i = 0; i < left.rows; i++) {
    for (let j = 0; j < right.rows; j++) {
      const sum = sumText(right, j, (c) => `t${i}_${c}`);
      lines.push(`output[p + ${i} * ors + ${j} * ocs] = ${store(`(${sum}) + addend`)};`);
    }
  }
  lines.push('}');
  return new Function(
    'input',
    'from',
    'output',
    'to',
    'addend',
    'count',
    lines.join('\n'),
  ) as SeparableApply;
}
