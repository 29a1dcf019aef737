/**
 * The precision probes: fixed cases the real-data phase runs after its
 * generated ones, for the precision profile only. Generated problems are
 * small and a failing phase stops at its first failure, so on their own they
 * rarely separate neighbouring rungs; these three do (docs/tolerance.md,
 * "Precision classes"):
 *
 * - 1152 outputs of 144-tap reductions, signed data: enough outputs for the
 *   tensor-wide variance checks (fp32 against tf32, fp16-acc32 against bf16-acc32);
 * - the same with absolute values: outputs as large as their magnitudes, where an
 *   output rounding (fp16-acc32) shows beside an operand rounding of the same width (tf32);
 * - 1024 outputs of 9217-tap reductions: where float16 accumulation (fp16-acc16) is
 *   worse than bfloat16 storage (bf16-acc32); run only when that is the open question.
 *
 * Data seeds are ≢ 3 (mod 4): the wide-range real data overflows float16.
 */
import type { ConvProblem } from '../../reference/problem.ts';
import { convProblem } from '../../reference/testing.ts';
import type { ConvCase } from '../data.ts';
import type { LadderProfile } from './ladder.ts';

/** 2-D, 16 → 8 channels, 3×3 kernel with bias: 1152 outputs, 145 roundings each. */
export const MEDIUM_PROBE: ConvProblem = convProblem({
  inputSize: [16, 16],
  kernelSize: [3, 3],
  inChannels: 16,
  outChannels: 8,
  bias: true,
});

/** 1-D, 1024 → 8 channels, 9 taps with bias: 1024 outputs, 9217 roundings each. */
export const LONG_PROBE: ConvProblem = convProblem({
  inputSize: [136],
  kernelSize: [9],
  inChannels: 1024,
  outChannels: 8,
  bias: true,
});

/** A probe case, and when it is worth running. */
export interface PrecisionProbe {
  c: ConvCase;
  /** Whether the profile so far leaves the question this probe answers open; absent: always. */
  needed?: (profile: LadderProfile) => boolean;
}

/**
 * The probes, in the order they run. The long one (9.4 M multiply-adds) runs
 * only when it can change the answer: bf16-acc32 and fp16-acc16 both still
 * hold and nothing tighter does.
 *
 * @example
 * ```ts
 * for (const probe of PRECISION_PROBES) if (probe.needed?.(ladderProfile(records)) ?? true) run(probe.c);
 * ```
 */
export const PRECISION_PROBES: readonly PrecisionProbe[] = [
  { c: { problem: MEDIUM_PROBE, data: 'real', dataSeed: 21 } },
  { c: { problem: MEDIUM_PROBE, data: 'real', dataSeed: 22, absolute: true } },
  {
    c: { problem: LONG_PROBE, data: 'real', dataSeed: 24 },
    needed: (p) =>
      (p.tightest === 'bf16-acc32' || p.tightest === 'fp16-acc16') &&
      p.meets.includes('bf16-acc32') &&
      p.meets.includes('fp16-acc16'),
  },
];
