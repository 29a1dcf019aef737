/**
 * The algebra of true convolution: commutative and associative in full mode,
 * and cross-correlation is convolution with the kernel flipped.
 */
import fc from 'fast-check';
import type { ConvKernel, ConvProblem } from '../../reference/problem.ts';
import { integerTensor } from '../data.ts';
import { runKernel } from '../kernels.ts';
import { flipSpatial } from '../tensor.ts';
import {
  assertSameTensor,
  caseOperands,
  type LawCase,
  type LawOptions,
  type LawProperty,
  lawCaseArbitrary,
  lawConstraints,
  oracleKernel,
} from './support.ts';

/**
 * Full-mode true convolution of a single-channel signal of `inputSize` with a
 * kernel of `kernelSize`: pads K − 1 on both sides, output I + K − 1.
 *
 * @example
 * ```ts
 * fullConvolution([5], [3]); // trueconv, iw5 kw3, pads 2 and 2: output 7
 * ```
 */
export function fullConvolution(
  inputSize: readonly number[],
  kernelSize: readonly number[],
): ConvProblem {
  return {
    mode: 'convolution',
    batch: 1,
    inChannels: 1,
    outChannels: 1,
    groups: 1,
    inputSize: [...inputSize],
    kernelSize: [...kernelSize],
    stride: inputSize.map(() => 1),
    dilation: inputSize.map(() => 1),
    padBegin: kernelSize.map((k) => k - 1),
    padEnd: kernelSize.map((k) => k - 1),
    bias: false,
  };
}

/** Signals of 1-D or 2-D sizes in [1, 5]; params = three sizes per axis (rank read from the problem). */
function signalsArbitrary(options: LawOptions | undefined): fc.Arbitrary<LawCase> {
  const dims = (lawConstraints(options).dims ?? [1, 2]).filter((d) => d <= 2);
  const size = fc.integer({ min: 1, max: 5 });
  return fc
    .record({
      rank: fc.constantFrom(...(dims.length > 0 ? dims : [1])),
      sizes: fc.array(size, { minLength: 6, maxLength: 6 }),
      dataSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map(({ rank, sizes, dataSeed }) => {
      const params = sizes.slice(0, 3 * rank);
      const [a, b] = [params.slice(0, rank), params.slice(rank, 2 * rank)];
      return { problem: fullConvolution(a, b), data: 'exact' as const, dataSeed, params };
    });
}

function sizesOf(c: LawCase): [number[], number[], number[]] {
  const rank = c.problem.inputSize.length;
  return [
    c.params.slice(0, rank),
    c.params.slice(rank, 2 * rank),
    c.params.slice(2 * rank, 3 * rank),
  ];
}

function volumeOf(size: readonly number[]): number {
  return size.reduce((a, b) => a * b, 1);
}

function fullSize(a: readonly number[], b: readonly number[]): number[] {
  return a.map((v, i) => v + b[i]! - 1);
}

/**
 * x ∗ w = w ∗ x for true convolution in full mode (1-D and 2-D, one channel).
 *
 * @example
 * ```ts
 * await fc.assert(commutativityLaw(im2colKernel));
 * ```
 */
export function commutativityLaw(
  kernel: ConvKernel = oracleKernel,
  options?: LawOptions,
): LawProperty {
  return fc.asyncProperty(signalsArbitrary(options), async (c) => {
    const [a, b] = sizesOf(c);
    const x = integerTensor(volumeOf(a), c.dataSeed, 8);
    const w = integerTensor(volumeOf(b), c.dataSeed + 1, 8);
    const lhs = await runKernel(kernel, fullConvolution(a, b), x, w);
    const rhs = await runKernel(kernel, fullConvolution(b, a), w, x);
    assertSameTensor('commutativity of true convolution', c.problem, lhs, rhs);
  });
}

/**
 * (x ∗ a) ∗ b = x ∗ (a ∗ b) for true convolution in full mode (1-D and 2-D).
 *
 * @example
 * ```ts
 * await fc.assert(associativityLaw(im2colKernel));
 * ```
 */
export function associativityLaw(
  kernel: ConvKernel = oracleKernel,
  options?: LawOptions,
): LawProperty {
  return fc.asyncProperty(signalsArbitrary(options), async (c) => {
    const [sx, sa, sb] = sizesOf(c);
    const x = integerTensor(volumeOf(sx), c.dataSeed, 4);
    const a = integerTensor(volumeOf(sa), c.dataSeed + 1, 4);
    const b = integerTensor(volumeOf(sb), c.dataSeed + 2, 4);
    const xa = await runKernel(kernel, fullConvolution(sx, sa), x, a);
    const lhs = await runKernel(kernel, fullConvolution(fullSize(sx, sa), sb), xa, b);
    const ab = await runKernel(kernel, fullConvolution(sa, sb), a, b);
    const rhs = await runKernel(kernel, fullConvolution(sx, fullSize(sa, sb)), x, ab);
    assertSameTensor('associativity of true convolution', c.problem, lhs, rhs);
  });
}

/**
 * cross-correlation(x, w) = convolution(x, flip(w)), for any problem.
 *
 * @example
 * ```ts
 * await fc.assert(flipLaw(im2colKernel));
 * ```
 */
export function flipLaw(kernel: ConvKernel = oracleKernel, options?: LawOptions): LawProperty {
  return fc.asyncProperty(lawCaseArbitrary(lawConstraints(options)), async (c) => {
    const { g, input, weight, bias } = caseOperands(c);
    const xcorr = { ...c.problem, mode: 'cross-correlation' as const };
    const conv = { ...c.problem, mode: 'convolution' as const };
    const lhs = await runKernel(kernel, xcorr, input, weight, bias);
    const rhs = await runKernel(kernel, conv, input, flipSpatial(weight, g.weightShape), bias);
    assertSameTensor(
      'cross-correlation = convolution with the kernel flipped',
      c.problem,
      lhs,
      rhs,
    );
  });
}
