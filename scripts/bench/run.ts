/**
 * The benchmark loop: per shape, one oracle run (timed: it is the reference
 * cell) and one magnitude run, then per implementation a checked first run, and
 * then the timed runs of all implementations of the shape, interleaved in rounds
 * (timing.ts says why).
 */

import {
  compareWithTolerance,
  float32DirectTolerance,
  magnitudeOf,
  type OracleOutput,
  type ToleranceCheck,
} from '../../impl/peers/accuracy.ts';
import { isUnavailable, messageOf } from '../../impl/peers/peer.ts';
import { type PeerData, peerData } from '../../impl/peers/test-problems.ts';
import { unitRoundoff } from '../../reference/float.ts';
import {
  type ConvGeometry,
  type ConvKernel,
  convGeometry,
  flops,
  referenceConv,
} from '../../reference/index.ts';
import type { BenchImpl, CheckKind, ElementBound } from './impls.ts';
import type { BenchShape } from './shapes.ts';
import { type CellTiming, type TimedCell, type TimingPlan, timeInterleaved } from './timing.ts';

/** The check of a cell's first output against the oracle. */
export interface CheckOutcome {
  ok: boolean;
  /** Elements outside the bound. */
  failures: number;
  /** Largest |error| / bound over all elements. */
  worstRatio: number;
  /** Which bound was applied. */
  bound: string;
}

interface CellKey {
  shape: string;
  impl: string;
}

/** One table cell. */
export type CellResult =
  | (CellKey & {
      status: 'measured';
      timing: CellTiming;
      gflops: number;
      check: CheckOutcome;
      note?: string;
    })
  | (CellKey & { status: 'n/a' | 'error'; reason: string });

/** What to run. */
export interface BenchRunOptions {
  shapes: readonly BenchShape[];
  impls: readonly BenchImpl[];
  plan: TimingPlan;
  /** Seed of the input data. */
  seed: number;
}

const FLOAT32_NORMAL_MIN = 2 ** -126;

/**
 * The per-element bound of an implementation kind when the implementation
 * has none of its own, as a function of the element's magnitude
 * bnd = conv(|x|, |w|, |b|):
 * - direct: the float32 direct-sum bound γ_{n+1}·bnd (impl/peers/accuracy.ts);
 * - transformed (Winograd): TOSA's fp32 dot-product bound, which TOSA applies
 *   to any CONV2D algorithm: 3·2·ksb·max(bnd·2^-24, normal_min), with
 *   ksb = n (+1 with a bias).
 */
function genericBound(kind: CheckKind, g: ConvGeometry): ElementBound {
  if (kind === 'transformed') {
    const ksb = g.reductionLength + (g.problem.bias ? 1 : 0);
    return {
      name: 'TOSA fp32: 6·ksb·max(bnd·2^-24, normal_min)',
      tolerance: (m) => 6 * ksb * Math.max(m * unitRoundoff('float32'), FLOAT32_NORMAL_MIN),
    };
  }
  return {
    name: 'float32 direct sum: γ(n+1)·bnd',
    tolerance: (m) => float32DirectTolerance(g, m),
  };
}

function checkOutput(
  bound: ElementBound,
  y: ArrayLike<number>,
  oracle: OracleOutput,
): CheckOutcome {
  const c: ToleranceCheck = compareWithTolerance(y, oracle, bound.tolerance);
  return {
    ok: c.failures === 0,
    failures: c.failures,
    worstRatio: c.worstRatio,
    bound: bound.name,
  };
}

/** A cell whose first output passed through the check and now waits to be timed. */
interface CheckedCell extends TimedCell {
  key: CellKey;
  check: CheckOutcome;
  gflop: number;
}

/** Support check and the checked first run of a cell (which counts as its first warm-up). */
async function checkCell(
  impl: BenchImpl,
  kernel: ConvKernel,
  shape: BenchShape,
  data: PeerData,
  oracle: OracleOutput,
): Promise<CheckedCell | CellResult> {
  const key = { shape: shape.id, impl: impl.id };
  const p = shape.problem;
  const supported = kernel.supports?.(p) ?? true;
  if (supported !== true) return { ...key, status: 'n/a', reason: supported };
  const g = convGeometry(p);
  const run = () => kernel.conv(p, data.input, data.weight, data.bias);
  try {
    const t0 = performance.now();
    const y = await run();
    const bound = (await impl.errorBound?.(p, data, oracle)) ?? genericBound(impl.check, g);
    const check = checkOutput(bound, y, oracle);
    return { key, run, elapsedMs: performance.now() - t0, check, gflop: flops(g) / 1e9 };
  } catch (error) {
    return { ...key, status: 'error', reason: messageOf(error) };
  }
}

