/**
 * Deliberately broken copies of the ConvTranspose and backward oracles, each
 * with one realistic convention bug, so that the laws of laws/transpose.ts can
 * be shown to fail. Each wraps the oracle with a changed problem or operand
 * instead of copying its loops: the bug is the one line that differs.
 */
import type { ConvTransposeProblem } from '../../reference/convTranspose.ts';
import { convGeometry, convTransposeGeometry } from '../../reference/index.ts';
import type { ConvProblem } from '../../reference/problem.ts';
import { type ConvOps, referenceOps } from '../laws/transpose.ts';

const swapMode = <P extends ConvProblem>(p: P): P => ({
  ...p,
  mode: p.mode === 'convolution' ? 'cross-correlation' : 'convolution',
});

/** Backward data that never flips the kernel: wrong for 'convolution' mode. */
export const backwardDataUnflipped: ConvOps = {
  ...referenceOps,
  name: 'backward data without the flip of true convolution',
  backwardData: (p, dy, w) =>
    referenceOps.backwardData(p.mode === 'convolution' ? swapMode(p) : p, dy, w),
};

/** Backward weights that only accumulates the first image of the batch. */
export const backwardWeightsFirstImage: ConvOps = {
  ...referenceOps,
  name: 'backward weights summing over the first image only',
  backwardWeights: (p, x, dy) => {
    const g = convGeometry(p);
    const first = { ...p, batch: 1 };
    return referenceOps.backwardWeights(
      first,
      Array.prototype.slice.call(x, 0, g.inputLength / g.batch),
      Array.prototype.slice.call(dy, 0, g.outputLength / g.batch),
    );
  },
};

/** ConvTranspose that removes padBegin at the end and padEnd at the beginning. */
export const transposePadsSwapped: ConvOps = {
  ...referenceOps,
  name: 'ConvTranspose with the pads removed from the wrong sides',
  convTranspose: (p, x, w, b) =>
    referenceOps.convTranspose({ ...p, padBegin: p.padEnd, padEnd: p.padBegin }, x, w, b),
};

/**
 * The problem a ConvTranspose with the output padding at the beginning instead
 * of the end computes: the output rows shift by outputPadding, as far as the
 * begin pad leaves room (then the shift is a pad change, same output size).
 */
export function outputPaddingMovedFirst(p: ConvTransposeProblem): ConvTransposeProblem {
  const shift = p.outputPadding.map((op, i) => Math.min(op, p.padBegin[i]!));
  return {
    ...p,
    padBegin: p.padBegin.map((pb, i) => pb - shift[i]!),
    padEnd: p.padEnd.map((pe, i) => pe + shift[i]!),
  };
}

/** ConvTranspose that adds the output padding at the beginning instead of the end. */
export const transposeOutputPaddingFirst: ConvOps = {
  ...referenceOps,
  name: 'ConvTranspose with the output padding at the beginning',
  convTranspose: (p, x, w, b) => referenceOps.convTranspose(outputPaddingMovedFirst(p), x, w, b),
};

/** ConvTranspose that does not flip the kernel in 'convolution' mode (the adjoint of true conv). */
export const transposeUnflipped: ConvOps = {
  ...referenceOps,
  name: 'ConvTranspose without the flip of true convolution',
  convTranspose: (p, x, w, b) =>
    referenceOps.convTranspose(p.mode === 'convolution' ? swapMode(p) : p, x, w, b),
};

/**
 * ConvTranspose that reads each group's weight as [outChannels/G, inChannels/G]
 * (the conv layout) instead of [inChannels/G, outChannels/G].
 */
export const transposeGroupLayoutSwapped: ConvOps = {
  ...referenceOps,
  name: 'ConvTranspose reading the group weight as [out/G, in/G]',
  convTranspose: (p, x, w, b) => {
    const g = convTransposeGeometry(p);
    const cig = g.inChannelsPerGroup;
    const cog = g.outChannelsPerGroup;
    const k = g.kernelVolume;
    // The value the buggy kernel reads at [ic, oc', k] lies where [oc', ic'] would be.
    const read = new Float64Array(g.weightLength);
    for (let ic = 0; ic < g.inChannels; ic++) {
      const group = Math.floor(ic / cig);
      for (let ocg = 0; ocg < cog; ocg++) {
        const flat = ocg * cig + (ic % cig);
        for (let t = 0; t < k; t++) {
          read[(ic * cog + ocg) * k + t] = w[(group * cig * cog + flat) * k + t]!;
        }
      }
    }
    return referenceOps.convTranspose(p, x, read, b);
  },
};

/** Every broken variant here, for the tests that show each law catches one. */
export const brokenTransposeOps: readonly ConvOps[] = [
  backwardDataUnflipped,
  backwardWeightsFirstImage,
  transposePadsSwapped,
  transposeOutputPaddingFirst,
  transposeUnflipped,
  transposeGroupLayoutSwapped,
];
