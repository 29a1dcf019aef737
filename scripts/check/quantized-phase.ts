/**
 * The phases of the quantized ops (ONNX ConvInteger, QLinearConv) in
 * `convcheck check`: the float phases' mechanism (runner.ts's checkPhase:
 * fast-check, declined cases redrawn, shrinking, --path replay; the same
 * PhaseStats, result and summary line) on quantized cases
 * (properties/quantized/), each judged by the quantized judge
 * (properties/judge/quantized.ts): ConvInteger bit for bit, QLinearConv exact
 * or the derived ±1 next to a rounding tie (docs/quantized.md), nothing looser.
 */
import fc from 'fast-check';
import { type CaseOutcome, earlyOutcome } from '../../properties/judge/judge.ts';
import { judgeQuantizedCase } from '../../properties/judge/quantized.ts';
import {
  type QuantizedCase,
  type QuantizedDataKind,
  quantizedCaseArbitrary,
} from '../../properties/quantized/case.ts';
import { materializeQuantizedCase } from '../../properties/quantized/data.ts';
import { sameBits } from '../../reference/float.ts';
import { formatOpDescriptor } from '../../reference/opDescriptor.ts';
import type { QuantizedOp } from '../../reference/quantized-kernel.ts';
import { familyConstraints, inGroupFamily } from './families.ts';
import type { QuantizedHostPart } from './hosts/index.ts';
import { phaseSeed } from './options.ts';
import { phaseResult } from './phase/result.ts';
import { PhaseStats } from './phase/stats.ts';
import { phaseSummary, skipBeforeRun } from './phase/summary.ts';
import type { CaseFailure, PhaseResult } from './results.ts';
import { CaseFailed, type CheckTarget, checkPhase, type RunOptions, recordCase } from './runner.ts';

/** The phase names of the quantized data kinds. */
export const QUANTIZED_PHASE_TITLES: Readonly<Record<QuantizedDataKind, string>> = {
  integer: 'integer data',
  ties: 'rounding-tie data',
  saturation: 'saturation data',
};

/**
 * A quantized case's descriptor (xcorrQI:…, xcorrQL:…; reference/opDescriptor.ts).
 *
 * @example
 * ```ts
 * quantizedDescriptor(c); // 'xcorrQL:mb1g1ic2oc3_iw5_kw3_sw1_dw1_pbw0_pew0_bias'
 * ```
 */
export function quantizedDescriptor(c: QuantizedCase): string {
  return formatOpDescriptor({ op: c.op, problem: c.problem });
}

/**
 * What the descriptor does not say: the operand types, the granularity of the
 * weight's quantization, the focus and the data seed.
 *
 * @example
 * ```ts
 * quantizedSignatureText(c); // 'x uint8, w int8, y uint8, per-tensor w zero point and scale, data seed 7'
 * ```
 */
export function quantizedSignatureText(c: QuantizedCase): string {
  const y = c.yType ? `, y ${c.yType}` : '';
  const params = c.op === 'conv-integer' ? 'w zero point' : 'w zero point and scale';
  const granularity = c.perChannel ? 'per-output-channel' : 'per-tensor';
  const focus = c.focus ? `, focus ${c.focus}` : '';
  return `x ${c.xType}, w ${c.wType}${y}, ${granularity} ${params}${focus}, data seed ${c.dataSeed}`;
}

/** Options of {@link evaluateQuantizedCase}. */
export interface QuantizedEvaluateOptions {
  timeoutMs: number;
  /** Run the kernel twice and require bitwise-identical outputs. */
  checkDeterminism: boolean;
}

/**
 * Runs and judges one quantized case through a host: declined (a skip), run,
 * judged; a second run that differs is an error (nondeterministic).
 *
 * @example
 * ```ts
 * const outcome = await evaluateQuantizedCase(host.quantized!, c, { timeoutMs: 5_000, checkDeterminism: false });
 * ```
 */
