/**
 * Diagnosis by experiment: after shrinking, the kernel is re-run on variants of
 * the counterexample, each with one feature made simple (cross-correlation for
 * true convolution, dilation 1, stride 1, no or symmetric padding, groups 1, no
 * bias, batch 1, one rank lower). A feature the failure *needs* is one whose
 * simplified variant passes. Every claim comes from a run that happened.
 */
import type { ConvCase } from '../../properties/data.ts';
import { convGeometry } from '../../reference/geometry.ts';
import type { ConvProblem } from '../../reference/problem.ts';
import { type EvaluateOptions, evaluateCase, type ToleranceChoice } from './evaluate.ts';
import type { KernelHost } from './hosts/index.ts';

/** Names of the features a failure may need (the JSON's `needs`; docs/conformance.md lists them). */
export type NeedName =
  | 'mode'
  | 'dilation'
  | 'stride'
  | 'padding'
  | 'groups'
  | 'bias'
  | 'batch'
  | 'rank';

/** What simplifying one feature means, and how the console says the failure needs it. */
interface Simplification {
  need: NeedName;
  /** The same problem with the feature made simple, or undefined when it already is. */
  simplify(p: ConvProblem): ConvProblem | undefined;
  /** "true convolution", "dilation > 1", ... */
  phrase: string;
}

const everyOne = (a: readonly number[]) => a.every((v) => v === 1);
const ones = (a: readonly number[]) => a.map(() => 1);

/** The problem without padding when the input still holds the window, else with symmetric pads. */
function simplerPadding(p: ConvProblem): ConvProblem | undefined {
  const padded = p.padBegin.some((v, d) => v !== 0 || p.padEnd[d] !== 0);
  if (!padded) return undefined;
  const fits = p.inputSize.every((size, d) => size >= (p.kernelSize[d]! - 1) * p.dilation[d]! + 1);
  if (fits) return { ...p, padBegin: p.padBegin.map(() => 0), padEnd: p.padEnd.map(() => 0) };
  const symmetric = p.padBegin.map((v, d) => Math.max(v, p.padEnd[d]!));
  const asymmetric = symmetric.some((v, d) => v !== p.padBegin[d] || v !== p.padEnd[d]);
  return asymmetric ? { ...p, padBegin: symmetric, padEnd: symmetric.slice() } : undefined;
}

/** The problem without its first spatial axis (D of D×H×W, H of H×W). */
function lowerRank(p: ConvProblem): ConvProblem | undefined {
  if (p.inputSize.length < 2) return undefined;
  const drop = (a: readonly number[]) => a.slice(1);
  return {
    ...p,
    inputSize: drop(p.inputSize),
    kernelSize: drop(p.kernelSize),
    stride: drop(p.stride),
    dilation: drop(p.dilation),
    padBegin: drop(p.padBegin),
    padEnd: drop(p.padEnd),
  };
}

/** The simplifications, in the order the report lists them. */
const SIMPLIFICATIONS: readonly Simplification[] = [
  {
    need: 'mode',
    phrase: 'true convolution',
    simplify: (p) => (p.mode === 'convolution' ? { ...p, mode: 'cross-correlation' } : undefined),
  },
  {
    need: 'dilation',
    phrase: 'dilation > 1',
    simplify: (p) => (everyOne(p.dilation) ? undefined : { ...p, dilation: ones(p.dilation) }),
  },
  {
    need: 'stride',
    phrase: 'stride > 1',
    simplify: (p) => (everyOne(p.stride) ? undefined : { ...p, stride: ones(p.stride) }),
  },
  { need: 'padding', phrase: 'its padding', simplify: simplerPadding },
  {
    need: 'groups',
    phrase: 'groups > 1',
    simplify: (p) => (p.groups === 1 ? undefined : { ...p, groups: 1 }),
  },
  { need: 'bias', phrase: 'a bias', simplify: (p) => (p.bias ? { ...p, bias: false } : undefined) },
  {
    need: 'batch',
    phrase: 'batch > 1',
    simplify: (p) => (p.batch === 1 ? undefined : { ...p, batch: 1 }),
  },
  { need: 'rank', phrase: `rank ≥ 2`, simplify: lowerRank },
];

/** One re-run: the feature simplified and what the kernel's verdict was. */
export interface Experiment {
  need: NeedName;
  verdict: 'pass' | 'fail' | 'skip' | 'error';
}

/** What the experiments showed. */
export interface Diagnosis {
  experiments: Experiment[];
  /** Features whose simplified variant passed: the failure needs them. */
  needs: NeedName[];
  /** One line for the console, or '' when no experiment could run. */
  summary: string;
}

function isValid(p: ConvProblem): boolean {
  try {
    convGeometry(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Re-runs the kernel on each one-feature-simplified variant of a failing case.
 *
 * @example
 * ```ts
 * const d = await diagnose(host, failingCase, tolerance, { timeoutMs: 5000, checkDeterminism: false });
 * d.needs; // e.g. ['mode', 'dilation']
 * ```
 */
export async function diagnose(
  host: KernelHost,
  c: ConvCase,
  tolerance: ToleranceChoice,
  options: EvaluateOptions,
): Promise<Diagnosis> {
  const experiments: Experiment[] = [];
  for (const s of SIMPLIFICATIONS) {
    const problem = s.simplify(c.problem);
    if (!problem || !isValid(problem)) continue;
    const outcome = await evaluateCase(host, { ...c, problem }, tolerance, options);
    experiments.push({ need: s.need, verdict: outcome.verdict });
  }
  const needs = experiments.filter((e) => e.verdict === 'pass').map((e) => e.need);
  return { experiments, needs, summary: summaryOf(experiments, needs) };
}

function phraseOf(need: NeedName): string {
  return SIMPLIFICATIONS.find((s) => s.need === need)!.phrase;
}

function summaryOf(experiments: Experiment[], needs: NeedName[]): string {
  if (experiments.length === 0) return '';
  const stillFails = experiments.filter((e) => e.verdict === 'fail' || e.verdict === 'error');
  const other = experiments.filter((e) => e.verdict === 'skip');
  const parts: string[] = [];
  if (needs.length > 0) {
    parts.push(
      `fails only with ${needs.map(phraseOf).join(' and ')} (each simplified variant passes)`,
    );
  }
  if (stillFails.length > 0) {
    parts.push(`still fails without ${stillFails.map((e) => phraseOf(e.need)).join(', ')}`);
  }
  if (other.length > 0) {
    parts.push(`declined without ${other.map((e) => phraseOf(e.need)).join(', ')}`);
  }
  return `diagnosis (re-runs): ${parts.join('; ')}`;
}