/** Times the checked cells of one shape together (interleaved) and returns their results. */
async function timeCells(cells: readonly CheckedCell[], plan: TimingPlan): Promise<CellResult[]> {
  // The checked first run was the first warm-up.
  const warmups = { ...plan, warmups: Math.max(0, plan.warmups - 1) };
  const outcomes = await timeInterleaved(cells, warmups);
  return cells.map((cell, i): CellResult => {
    const outcome = outcomes[i]!;
    if ('error' in outcome) {
      return { ...cell.key, status: 'error', reason: messageOf(outcome.error) };
    }
    const timing: CellTiming = outcome;
    const gflops = cell.gflop / (timing.medianMs / 1e3);
    return { ...cell.key, status: 'measured', timing, gflops, check: cell.check };
  });
}

function isChecked(cell: CheckedCell | CellResult): cell is CheckedCell {
  return 'run' in cell;
}

/** The reference cell: timed on the single oracle run the shape needs anyway. */
function oracleCell(shape: BenchShape, impl: BenchImpl, oracleMs: number): CellResult {
  const timing = { runs: 1, medianMs: oracleMs, minMs: oracleMs, maxMs: oracleMs };
  return {
    shape: shape.id,
    impl: impl.id,
    status: 'measured',
    timing,
    gflops: flops(convGeometry(shape.problem)) / oracleMs / 1e6,
    check: { ok: true, failures: 0, worstRatio: 0, bound: 'is the oracle' },
    note: 'one run (the oracle run), no warm-up',
  };
}

/**
 * Runs every selected cell; `progress` receives one line per step (for stderr).
 *
 * @example
 * ```ts
 * const cells = await runBench({ shapes, impls, plan, seed: 1 }, (l) => process.stderr.write(`${l}\n`));
 * ```
 */
export async function runBench(
  options: BenchRunOptions,
  progress: (line: string) => void,
): Promise<CellResult[]> {
  const kernels = new Map<string, ConvKernel | string>();
  for (const impl of options.impls) {
    progress(`loading ${impl.id}…`);
    const load = await impl.load();
    kernels.set(impl.id, isUnavailable(load) ? load.unavailable : load);
  }
  const results: CellResult[] = [];
  const total = options.shapes.length * options.impls.length;
  let done = 0;
  for (const shape of options.shapes) {
    const p = shape.problem;
    const data = peerData(p, 'uniform', options.seed);
    progress(`shape ${shape.id}: oracle run (referenceConv, float64)…`);
    const t0 = performance.now();
    const expected = referenceConv(p, data.input, data.weight, data.bias);
    const oracleMs = performance.now() - t0;
    progress(`shape ${shape.id}: magnitude run (referenceConv on |x|, |w|)…`);
    const oracle = { expected, magnitude: magnitudeOf(p, data.input, data.weight, data.bias) };
    const shapeCells: (CheckedCell | CellResult)[] = [];
    for (const impl of options.impls) {
      progress(`[${++done}/${total}] shape ${shape.id} × ${impl.id}: checked first run`);
      const kernel = kernels.get(impl.id)!;
      if (impl.check === 'oracle') {
        shapeCells.push(oracleCell(shape, impl, oracleMs));
      } else if (typeof kernel === 'string') {
        shapeCells.push({ shape: shape.id, impl: impl.id, status: 'n/a', reason: kernel });
      } else {
        shapeCells.push(await checkCell(impl, kernel, shape, data, oracle));
      }
    }
    const checked = shapeCells.filter(isChecked);
    progress(`shape ${shape.id}: timing ${checked.map((c) => c.key.impl).join(', ')} in rounds…`);
    const timedResults = await timeCells(checked, options.plan);
    for (const cell of shapeCells) {
      results.push(isChecked(cell) ? timedResults[checked.indexOf(cell)]! : cell);
    }
  }
  return results;
}