export async function evaluateQuantizedCase(
  host: QuantizedHostPart,
  c: QuantizedCase,
  options: QuantizedEvaluateOptions,
): Promise<CaseOutcome> {
  let supported: true | string;
  try {
    supported = await host.supports(c);
  } catch (e) {
    return earlyOutcome('error', (e as Error).message);
  }
  if (supported !== true) return earlyOutcome('skip', supported);
  // The hosts run the kernel on copies: these stay as generated, for the judge.
  const operands = materializeQuantizedCase(c);
  const run = () => host.run(c, operands, options.timeoutMs);
  const first = await run();
  if (first.kind === 'unsupported') return earlyOutcome('skip', first.reason);
  if (first.kind === 'error') return earlyOutcome('error', first.message);
  const outcome = judgeQuantizedCase({
    problem: c.problem,
    operands,
    output: first.output,
    written: first.mutatedInputs,
  });
  if (outcome.verdict !== 'pass' || !options.checkDeterminism) return outcome;
  const again = await run();
  if (again.kind !== 'output') {
    const why = again.kind === 'error' ? `failed: ${again.message}` : 'answered unsupported';
    return { ...outcome, verdict: 'error', message: `the second run (determinism check) ${why}` };
  }
  const same =
    ArrayBuffer.isView(again.output) &&
    sameBits(first.output as ArrayBufferView, again.output as ArrayBufferView);
  if (same) return outcome;
  return {
    ...outcome,
    verdict: 'error',
    message: 'nondeterministic: a second run on the same inputs gave a different result',
  };
}

/** The ranks of a quantized phase: --dims, narrowed to a built-in's domain. */
function quantizedDims(target: CheckTarget, options: RunOptions): (1 | 2 | 3)[] {
  const domain = target.tolerance.quantized?.dims;
  return domain ? options.dims.filter((d) => domain.includes(d)) : options.dims;
}

/** The generated cases of a quantized phase: the kernel's domain; --dims, --modes and --groups. */
function quantizedArbitrary(
  target: CheckTarget,
  op: QuantizedOp,
  kind: QuantizedDataKind,
  options: RunOptions,
): fc.Arbitrary<QuantizedCase> {
  const family = options.family ?? {};
  const cases = quantizedCaseArbitrary(op, {
    ...target.tolerance.quantized,
    ...familyConstraints(family),
    dims: quantizedDims(target, options),
    ...(kind === 'integer' ? {} : { focus: kind }),
  });
  return family.groups ? cases.filter((c) => inGroupFamily(family, c.problem)) : cases;
}

/**
 * Runs one quantized phase (one kernel × one op × one data kind). The failure's
 * `repro` is the caller's to fill in: the phase replay (--only, --path), the
 * one command that regenerates a quantized case, types and parameters included.
 *
 * @example
 * ```ts
 * const result = await runQuantizedPhase(target, 'qlinear-conv', 'ties', 16, options);
 * ```
 */
