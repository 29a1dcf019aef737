/**
 * tfjs's transposed convolution, `tf.conv2dTranspose` (tfjs-backend-cpu), as a
 * kernel with a `convTranspose` method (`--builtin tfjs-cpu-transpose`). Its
 * `conv` is tfjs-cpu's (`--builtin tfjs-cpu` checks it); here every conv case
 * is declined so that the run is about ConvTranspose.
 *
 * The glue only moves data: NCHW → NHWC for the input, the weight
 * [C_in, C_out, kh, kw] → tfjs's filter [kh, kw, C_out, C_in], the kernel
 * flipped for the adjoint of true convolution, explicit pads, and the output
 * shape, from which tfjs derives the output padding. 1-D runs as 2-D with a
 * height of 1. What tfjs cannot express is declined with the reason: groups,
 * dilation (conv2dTranspose has no dilations argument), 3-D.
 */
import { type ConvTransposeProblem, convTransposeGeometry } from '../../reference/convTranspose.ts';
import type { OpName } from '../../reference/ops.ts';
import { zeroPaddingOnly } from '../../reference/padding-mode.ts';
import type { ConvKernel, ConvProblem, FloatArray } from '../../reference/problem.ts';
import { asFloat32, messageOf } from './peer.ts';
import { runOnTfjs } from './tfjs.ts';

const NAME = 'tfjs-cpu-transpose';

/**
 * Why tf.conv2dTranspose cannot compute `p`, or true.
 *
 * @example
 * ```ts
 * tfjsTransposeSupports({ ...p, groups: 2 }); // 'tf.conv2dTranspose has no groups …'
 * ```
 */
export function tfjsTransposeSupports(p: ConvProblem, op: OpName = 'conv'): true | string {
  if (op === 'conv') return `${NAME} checks ConvTranspose only (--builtin tfjs-cpu checks conv)`;
  if (op !== 'convtranspose') return `${NAME}: no ${op}`;
  let g: ReturnType<typeof convTransposeGeometry>;
  try {
    g = convTransposeGeometry(p as ConvTransposeProblem);
  } catch (error) {
    return messageOf(error);
  }
  const zeros = zeroPaddingOnly(p);
  if (zeros !== true) return `${NAME}: ${zeros}`;
  if (g.rank === 3) return 'the adapter covers tf.conv2dTranspose (1-D and 2-D), not 3-D';
  if (g.groups > 1) return `tf.conv2dTranspose has no groups (groups = ${g.groups})`;
  if (g.dilation.some((d) => d > 1)) {
    return `tf.conv2dTranspose has no dilations argument (dilation [${g.dilation.join(', ')}])`;
  }
  return true;
}

/** [H, W] of a 1-D or 2-D axis list; 1-D gets H = `fill`. */
const two = (v: readonly number[], fill: number): [number, number] =>
  v.length === 1 ? [fill, v[0]!] : [v[0]!, v[1]!];

async function convTranspose(
  p: ConvTransposeProblem,
  input: FloatArray,
  weight: FloatArray,
  bias?: FloatArray,
): Promise<Float32Array> {
  const supported = tfjsTransposeSupports(p, 'convtranspose');
  if (supported !== true) throw new Error(`${NAME}: unsupported problem: ${supported}`);
  const g = convTransposeGeometry(p);
  const [IH, IW] = two(g.inputSize, 1);
  const [KH, KW] = two(g.kernelSize, 1);
  const [OH, OW] = two(g.outputSize, 1);
  const [SH, SW] = two(g.stride, 1);
  const [PBH, PBW] = two(g.padBegin, 0);
  const [PEH, PEW] = two(g.padEnd, 0);
  return runOnTfjs('cpu', (tf) =>
    tf.tidy(() => {
      const x = tf.transpose(
        tf.tensor4d(asFloat32(input), [g.batch, g.inChannels, IH, IW]),
        [0, 2, 3, 1],
      );
      let w = tf.tensor4d(asFloat32(weight), [g.inChannels, g.outChannels, KH, KW]);
      if (g.flipKernel) w = tf.reverse(w, [2, 3]);
      const filter = tf.transpose(w, [2, 3, 1, 0]) as typeof w;
      let y = tf.conv2dTranspose(
        x as typeof w,
        filter,
        [g.batch, OH, OW, g.outChannels],
        [SH, SW],
        [
          [0, 0],
          [PBH, PEH],
          [PBW, PEW],
          [0, 0],
        ],
      );
      if (bias !== undefined) y = tf.add(y, tf.tensor1d(asFloat32(bias), 'float32'));
      const data = tf.transpose(y, [0, 3, 1, 2]).dataSync();
      if (!(data instanceof Float32Array)) throw new Error(`${NAME}: output is not float32`);
      return data;
    }),
  );
}

/**
 * tf.conv2dTranspose on tfjs-backend-cpu, float32, as a ConvTranspose kernel.
 *
 * @example
 * ```ts
 * const y = await tfjsCpuTransposeKernel.convTranspose?.(p, x, w); // Float32Array, NCHW
 * ```
 */
export const tfjsCpuTransposeKernel: ConvKernel = {
  name: NAME,
  dtype: 'float32',
  supports: tfjsTransposeSupports,
  conv() {
    throw new Error(`${NAME} checks ConvTranspose only: its supports() declines conv`);
  },
  convTranspose,
};
