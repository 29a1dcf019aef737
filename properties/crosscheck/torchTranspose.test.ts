/**
 * PyTorch float64 against the ConvTranspose and backward oracles:
 * conv_transpose1d/2d/3d and autograd through conv1d/2d/3d
 * (scripts/clients/torch_transpose_batch.py, one Python process for all
 * cases), exactly on integer data. Without torch every test is skipped and
 * says why. CONVCHECK_TORCH_PYTHON names another Python (default /usr/bin/python3).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { convTransposeGeometry } from '../../reference/convTranspose.ts';
import { convGeometry } from '../../reference/geometry.ts';
import { formatOpDescriptor, type OpDescriptor } from '../../reference/opDescriptor.ts';
import { convProblemArbitrary } from '../arbitraries/convProblem.ts';
import { convTransposeProblemArbitrary } from '../arbitraries/convTransposeProblem.ts';
import {
  backwardDataUnflipped,
  backwardWeightsFirstImage,
  transposeGroupLayoutSwapped,
  transposeOutputPaddingFirst,
} from '../broken/transpose.ts';
import { integerTensor } from '../data.ts';
import { type ConvOps, referenceOps } from '../laws/transpose.ts';

const PYTHON = process.env.CONVCHECK_TORCH_PYTHON ?? '/usr/bin/python3';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Cases per op: all go to Python in one batch. */
const CASES = 80;
const RANGE = 8;

interface Case {
  descriptor: OpDescriptor;
  x: number[];
  w: number[];
  b?: number[];
  dy?: number[];
}

function cases(seed: number): Case[] {
  const ints = (length: number, s: number) => Array.from(integerTensor(length, s, RANGE));
  const transposes = fc
    .sample(convTransposeProblemArbitrary(), { numRuns: CASES, seed })
    .map((problem, i): Case => {
      const g = convTransposeGeometry(problem);
      return {
        descriptor: { op: 'convtranspose', problem },
        x: ints(g.inputLength, seed + 3 * i),
        w: ints(g.weightLength, seed + 3 * i + 1),
        ...(problem.bias ? { b: ints(g.outChannels, seed + 3 * i + 2) } : {}),
      };
    });
  const convs = fc.sample(
    convProblemArbitrary({
      maxMacs: 2000,
      networkLayers: false,
      largePlanes: false,
      bias: false,
      paddingModes: ['zeros'],
    }),
    { numRuns: CASES, seed: seed + 1 },
  );
  const backward = convs.flatMap((problem, i): Case[] => {
    const g = convGeometry(problem);
    const operands = {
      x: ints(g.inputLength, seed + 5 * i),
      w: ints(g.weightLength, seed + 5 * i + 1),
      dy: ints(g.outputLength, seed + 5 * i + 2),
    };
    return [
      { descriptor: { op: 'bwd-data', problem }, ...operands },
      { descriptor: { op: 'bwd-weights', problem }, ...operands },
    ];
  });
  return [...transposes, ...backward];
}

function oracle(ops: ConvOps, c: Case): ArrayLike<number> {
  const d = c.descriptor;
  if (d.op === 'convtranspose') return ops.convTranspose(d.problem, c.x, c.w, c.b);
  if (d.op === 'bwd-data') return ops.backwardData(d.problem, c.dy!, c.w);
  return ops.backwardWeights(d.problem, c.x, c.dy!);
}

/** Runs every case through PyTorch; a string says why it cannot. */
function torchOutputs(all: Case[]): number[][] | string {
  const request = JSON.stringify({
    cases: all.map((c) => ({ op: c.descriptor.op, problem: c.descriptor.problem, ...c })),
  });
  const run = spawnSync(PYTHON, ['scripts/clients/torch_transpose_batch.py'], {
    cwd: ROOT,
    input: request,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 180_000,
  });
  if (run.error) return `${PYTHON} did not run: ${run.error.message}`;
  if (run.status !== 0) throw new Error(`torch_transpose_batch.py failed: ${run.stderr}`);
  const reply = JSON.parse(run.stdout) as { outputs?: number[][]; unsupported?: string };
  return reply.outputs ?? `the torch script declines: ${reply.unsupported}`;
}

/** The first case where `ops` and torch differ, as a line, or undefined. */
function firstMismatch(ops: ConvOps, all: Case[], torch: number[][]): string | undefined {
  for (let i = 0; i < all.length; i++) {
    const want = oracle(ops, all[i]!);
    const got = torch[i]!;
    const index = got.findIndex((v, j) => v !== want[j]);
    if (got.length !== want.length || index >= 0) {
      return `${formatOpDescriptor(all[i]!.descriptor)}: torch ${got[index]} vs ${ops.name} ${want[index]} at ${index} (lengths ${got.length}, ${want.length})`;
    }
  }
  return undefined;
}

describe('PyTorch float64 vs the ConvTranspose and backward oracles (skipped, with the reason, without torch)', () => {
  let all: Case[] = [];
  let torch: number[][] | string = 'not started';

  beforeAll(() => {
    all = cases(fc.readConfigureGlobal().seed ?? 1);
    torch = torchOutputs(all);
    if (typeof torch === 'string') console.warn(`torch transpose cross-check SKIPPED: ${torch}`);
  }, 200_000);

  it('agrees exactly on integer data: conv_transpose, autograd data and weight gradients', (ctx) => {
    if (typeof torch === 'string') return ctx.skip(torch);
    expect(firstMismatch(referenceOps, all, torch)).toBeUndefined();
  });

  for (const ops of [
    backwardDataUnflipped,
    backwardWeightsFirstImage,
    transposeOutputPaddingFirst,
    transposeGroupLayoutSwapped,
  ]) {
    it(`catches a wrong oracle: ${ops.name}`, (ctx) => {
      if (typeof torch === 'string') return ctx.skip(torch);
      expect(firstMismatch(ops, all, torch)).toBeDefined();
    });
  }
});
