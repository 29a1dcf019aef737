/**
 * One judge: the same kernel behaviour on the same case gets the same verdict
 * through every entry point — the judge itself, the CLI (evaluateCase), the
 * vitest suite (checkConformanceCase), `fixtures verify` and the peer tests.
 * It lives in scripts/ because only scripts/ may import every layer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConformanceCase } from '../../properties/conformance.ts';
import { type ConvCase, type ConvOperands, materializeConvCase } from '../../properties/data.ts';
import { judgeCase, MISTRUSTED_MESSAGE } from '../../properties/judge/judge.ts';
import { judgePeerRun } from '../../properties/peers/run-case.ts';
import { ConformanceFailure } from '../../properties/report.ts';
import { boundParameters, magnitudeConv } from '../../properties/tolerance.ts';
import type { ConvKernel, ConvProblem, FloatArray } from '../../reference/index.ts';
import { referenceConv } from '../../reference/index.ts';
import { convProblem } from '../../reference/testing.ts';
import { saveFailureFixture } from '../fixtures/failure.ts';
import { verifyFixtures } from '../fixtures/verify.ts';
import { evaluateCase, toleranceForBuiltin } from './evaluate.ts';
import { openInProcessHost } from './hosts/in-process-host.ts';

type Verdict = 'pass' | 'fail' | 'skip' | 'error';

const problem: ConvProblem = convProblem({
  batch: 2,
  inChannels: 3,
  outChannels: 4,
  inputSize: [6, 7],
  kernelSize: [3, 3],
  padBegin: [1, 0],
  padEnd: [0, 1],
  bias: true,
});

/** A float32 kernel: the oracle rounded to float32, then `spoil` applied. */
function kernel(
  name: string,
  spoil: (y: Float32Array, operands: ConvOperands) => Float32Array | unknown,
): ConvKernel {
  return {
    name,
    conv: (p, x, w, b) => {
      const y = Float32Array.from(referenceConv(p, x, w, b));
      const operands: ConvOperands =
        b === undefined ? { input: x, weight: w } : { input: x, weight: w, bias: b };
      return (spoil(y, operands) ?? y) as Float32Array;
    },
  };
}

/** Overwrites the first NaN of `values` with a NaN of another payload (Object.is cannot see it). */
function rewriteNaNPayload(values: FloatArray): void {
  const at = values.findIndex(Number.isNaN);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  bits[at] = bits[at] === 0x7fc00001 ? 0x7fc00002 : 0x7fc00001;
}

const behaviours: {
  name: string;
  data: ConvCase['data'];
  expected: Verdict;
  kernel: ConvKernel;
}[] = [
  { name: 'correct', data: 'real', expected: 'pass', kernel: kernel('correct', () => undefined) },
  {
    name: 'one element far off',
    data: 'real',
    expected: 'fail',
    kernel: kernel('off', (y) => {
      y[5] = -y[5]! - 1;
    }),
  },
  {
    // A numerically wrong value, not a malformed output (issue 17): a failure.
    name: 'NaN where the oracle has a number',
    data: 'real',
    expected: 'fail',
    kernel: kernel('nan', (y) => {
      y[3] = Number.NaN;
    }),
  },
  {
    name: 'a write into the input',
    data: 'real',
    expected: 'error',
    kernel: kernel('writer', (_y, o) => {
      o.input[0] = -o.input[0]!;
    }),
  },
  {
    name: 'wrong output type',
    data: 'real',
    expected: 'error',
    kernel: kernel('plain', (y) => Array.from(y)),
  },
  {
    name: 'off by one ulp on exact data (bit-exact demanded)',
    data: 'exact',
    expected: 'fail',
    kernel: kernel('ulp', (y) => {
      const i = y.findIndex((v) => v !== 0);
      y[i] = y[i]! + Math.abs(y[i]!) * 2 ** -23;
    }),
  },
];

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The verdict of `fixtures verify` on a one-case fixture holding exactly this case. */
async function fixtureVerdict(
  k: ConvKernel,
  c: ConvCase,
  operands: ConvOperands,
): Promise<Verdict> {
  const dir = mkdtempSync(join(tmpdir(), 'convcheck-same-verdict-'));
  dirs.push(dir);
  const exact = c.data === 'exact';
  const params = boundParameters(
    problem,
    'float32',
    exact ? { kind: 'exact' } : { kind: 'dot-product' },
  );
  const saved = await saveFailureFixture({
    dir,
    problem,
    input: operands.input,
    weight: operands.weight,
    ...(operands.bias ? { bias: operands.bias } : {}),
    output: referenceConv(problem, operands.input, operands.weight, operands.bias),
    magnitude: magnitudeConv(problem, operands.input, operands.weight, operands.bias),
    bound: { ...params, model: params.model },
  });
  const report = await verifyFixtures({ dir: saved, host: k });
  const mine = report.results.filter((r) => r.checker === k.name);
  expect(mine.length).toBe(1);
  return mine[0]!.verdict;
}

