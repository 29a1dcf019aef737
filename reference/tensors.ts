/** Small tensor utilities shared by the oracle and the kernels. */
import { show } from './errors.ts';
import { volume } from './formulas.ts';

/**
 * Throws a TypeError naming the tensor, its length and the expected shape when
 * `data.length` is not the volume of `shape`.
 *
 * @example
 * ```ts
 * checkTensorLength('weight', w, [8, 3, 5, 5], problem);
 * ```
 */
export function checkTensorLength(
  name: string,
  data: ArrayLike<number>,
  shape: readonly number[],
  problem?: unknown,
): void {
  const expected = volume(shape);
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
    throw new TypeError(`${name}: expected an array of ${expected} numbers, got ${show(data)}`);
  }
  if (data.length !== expected) {
    throw new TypeError(
      `${name}: length ${data.length} does not match shape [${shape.join(', ')}] ` +
        `(${expected} elements)${problem === undefined ? '' : ` for ${show(problem)}`}`,
    );
  }
}
