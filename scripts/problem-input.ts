/**
 * Reads a problem given on the command line: a descriptor such as
 * `xcorr:ic3oc8_ih32iw32_kh5kw5`, or the JSON of a ConvProblem or PoolProblem.
 */
import {
  type ConvProblem,
  type ParsedDescriptor,
  type PoolProblem,
  parseDescriptor,
} from '../reference/index.ts';
import { UsageError } from './cli-error.ts';
import { parseJsonInput } from './read-input.ts';

/**
 * Parses a descriptor or problem JSON.
 *
 * @example
 * ```ts
 * readProblem('xcorr:ic3oc8_ih32iw32_kh5kw5').kind; // 'conv'
 * readProblem('{"op":"maxpool", ...}').kind;          // 'pool'
 * ```
 */
export function readProblem(text: string): ParsedDescriptor {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return parseDescriptor(trimmed);
  const value = parseJsonInput(trimmed, { what: 'problem (not a descriptor, so JSON)' });
  if (typeof value !== 'object' || value === null) {
    throw new UsageError(`problem: expected a JSON object, got ${trimmed}`);
  }
  return 'op' in value
    ? { kind: 'pool', problem: value as PoolProblem }
    : { kind: 'conv', problem: value as ConvProblem };
}