async function vitestVerdict(k: ConvKernel, c: ConvCase): Promise<Verdict> {
  try {
    const status = await checkConformanceCase(k, c);
    return status.status === 'checked' ? 'pass' : 'skip';
  } catch (e) {
    if (e instanceof ConformanceFailure) return e.comparison.verdict === 'fail' ? 'fail' : 'error';
    throw e;
  }
}

describe('one judge: every entry point gives the same verdict', () => {
  for (const b of behaviours) {
    it(`${b.name}: ${b.expected}`, async () => {
      const c: ConvCase = { problem, data: b.data, dataSeed: 11 };
      const operands = materializeConvCase(c, 'float32');
      const host = await openInProcessHost(b.kernel);
      try {
        const cli = await evaluateCase(host, c, toleranceForBuiltin(b.kernel.name), {
          timeoutMs: 10_000,
          checkDeterminism: false,
        });
        const verdicts = {
          cli: cli.verdict,
          vitest: await vitestVerdict(b.kernel, c),
          fixtures: await fixtureVerdict(b.kernel, c, operands),
          peers: (await judgePeerRun(b.kernel, problem, materializeConvCase(c, 'float32'), b.data))
            .verdict,
        };
        expect(verdicts).toEqual({
          cli: b.expected,
          vitest: b.expected,
          fixtures: b.expected,
          peers: b.expected,
        });
      } finally {
        await host.close();
      }
    });
  }

  it('a NaN-payload write into the input is caught (bytewise), by the CLI, vitest and peers alike', async () => {
    // Special data holds NaNs; find a case whose input has one.
    let c: ConvCase = { problem, data: 'special', dataSeed: 0 };
    while (!materializeConvCase(c, 'float32').input.some(Number.isNaN)) {
      c = { ...c, dataSeed: c.dataSeed + 1 };
    }
    const k = kernel('payload', (_y, o) => rewriteNaNPayload(o.input));
    const host = await openInProcessHost(k);
    try {
      const cli = await evaluateCase(host, c, toleranceForBuiltin(k.name), {
        timeoutMs: 10_000,
        checkDeterminism: false,
      });
      const peers = await judgePeerRun(k, problem, materializeConvCase(c, 'float32'), c.data);
      expect([cli.verdict, await vitestVerdict(k, c), peers.verdict]).toEqual([
        'error',
        'error',
        'error',
      ]);
      expect(cli.message).toMatch(/wrote into its input/);
    } finally {
      await host.close();
    }
  });

  it('mistrust: a pass on mostly-zero generated data is a skip; stored data is judged; a wrong answer fails', () => {
    // Zero weights and no bias: the reference is all zero, which tests nothing.
    const p = { ...problem, bias: false };
    const operands = materializeConvCase({ problem: p, data: 'real', dataSeed: 3 }, 'float32');
    operands.weight.fill(0);
    const generated = judgeCase(outcomeInput(p, operands));
    expect([generated.verdict, generated.message]).toEqual(['skip', MISTRUSTED_MESSAGE]);
    expect(judgeCase({ ...outcomeInput(p, operands), source: 'stored' }).verdict).toBe('pass');
    const wrong = new Float32Array(outcomeInput(p, operands).output.length).fill(1);
    expect(judgeCase({ ...outcomeInput(p, operands), output: wrong }).verdict).toBe('fail');
  });
});

function outcomeInput(p: ConvProblem, operands: ConvOperands) {
  return {
    problem: p,
    dtype: 'float32' as const,
    operands,
    output: new Float32Array(referenceConv(p, operands.input, operands.weight).length),
    written: [],
    model: { kind: 'dot-product' } as const,
    data: 'real' as const,
  };
}
