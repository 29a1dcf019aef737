/**
 * The receptive field computed by `receptiveField` (reference/layer.ts) is the
 * span of the impulse response through the stack of layers.
 */
import fc from 'fast-check';
import { convGeometry } from '../../reference/geometry.ts';
import { type ReceptiveLayer, receptiveField } from '../../reference/layer.ts';
import type { ConvKernel, ConvProblem } from '../../reference/problem.ts';
import { runKernel } from '../kernels.ts';
import {
  type LawCase,
  type LawOptions,
  type LawProperty,
  LawViolation,
  oracleKernel,
} from './support.ts';

/** Four small integers per layer: kernel, stride, dilation, begin pad (end pad = begin pad). */
const PER_LAYER = 4;

function layersOf(params: readonly number[]): ReceptiveLayer[] {
  const layers: ReceptiveLayer[] = [];
  for (let i = 0; i + PER_LAYER <= params.length; i += PER_LAYER) {
    layers.push({
      kernel: params[i]!,
      stride: params[i + 1]!,
      dilation: params[i + 2]!,
      padBegin: params[i + 3]!,
    });
  }
  return layers;
}

/** One 1-D, single-channel conv layer of the stack over an input of `size`. */
function layerProblem(layer: ReceptiveLayer, size: number, batch: number): ConvProblem {
  return {
    mode: 'cross-correlation',
    batch,
    inChannels: 1,
    outChannels: 1,
    groups: 1,
    inputSize: [size],
    kernelSize: [layer.kernel],
    stride: [layer.stride],
    dilation: [layer.dilation],
    padBegin: [layer.padBegin],
    padEnd: [layer.padBegin],
    bias: false,
  };
}

/** Problems of the whole stack for an input of `size`, or undefined when some layer does not fit. */
function stackProblems(
  layers: readonly ReceptiveLayer[],
  size: number,
  batch: number,
): ConvProblem[] | undefined {
  const problems: ConvProblem[] = [];
  let current = size;
  for (const layer of layers) {
    const p = layerProblem(layer, current, batch);
    try {
      current = convGeometry(p).outputSize[0]!;
    } catch {
      return undefined;
    }
    problems.push(p);
  }
  return problems;
}

function layersArbitrary(): fc.Arbitrary<LawCase> {
  const layer = fc.tuple(
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 0, max: 2 }),
  );
  return fc
    .record({ layers: fc.array(layer, { minLength: 1, maxLength: 3 }), dataSeed: fc.constant(0) })
    .map(({ layers, dataSeed }) => {
      const params = layers.flat();
      return {
        problem: layerProblem(layersOf(params)[0]!, 1, 1),
        data: 'exact' as const,
        dataSeed,
        params,
      };
    });
}

/**
 * Along one axis, through a stack of 1–3 conv layers with all-ones kernels,
 * the inputs an output depends on (those whose impulse reaches it) span
 * exactly [start + o·jump, start + o·jump + size − 1] of `receptiveField`, for
 * an output whose field lies inside the input. Every impulse is one batch item,
 * so a single run per layer gives the whole response.
 *
 * @example
 * ```ts
 * await fc.assert(receptiveFieldLaw(im2colKernel));
 * ```
 */
export function receptiveFieldLaw(
  kernel: ConvKernel = oracleKernel,
  _options?: LawOptions,
): LawProperty {
  return fc.asyncProperty(layersArbitrary(), async (c) => {
    const layers = layersOf(c.params);
    const field = receptiveField(layers);
    // The smallest input through which the stack runs and that holds one output's whole field.
    let size = Math.max(1, field.size);
    let problems: ConvProblem[] | undefined;
    let output = -1;
    for (; size <= field.size + 4 * field.jump + 32; size++) {
      problems = stackProblems(layers, size, size);
      if (!problems) continue;
      const outputs = convGeometry(problems[problems.length - 1]!).outputSize[0]!;
      output = Math.max(0, Math.ceil(-field.start / field.jump));
      if (output < outputs && field.start + output * field.jump + field.size <= size) break;
      output = -1;
    }
    if (!problems || output < 0)
      throw new LawViolation(`receptive field: no input size fits ${JSON.stringify(layers)}`);
    // Batch item i holds the impulse at input position i.
    let signal: Float64Array = new Float64Array(size * size);
    for (let i = 0; i < size; i++) signal[i * size + i] = 1;
    for (const p of problems) {
      signal = await runKernel(kernel, p, signal, new Float64Array(p.kernelSize[0]!).fill(1));
    }
    const outputs = signal.length / size;
    const support = Array.from({ length: size }, (_, i) => i).filter(
      (i) => signal[i * outputs + output]! !== 0,
    );
    const first = field.start + output * field.jump;
    const last = first + field.size - 1;
    if (support[0] !== first || support[support.length - 1] !== last) {
      throw new LawViolation(
        `receptive field of output ${output} through ${JSON.stringify(layers)}: receptiveField says ` +
          `[${first}, ${last}], the impulse response spans [${support[0]}, ${support[support.length - 1]}]`,
      );
    }
  });
}
