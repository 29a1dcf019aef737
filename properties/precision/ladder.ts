/**
 * The whole precision ladder — the five compute-precision classes of models.ts
 * and the two Winograd models — judged on one case, and the profile of a
 * phase: which rungs held on every case, the tightest of them and the
 * effective significand bits. The judge (properties/judge/judge.ts) calls
 * {@link judgeLadder} once per case; the runner adds the records up with
 * {@link ladderProfile}. Derivations: docs/tolerance.md, "Precision classes".
 */
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import type { ConvOperands } from '../data.ts';
import { compareConvOutput, magnitudeFor } from '../tolerance.ts';
import { winogradModel } from '../winogradModel.ts';
import { bitsFromSums, errorSums, judgePrecision, type PrecisionCase } from './judge.ts';
import {
  PRECISION_MODEL_NAMES,
  type PrecisionBoundConstraints,
  type PrecisionModelName,
  precisionBound,
} from './models.ts';

/** The Winograd rungs: the tile sizes of the built-in Winograd kernels. */
export const WINOGRAD_RUNGS = { 'winograd-f2': 2, 'winograd-f4': 4 } as const;

/** A rung of the ladder: a precision class or a Winograd model. */
export type LadderName = PrecisionModelName | keyof typeof WINOGRAD_RUNGS;

/** Every rung, in the order a report lists them before sorting by looseness. */
export const LADDER_NAMES: readonly LadderName[] = [
  'fp32',
  'winograd-f2',
  'winograd-f4',
  ...PRECISION_MODEL_NAMES.filter((n) => n !== 'fp32'),
];

/** One rung's verdict on one case. */
export interface RungVerdict {
  model: LadderName;
  pass: boolean;
  /** Why it failed, in one line. */
  reason?: string;
  /**
   * The bound per unit of dot-product magnitude Σ|x·w| + |b| (c of models.ts; for a
   * Winograd rung ksb·u·Σmag_winograd/Σmag): how loose the rung was on this case.
   */
  coefficient: number;
}

/** What one case says about the ladder: every rung's verdict and the sums of the bits estimate. */
export interface CaseLadder {
  rungs: RungVerdict[];
  /** Σd² and Σ(Σ(x·w)² + b²) (properties/precision/judge.ts errorSums). */
  errors: number;
  scale: number;
}

function winogradRung(
  c: PrecisionCase,
  operands: ConvOperands,
  name: keyof typeof WINOGRAD_RUNGS,
): RungVerdict {
  const model = winogradModel(WINOGRAD_RUNGS[name], c.problem.kernelSize);
  const magnitude = magnitudeFor(c.problem, operands, model, 'float32');
  const comparison = compareConvOutput({
    problem: c.problem,
    got: c.got,
    reference: c.reference,
    magnitude,
    dtype: 'float32',
    model,
  });
  const p = comparison.parameters;
  let widened = 0;
  let plain = 0;
  for (let i = 0; i < magnitude.length; i++) {
    if (!Number.isFinite(magnitude[i]!) || !Number.isFinite(c.magnitude[i]!)) continue;
    widened += magnitude[i]!;
    plain += c.magnitude[i]!;
  }
  const rung: RungVerdict = {
    model: name,
    pass: comparison.verdict === 'pass',
    coefficient: p.ksb * p.unitRoundoff * (plain === 0 ? 1 : widened / plain),
  };
  if (comparison.reason !== undefined) rung.reason = comparison.reason;
  return rung;
}

/**
 * Judges one float32 case under every rung of the ladder. Off a Winograd
 * model's domain (stride or dilation ≠ 1, another kernel size) its rung is
 * judged as a dot product, as compareConvOutput does.
 *
 * @example
 * ```ts
 * const record = judgeLadder({ problem, got, ...precisionOracle(problem, x, w, b) }, { input: x, weight: w, bias: b });
 * record.rungs.find((r) => r.model === 'tf32')?.pass;
 * ```
 */
export function judgeLadder(
  c: PrecisionCase,
  operands: ConvOperands,
  constraints: PrecisionBoundConstraints = {},
): CaseLadder {
  const rungs = PRECISION_MODEL_NAMES.map((name): RungVerdict => {
    const v = judgePrecision(c, precisionBound(c.problem, name, constraints));
    const rung: RungVerdict = { model: name, pass: v.pass, coefficient: v.coefficient };
    if (v.reason !== undefined) rung.reason = v.reason;
    return rung;
  });
  // A 16-bit storage kernel is not a Winograd candidate: its operands are stored already.
  // Nor is a problem padded otherwise than with zeros: the Winograd magnitude widens the
  // zero padding, as the transforms do, and a Winograd kernel declines the other modes.
  if (!constraints.operandsStored && zeroPaddingOnly(c.problem) === true) {
    for (const name of Object.keys(WINOGRAD_RUNGS) as (keyof typeof WINOGRAD_RUNGS)[]) {
      rungs.push(winogradRung(c, operands, name));
    }
  }
  const { errors, scale } = errorSums(c);
  return { rungs, errors, scale };
}

