/**
 * Descriptors of the operations beyond the forward convolution: ConvTranspose
 * and the two backward passes. They extend the conv descriptor
 * (descriptor.ts) by a suffix on the kind word, and round-trip:
 * `parseOpDescriptor(formatOpDescriptor(d))` equals `d`.
 *
 *   xcorrT:mb1g1ic8oc4_ih16iw16_kh4kw4_sh2sw2_dh1dw1_pbh1pbw1_peh1pew1_oph0opw0_bias
 *   trueconvT:mb1g1ic1oc1_iw3_kw3_sw2_dw1_pbw0_pew0_opw1_nobias
 *   xcorrBD:mb2g1ic3oc8_ih7iw7_kh3kw3_sh1sw1_dh1dw1_pbh1pbw1_peh1pew1_nobias
 *   xcorrBW:…
 *
 * - `T` (transposed): a ConvTransposeProblem. `ic`/`oc` are its own input and
 *   output channels (the weight is [ic, oc/g, ...k]); `op<axis>` is the
 *   outputPadding per axis (default 0). `xcorrT` is what frameworks call
 *   ConvTranspose, `trueconvT` the adjoint of true convolution.
 * - `BD` (backward data) and `BW` (backward weights): the ConvProblem whose
 *   backward pass is meant, in the conv descriptor's body; they take no `op`.
 *
 * A plain `xcorr:`/`trueconv:` descriptor is the forward conv (op 'conv').
 */
import type { ConvTransposeProblem } from './convTranspose.ts';
import { formatDescriptor, parseDescriptor } from './descriptor.ts';
import { ProblemError } from './errors.ts';
import type { ConvProblem } from './problem.ts';

/** The operations of a convolution layer that convcheck has oracles for. */
export type ConvOp =
  | 'conv'
  | 'convtranspose'
  | 'bwd-data'
  | 'bwd-weights'
  | 'conv-integer'
  | 'qlinear-conv';

/** A problem together with the operation it is posed for. */
export type OpDescriptor =
  | {
      op: 'conv' | 'bwd-data' | 'bwd-weights' | 'conv-integer' | 'qlinear-conv';
      problem: ConvProblem;
    }
  | { op: 'convtranspose'; problem: ConvTransposeProblem };

const SUFFIX: Record<ConvOp, string> = {
  conv: '',
  convtranspose: 'T',
  'bwd-data': 'BD',
  'bwd-weights': 'BW',
  'conv-integer': 'QI',
  'qlinear-conv': 'QL',
};

const AXES = ['d', 'h', 'w'] as const;

/**
 * Formats a problem and its operation as one descriptor line.
 *
 * @example
 * ```ts
 * formatOpDescriptor({ op: 'bwd-data', problem: p }); // 'xcorrBD:mb1g1ic3oc8_…_nobias'
 * ```
 */
export function formatOpDescriptor(d: OpDescriptor): string {
  const { outputPadding, ...conv } = d.problem as ConvTransposeProblem;
  const text = formatDescriptor(conv as ConvProblem);
  const colon = text.indexOf(':');
  const parts = text.slice(colon + 1).split('_');
  if (d.op === 'convtranspose') {
    const axes = AXES.slice(3 - outputPadding.length);
    // Before the bias flag, after the pads.
    parts.splice(parts.length - 1, 0, outputPadding.map((v, i) => `op${axes[i]}${v}`).join(''));
  }
  return `${text.slice(0, colon)}${SUFFIX[d.op]}:${parts.join('_')}`;
}

function bad(text: string, why: string): never {
  throw new ProblemError('descriptor', text, why);
}

/**
 * Parses a descriptor of any operation. The problem is not validated here;
 * pass it to `convGeometry` or `convTransposeGeometry`.
 *
 * @example
 * ```ts
 * parseOpDescriptor('xcorrT:ic2oc2_iw3_kw3_sw2_opw1').problem; // outputPadding [1]
 * ```
 */
export function parseOpDescriptor(text: string): OpDescriptor {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const kindWord = colon < 0 ? '' : trimmed.slice(0, colon);
  const match = /^(xcorr|trueconv)(T|BD|BW|QI|QL)?$/.exec(kindWord);
  if (match === null) {
    bad(
      text,
      `a kind of xcorr or trueconv, optionally followed by T, BD, BW, QI or QL (got '${kindWord}')`,
    );
  }
  const op = (Object.keys(SUFFIX) as ConvOp[]).find((o) => SUFFIX[o] === (match[2] ?? ''))!;
  // `op` keys are letter runs of their own: no conv key contains 'op'.
  const opKeys = /(?<![a-z])op([dhw])(\d+)/g;
  const outputPadding = new Map<string, number>();
  const body = trimmed.slice(colon + 1).replace(opKeys, (_, axis: string, digits: string) => {
    if (outputPadding.has(axis))
      bad(text, `a descriptor with each key once (repeated 'op${axis}')`);
    outputPadding.set(axis, Number(digits));
    return '';
  });
  if (op !== 'convtranspose' && outputPadding.size > 0) {
    bad(text, `no output padding (op keys) for ${kindWord}: only the T kinds take it`);
  }
  const parsed = parseDescriptor(`${match[1]}:${body}`);
  if (parsed.kind !== 'conv') bad(text, 'a convolution descriptor');
  const problem = parsed.problem;
  if (op !== 'convtranspose') return { op, problem };
  const axes = AXES.slice(3 - problem.inputSize.length);
  for (const axis of outputPadding.keys()) {
    if (!axes.includes(axis as (typeof AXES)[number])) {
      bad(text, `only op keys of a ${axes.length}-D problem (unknown: op${axis})`);
    }
  }
  return {
    op,
    problem: { ...problem, outputPadding: axes.map((a) => outputPadding.get(a) ?? 0) },
  };
}
