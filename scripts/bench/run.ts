/**
 * The benchmark loop: per shape, one oracle run (timed: it is the reference
 * cell) and one magnitude run, then per implementation a checked first run and
 * timed runs.
 */

import {
  type Comparison,
  compareWithTolerance,
  float32DirectTolerance,
  magnitudeOf,
  type OracleOutput,
} from '../../impl/peers/accuracy.ts';
import { isUnavailable, messageOf } from '../../impl/peers/peer.ts';
import { type PeerData, peerData } from '../../impl/peers/test-problems.ts';
import {
  type ConvGeometry,
  type ConvKernel,
  convGeometry,
  flops,
  referenceConv,
} from '../../reference/index.ts';
import type { BenchImpl, CheckKind, ElementBound } from './impls.ts';
import type { BenchShape } from './shapes.ts';
import { type CellTiming, type TimingPlan, timeRuns } from './timing.ts';

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

const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;
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
      tolerance: (m) => 6 * ksb * Math.max(m * FLOAT32_UNIT_ROUNDOFF, FLOAT32_NORMAL_MIN),
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
  const c: Comparison = compareWithTolerance(y, oracle, bound.tolerance);
  return {
    ok: c.failures === 0,
    failures: c.failures,
    worstRatio: c.worstRatio,
    bound: bound.name,
  };
}

async function measureCell(
  impl: BenchImpl,
  kernel: ConvKernel,
  shape: BenchShape,
  data: PeerData,
  oracle: OracleOutput,
  plan: TimingPlan,
): Promise<CellResult> {
  const key = { shape: shape.id, impl: impl.id };
  const p = shape.problem;
  const supported = kernel.supports?.(p) ?? true;
  if (supported !== true) return { ...key, status: 'n/a', reason: supported };
  const g = convGeometry(p);
  const run = () => kernel.conv(p, data.input, data.weight, data.bias);
  try {
    // The first run is checked and counts as the first warm-up.
    const t0 = performance.now();
    const y = await run();
    const bound = (await impl.errorBound?.(p, data, oracle)) ?? genericBound(impl.check, g);
    const check = checkOutput(bound, y, oracle);
    const firstMs = performance.now() - t0;
    const plan1 = { ...plan, warmups: Math.max(0, plan.warmups - 1) };
    const timing = await timeRuns(run, plan1, firstMs);
    return { ...key, status: 'measured', timing, gflops: flops(g) / timing.medianMs / 1e6, check };
  } catch (error) {
    return { ...key, status: 'error', reason: messageOf(error) };
  }
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
  for (const shape of options.shapes) {
    const p = shape.problem;
    const data = peerData(p, 'uniform', options.seed);
    progress(`shape ${shape.id}: oracle run (referenceConv, float64)…`);
    const t0 = performance.now();
    const expected = referenceConv(p, data.input, data.weight, data.bias);
    const oracleMs = performance.now() - t0;
    progress(`shape ${shape.id}: magnitude run (referenceConv on |x|, |w|)…`);
    const oracle = { expected, magnitude: magnitudeOf(p, data.input, data.weight, data.bias) };
    for (const impl of options.impls) {
      progress(`[${results.length + 1}/${total}] shape ${shape.id} × ${impl.id}`);
      const kernel = kernels.get(impl.id)!;
      if (impl.check === 'oracle') {
        const timing = { runs: 1, medianMs: oracleMs, minMs: oracleMs, maxMs: oracleMs };
        const gflops = flops(convGeometry(p)) / oracleMs / 1e6;
        const check = { ok: true, failures: 0, worstRatio: 0, bound: 'is the oracle' };
        const note = 'one run (the oracle run), no warm-up';
        results.push({
          shape: shape.id,
          impl: impl.id,
          status: 'measured',
          timing,
          gflops,
          check,
          note,
        });
      } else if (typeof kernel === 'string') {
        results.push({ shape: shape.id, impl: impl.id, status: 'n/a', reason: kernel });
      } else {
        results.push(await measureCell(impl, kernel, shape, data, oracle, options.plan));
      }
    }
  }
  return results;
}
