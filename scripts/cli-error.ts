/**
 * Errors that stop the CLI before any kernel runs (bad arguments, missing or
 * malformed files). They print as one line and exit with code 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit code when the harness itself could not run. */
export const EXIT_USAGE = 2;