/** The rungs whose arithmetic is float32 throughout (a Winograd kernel's transforms included). */
const FLOAT32_RUNGS: ReadonlySet<LadderName> = new Set(['fp32', 'winograd-f2', 'winograd-f4']);

/**
 * Effective significand bits from which a kernel is taken to compute in float32:
 * halfway between what TF32 and float16 operands give (≈ 11) and float32 (≈ 24).
 */
export const FLOAT32_EVIDENCE_BITS = 17;

/** One rung over a phase. */
export interface RungSummary {
  model: LadderName;
  /** It held on every case. */
  meets: boolean;
  failedCases: number;
  firstReason?: string;
  /** Σ over cases of the rung's coefficient: smaller is tighter. */
  looseness: number;
}

/** The precision profile of a kernel over one phase. */
export interface LadderProfile {
  /** Cases the profile was computed from. */
  cases: number;
  /** Rungs that held on every case, tightest first. */
  meets: LadderName[];
  /** The rung that held with the smallest bound, or 'none'. */
  tightest: LadderName | 'none';
  /** Effective significand bits (docs/tolerance.md); absent when no output was judged. */
  effectiveBits?: number;
  rungs: RungSummary[];
}

/**
 * Adds up the case records of a phase. The tightest rung is the one that held
 * with the smallest bound actually applied (the sum of its coefficients), not
 * a fixed order: fp16-acc16 is tighter than bf16-acc32 below 24 taps and looser
 * above. One exception: a kernel with at least {@link FLOAT32_EVIDENCE_BITS}
 * effective bits computes in float32, so the float32 rungs it meets (fp32, then
 * the Winograd models) are named before any reduced-precision class.
 *
 * @example
 * ```ts
 * const profile = ladderProfile(records);
 * `meets ${profile.meets.join(', ') || 'none'}; tightest ${profile.tightest}`;
 * ```
 */
export function ladderProfile(cases: readonly CaseLadder[]): LadderProfile {
  const summaries = new Map<LadderName, RungSummary>();
  let errors = 0;
  let scale = 0;
  for (const c of cases) {
    errors += c.errors;
    scale += c.scale;
    for (const r of c.rungs) {
      const s = summaries.get(r.model) ?? {
        model: r.model,
        meets: true,
        failedCases: 0,
        looseness: 0,
      };
      s.looseness += r.coefficient;
      if (!r.pass) {
        s.meets = false;
        s.failedCases++;
        s.firstReason ??= r.reason;
      }
      summaries.set(r.model, s);
    }
  }
  const rungs = LADDER_NAMES.flatMap((n) => summaries.get(n) ?? []);
  const bits = bitsFromSums(errors, scale);
  // A Winograd bound over 16 channels is as loose as TF32's: which of the two a kernel
  // is, the error distribution says. With float32-like effective bits, the float32
  // rungs come first; otherwise every rung is ranked by its bound alone.
  const float32Evidence = bits !== undefined && bits >= FLOAT32_EVIDENCE_BITS;
  const rank = (s: RungSummary) => (float32Evidence && FLOAT32_RUNGS.has(s.model) ? 0 : 1);
  const meets = rungs
    .filter((s) => s.meets)
    .sort((a, b) => rank(a) - rank(b) || a.looseness - b.looseness)
    .map((s) => s.model);
  const profile: LadderProfile = {
    cases: cases.length,
    meets: cases.length === 0 ? [] : meets,
    tightest: cases.length === 0 ? 'none' : (meets[0] ?? 'none'),
    rungs,
  };
  if (bits !== undefined) profile.effectiveBits = bits;
  return profile;
}

/**
 * The profile in one line, e.g. `precision: tightest tf32 (meets tf32, fp16-acc32, …); ≈ 11.2 effective bits over 150 cases`.
 *
 * @example
 * ```ts
 * profileLine(ladderProfile(records));
 * ```
 */
export function profileLine(p: LadderProfile): string {
  const bits =
    p.effectiveBits === undefined
      ? ''
      : `; ≈ ${p.effectiveBits.toFixed(1)} effective significand bits`;
  const meets = p.meets.length > 0 ? p.meets.join(', ') : 'no model';
  return `precision: tightest ${p.tightest} (meets ${meets})${bits} over ${p.cases} case${p.cases === 1 ? '' : 's'}`;
}
