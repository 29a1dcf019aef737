/**
 * PyTorch (float64, CPU) against the direct-definition oracle, through the
 * subprocess protocol (scripts/clients/torch_client.py behind the command
 * host): exactly on integer data, within two float64 dot-product roundings on
 * uniform data. Without torch every test here is skipped and says why.
 *
 * It lives in scripts/ because it needs the command host (properties/ may not
 * import scripts/).
 *
 * CONVCHECK_TORCH_PYTHON names another Python (default /usr/bin/python3, where
 * Debian's python3-torch installs).
 */

import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConvOracle,
  type CrossCheckCase,
  crossCheckCaseArbitrary,
  crossCheckOperands,
  firstMismatch,
  modeSwapped,
  roundedToFloat32,
} from '../../properties/crosscheck/compare.ts';
import { referenceConv } from '../../reference/conv.ts';
import { gamma, unitRoundoff } from '../../reference/float.ts';
import type { ConvProblem } from '../../reference/problem.ts';
import { convProblem } from '../../reference/testing.ts';
import { type KernelHost, openCommandHost } from './hosts/index.ts';

const PYTHON = process.env.CONVCHECK_TORCH_PYTHON ?? '/usr/bin/python3';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const U = unitRoundoff('float64');
/** Cases per property: each is a round trip to Python (a few ms). */
const RUNS = 60;

/** The smallest problem: the probe that tells whether the client has torch. */
const PROBE: ConvProblem = convProblem({ inputSize: [1], kernelSize: [1] });

/**
 * Starts the torch client and asks it one tiny case. Returns why torch cannot
 * be used (Python does not start, or the client answers 'unsupported: torch
 * not installed'), or undefined when it can; throws when the client errs. Probing through the client itself costs a single
 * `import torch`.
 */
async function startTorch(): Promise<string | undefined> {
  try {
    host = await openCommandHost(`${PYTHON} scripts/clients/torch_client.py`, {
      dtype: 'float64',
      cwd: ROOT,
      name: 'torch-float64',
    });
  } catch (e) {
    return `${PYTHON} scripts/clients/torch_client.py did not start: ${(e as Error).message}`;
  }
  const probe = await host.run(PROBE, Float64Array.of(2), Float64Array.of(3), undefined, 120_000);
  if (probe.kind === 'unsupported') return `the torch client declines: ${probe.reason}`;
  // A client that has torch but fails is a failure, not a reason to skip.
  if (probe.kind === 'error')
    throw new Error(`the torch client failed its probe: ${probe.message}`);
  return undefined;
}

let unavailable: string | undefined = 'not started';
let host: KernelHost | undefined;

async function torchConv(
  p: ConvProblem,
  x: Float64Array,
  w: Float64Array,
  b?: Float64Array,
): Promise<Float64Array> {
  const outcome = await host!.run(p, x, w, b, 30_000);
  if (outcome.kind !== 'output') {
    throw new Error(`torch client: ${outcome.kind === 'error' ? outcome.message : outcome.reason}`);
  }
  return Float64Array.from(outcome.output);
}

/**
 * undefined when `oracle` and torch agree on the case. Integer data: exactly
 * (every partial sum is an integer below 2^53, so any order is exact).
 * Uniform data: both compute the same dot product of n = Cin/g·ΠK (+1 bias)
 * terms in float64, in their own orders (torch: im2col + GEMM, maybe FMA),
 * each within γ_n·Σ|x·w| of the exact value (Higham §3.1); so they are within
 * 2·γ_n·mag of each other, mag = Σ|x·w| + |b| computed in float64 (itself a
 * sum of nonnegative terms, so at most γ_n below the true one: divided by 1 − γ_n).
 */
async function disagreement(
  oracle: ConvOracle,
  c: CrossCheckCase,
  kind: 'integer' | 'uniform',
): Promise<string | undefined> {
  const { input, weight, bias } = crossCheckOperands(c.problem, kind, c.dataSeed);
  const got = await torchConv(c.problem, input, weight, bias);
  const want = oracle(c.problem, input, weight, bias);
  if (kind === 'integer') return firstMismatch(got, want, () => 0);
  const abs = (a: Float64Array) => a.map(Math.abs);
  const mag = referenceConv(c.problem, abs(input), abs(weight), bias && abs(bias));
  const terms =
    (c.problem.inChannels / c.problem.groups) * c.problem.kernelSize.reduce((v, k) => v * k, 1) + 1;
  const gammaN = gamma(terms, U);
  return firstMismatch(got, want, (i) => (2 * gammaN * mag[i]!) / (1 - gammaN));
}

async function agrees(kind: 'integer' | 'uniform'): Promise<void> {
  await fc.assert(
    fc.asyncProperty(crossCheckCaseArbitrary(), async (c) => {
      const mismatch = await disagreement(referenceConv, c, kind);
      if (mismatch !== undefined) throw new Error(mismatch);
    }),
    { numRuns: RUNS },
  );
}

async function catches(wrong: ConvOracle, kind: 'integer' | 'uniform'): Promise<boolean> {
  const details = await fc.check(
    fc.asyncProperty(crossCheckCaseArbitrary({ kernelSizes: [2, 3] }), async (c) => {
      return (await disagreement(wrong, c, kind)) === undefined;
    }),
    { numRuns: RUNS, endOnFailure: true },
  );
  return details.failed;
}

describe('PyTorch float64 vs referenceConv (skipped, with the reason, without torch)', () => {
  beforeAll(async () => {
    unavailable = await startTorch();
    if (unavailable !== undefined) console.warn(`torch cross-check SKIPPED: ${unavailable}`);
  }, 180_000);
  afterAll(async () => {
    await host?.close();
  });

  it('agrees exactly on integer data', async (ctx) => {
    if (unavailable !== undefined) ctx.skip(unavailable);
    await agrees('integer');
  });

  it('agrees within 2·γ_n·Σ|x·w| on uniform data', async (ctx) => {
    if (unavailable !== undefined) ctx.skip(unavailable);
    await agrees('uniform');
  });

  it('catches a wrong oracle: referenceConv with the mode swapped', async (ctx) => {
    if (unavailable !== undefined) ctx.skip(unavailable);
    expect(await catches(modeSwapped(referenceConv), 'integer')).toBe(true);
  });

  it('catches a wrong oracle: referenceConv rounded to float32', async (ctx) => {
    if (unavailable !== undefined) ctx.skip(unavailable);
    expect(await catches(roundedToFloat32(referenceConv), 'uniform')).toBe(true);
  });
});
