/**
 * The padding-mode laws hold for the oracle and fail on a kernel that pads
 * with zeros whatever the mode, and the explicit padding they build matches
 * the modes' definitions on a line small enough to read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceConv } from '../reference/conv.ts';
import { zeroPaddingOnly } from '../reference/padding-mode.ts';
import type { ConvKernel } from '../reference/problem.ts';
import { convProblem } from '../reference/testing.ts';
import { conformanceProperty } from './conformance.ts';
import { referenceKernel } from './kernels.ts';
import { explicitlyPadded, type FilledPaddingMode, paddingModeLaw } from './laws/index.ts';
import { precisionOracle } from './precision/judge.ts';
import { judgeLadder } from './precision/ladder.ts';

const MODES: FilledPaddingMode[] = ['reflect', 'replicate', 'circular'];

/** A kernel that ignores paddingMode: the bug an adapter has that only knows zero padding. */
const padsWithZeros: ConvKernel = {
  ...referenceKernel('float64'),
  name: 'pads-with-zeros',
  conv: (p, x, w, b) => referenceKernel('float64').conv({ ...p, paddingMode: 'zeros' }, x, w, b),
};

describe('explicitlyPadded', () => {
  const p = convProblem({ inputSize: [4], kernelSize: [1], padBegin: [2], padEnd: [2] });
  const x = Float64Array.of(1, 2, 3, 4);
  it.each([
    ['reflect', [3, 2, 1, 2, 3, 4, 3, 2]],
    ['replicate', [1, 1, 1, 2, 3, 4, 4, 4]],
    ['circular', [3, 4, 1, 2, 3, 4, 1, 2]],
  ] as const)('pads a line by %s', (mode, want) => {
    const padded = explicitlyPadded(p, x, mode);
    expect(Array.from(padded.input)).toEqual(want);
    expect(padded.problem).toMatchObject({ inputSize: [8], padBegin: [0], padEnd: [0] });
  });
});

describe.each(MODES)('the %s padding law', (mode) => {
  it('holds for the float64 oracle', async () => {
    await fc.assert(paddingModeLaw(mode), { numRuns: 40 });
  });

  it('catches a kernel that pads with zeros instead', async () => {
    const details = await fc.check(paddingModeLaw(mode, padsWithZeros), { numRuns: 60 });
    expect(details.failed).toBe(true);
  });
});

describe('the generated problems reach the padding modes in a conformance run', () => {
  it('a kernel that pads with zeros whatever the mode fails the default exact-data property', async () => {
    const details = await fc.check(conformanceProperty(padsWithZeros, { data: 'exact' }), {
      numRuns: 200,
      seed: 19,
    });
    expect(details.failed).toBe(true);
    expect(details.counterexample?.[0].problem.paddingMode).toBeDefined();
  });

  it('the same kernel passes once it declines them with zeroPaddingOnly', async () => {
    const declining: ConvKernel = { ...padsWithZeros, supports: zeroPaddingOnly };
    await fc.assert(conformanceProperty(declining, { data: 'exact' }), { numRuns: 200, seed: 19 });
  });
});

describe('the precision ladder under a padding mode', () => {
  it('judges a reflect-padded float32 case without the Winograd rungs (Winograd pads with zeros)', () => {
    const p = convProblem({
      inputSize: [2],
      kernelSize: [2],
      padBegin: [1],
      padEnd: [1],
      paddingMode: 'reflect',
    });
    const x = Float64Array.of(0.5, -1.25);
    const w = Float64Array.of(0.75, -2);
    const got = Float32Array.from(referenceConv(p, x, w));
    const record = judgeLadder(
      { problem: p, got, ...precisionOracle(p, x, w) },
      { input: x, weight: w },
    );
    expect(record.rungs.map((r) => r.model)).not.toContain('winograd-f4');
    expect(record.rungs.find((r) => r.model === 'fp32')?.pass).toBe(true);
  });
});
