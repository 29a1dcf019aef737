/**
 * Thrown for a problem that cannot be computed. It names the offending field and
 * its value, and carries the whole problem so a report can print every shape and
 * attribute.
 *
 * @example
 * ```ts
 * try { convGeometry(p); } catch (e) {
 *   if (e instanceof ProblemError) console.error(e.field, e.value, e.message);
 * }
 * ```
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(
    /** Dotted path of the bad field, e.g. `ConvProblem.stride[1]`. */
    readonly field: string,
    /** The value found there. */
    readonly value: unknown,
    /** What was expected, e.g. `a positive integer`. */
    readonly expected: string,
    /** The problem as given, for context. */
    readonly problem?: unknown,
  ) {
    super(
      `${field} must be ${expected}, got ${show(value)}` +
        (problem === undefined ? '' : ` in ${show(problem)}`),
    );
  }
}

/** Compact, total rendering of any value for error messages. */
export function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
