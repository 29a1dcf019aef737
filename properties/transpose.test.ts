/**
 * The laws of the backward passes and ConvTranspose hold for the oracles, and
 * each is shown to fail on a deliberately broken copy.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convTransposeGeometry } from '../reference/convTranspose.ts';
import { convTransposeProblemArbitrary } from './arbitraries/convTransposeProblem.ts';
import {
  backwardDataUnflipped,
  backwardWeightsFirstImage,
  transposeGroupLayoutSwapped,
  transposeOutputPaddingFirst,
  transposePadsSwapped,
  transposeUnflipped,
} from './broken/transpose.ts';
import {
  adjointLaw,
  backwardDataIsTransposeLaw,
  type ConvOps,
  zeroInsertionLaw,
} from './laws/transpose.ts';

function fails(property: fc.IRawProperty<unknown[]>): boolean {
  return fc.check(property as fc.IProperty<unknown[]>, { endOnFailure: true }).failed;
}

const LAWS: readonly [string, (ops?: ConvOps) => fc.IRawProperty<unknown[]>, ConvOps[]][] = [
  ['adjoint identity', adjointLaw, [backwardDataUnflipped, backwardWeightsFirstImage]],
  [
    'backward data = ConvTranspose',
    backwardDataIsTransposeLaw,
    [backwardDataUnflipped, transposePadsSwapped, transposeOutputPaddingFirst],
  ],
  [
    'ConvTranspose = conv of the zero-inserted input',
    zeroInsertionLaw,
    [
      transposePadsSwapped,
      transposeOutputPaddingFirst,
      transposeUnflipped,
      transposeGroupLayoutSwapped,
    ],
  ],
];

describe.each(LAWS)('%s', (_name, law, broken) => {
  it('holds for the oracles', () => {
    fc.assert(law());
  });

  it.each(broken.map((ops) => [ops.name, ops] as const))('catches %s', (_ops, ops) => {
    expect(fails(law(ops))).toBe(true);
  });
});

describe('convTransposeProblemArbitrary', () => {
  it('generates valid problems only', () => {
    fc.assert(
      fc.property(convTransposeProblemArbitrary(), (p) => {
        convTransposeGeometry(p);
      }),
    );
  });

  it('leans toward the convention bugs: each appears in at least a fifth of the problems', () => {
    const sample = fc.sample(convTransposeProblemArbitrary(), { numRuns: 400, seed: 1 });
    const share = (test: (p: (typeof sample)[number]) => boolean) =>
      sample.filter(test).length / sample.length;
    const any = (p: (typeof sample)[number], f: (i: number) => boolean) =>
      p.inputSize.some((_, i) => f(i));
    expect(share((p) => any(p, (i) => p.outputPadding[i]! > 0))).toBeGreaterThan(0.2);
    expect(share((p) => any(p, (i) => p.stride[i]! > p.kernelSize[i]!))).toBeGreaterThan(0.2);
    expect(share((p) => any(p, (i) => p.padBegin[i] !== p.padEnd[i]))).toBeGreaterThan(0.2);
    expect(share((p) => p.groups > 1 && p.inChannels !== p.outChannels)).toBeGreaterThan(0.2);
    expect(
      share((p) => any(p, (i) => p.dilation[i]! > 1 && p.outputPadding[i]! > 0)),
    ).toBeGreaterThan(0.2);
  });
});