export async function runQuantizedPhase(
  target: CheckTarget,
  op: QuantizedOp,
  kind: QuantizedDataKind,
  phaseIndex: number,
  options: RunOptions,
): Promise<PhaseResult> {
  const started = Date.now();
  const seed = phaseSeed(options.seed, phaseIndex, options.shard.index);
  const named = {
    kernel: target.host.name,
    phase: `${op} / ${QUANTIZED_PHASE_TITLES[kind]}`,
    seed,
    op,
  };
  const stats = new PhaseStats(started);
  const host = target.host.quantized;
  if (host === undefined) {
    return skipBeforeRun(options.progress, named, stats, `the kernel does not implement ${op}`);
  }
  if (quantizedDims(target, options).length === 0) {
    const domain = target.tolerance.quantized?.dims?.join(',');
    const reason = `--dims ${options.dims.join(',')} is outside the kernel's domain (${domain}-D)`;
    return skipBeforeRun(options.progress, named, stats, reason);
  }
  const runs = Math.max(1, Math.ceil(options.runs / options.shard.count));
  options.progress.phaseStart(`${target.host.name} / ${named.phase}`, runs);
  const property = fc.asyncProperty(quantizedArbitrary(target, op, kind, options), async (c) => {
    if (stats.counting) options.progress.current?.(quantizedDescriptor(c));
    const outcome = await evaluateQuantizedCase(host, c, {
      timeoutMs: options.timeoutMs,
      checkDeterminism:
        options.determinismEvery > 0 && stats.passed % options.determinismEvery === 0,
    });
    return recordCase(stats, outcome, options.progress);
  });
  const details = await checkPhase(property, seed, runs, [], options);
  const shrunk = details.failed ? details.counterexample?.[0] : undefined;
  const failure = shrunk ? quantizedFailure(shrunk, kind, details) : undefined;
  const caught =
    details.errorInstance instanceof CaseFailed ? details.errorInstance.outcome : undefined;
  // --save-failures: the one callback says what it can save (no quantized fixtures yet).
  if (failure && caught && options.onFailure) {
    const saved = await options.onFailure(failure, caught);
    if (saved) failure.savedTo = saved;
  }
  const result = phaseResult({
    ...named,
    stats,
    requested: runs,
    failure,
    numShrinks: details.numShrinks,
    durationMs: Date.now() - started,
  });
  options.progress.phaseEnd(phaseSummary(result));
  return result;
}

/** How many values of a tensor a failure lists (a shrunk case is usually smaller). */
const LISTED_VALUES = 16;

/** The shrunk case's operands, as the kernel got them (tensors shortened past 16 values). */
function operandsText(c: QuantizedCase): string {
  const list = (v: number | ArrayLike<number>) => {
    if (typeof v === 'number') return String(v);
    const head = Array.from(v).slice(0, LISTED_VALUES).join(', ');
    return `[${head}${v.length > LISTED_VALUES ? `, … ${v.length} values` : ''}]`;
  };
  const o = materializeQuantizedCase(c);
  const common = `x ${list(o.x)}, w ${list(o.w)}`;
  if (o.op === 'conv-integer') {
    return `operands: ${common}, xZeroPoint ${o.xZeroPoint}, wZeroPoint ${list(o.wZeroPoint)}`;
  }
  const p = o.params;
  const bias = o.bias ? `, bias ${list(o.bias)}` : '';
  return `operands: ${common}, xScale ${p.xScale}, xZeroPoint ${p.xZeroPoint}, wScale ${list(p.wScale)}, wZeroPoint ${list(p.wZeroPoint)}, yScale ${p.yScale}, yZeroPoint ${p.yZeroPoint}${bias}`;
}

/** The failure report of the shrunk quantized case (its repro is filled in by the caller). */
function quantizedFailure(
  c: QuantizedCase,
  kind: QuantizedDataKind,
  details: fc.RunDetails<[QuantizedCase]>,
): CaseFailure {
  const outcome =
    details.errorInstance instanceof CaseFailed ? details.errorInstance.outcome : undefined;
  const path = details.counterexamplePath ?? '';
  return {
    verdict: outcome?.verdict === 'fail' ? 'fail' : 'error',
    descriptor: quantizedDescriptor(c),
    op: c.op,
    problem: c.problem,
    data: kind,
    dataSeed: c.dataSeed,
    seed: details.seed,
    path,
    message: outcome?.message ?? String(details.errorInstance),
    details: [
      `fast-check: { seed: ${details.seed}, path: "${path}", endOnFailure: true } (shrunk ${details.numShrinks} times)`,
      `case: ${quantizedSignatureText(c)}`,
      operandsText(c),
      `problem: ${JSON.stringify(c.problem)}`,
      outcome?.details ?? '',
    ]
      .filter((s) => s !== '')
      .join('\n'),
    repro: '',
  };
}
