/**
 * Layer-by-layer accounting for a network description: output shape, parameter
 * count, MACs and receptive field. Every conv and pool goes through the same
 * geometry record as the oracle.
 *
 * Over 300 lines, on purpose: one layer-by-layer walk with a case per layer kind
 * (conv, pool, shape-preserving ops), each needing the same running shape and
 * receptive field.
 */
import { ProblemError, show } from './errors.ts';
import { volume } from './formulas.ts';
import { type ConvGeometry, convGeometry, poolGeometry } from './geometry.ts';
import {
  macs,
  parameterCount,
  type ReceptiveField,
  type ReceptiveLayer,
  receptiveField,
} from './layer.ts';
import { type ExplicitPads, padsFor, pairedPads } from './padding.ts';

/** A size attribute: one number for every spatial dimension, or one per dimension. */
export type SpatialAttribute = number | number[];

/** The JSON network format read by `convcheck params`. */
export interface NetworkSpec {
  /** [C, W], [C, H, W] or [C, D, H, W]. */
  input: number[];
  layers: LayerSpec[];
}

/** One layer of a {@link NetworkSpec}. */
export type LayerSpec =
  | {
      type: 'conv';
      out: number;
      kernel: SpatialAttribute;
      stride?: SpatialAttribute;
      pad?: SpatialAttribute | 'same' | 'valid';
      dilation?: SpatialAttribute;
      groups?: number;
      bias?: boolean;
      name?: string;
      note?: string;
    }
  | {
      type: 'maxpool' | 'avgpool';
      kernel: SpatialAttribute;
      stride?: SpatialAttribute;
      pad?: SpatialAttribute | 'same' | 'valid';
      dilation?: SpatialAttribute;
      ceil?: boolean;
      countIncludePad?: boolean;
      name?: string;
      note?: string;
    }
  | { type: 'adaptiveavgpool'; output: SpatialAttribute; name?: string; note?: string }
  | { type: 'fc'; out: number; bias?: boolean; name?: string; note?: string }
  | { type: 'batchnorm' | 'relu' | 'dropout' | 'flatten'; name?: string; note?: string };

/** What one layer does to the running shape. */
export interface LayerReport {
  index: number;
  name: string;
  type: LayerSpec['type'];
  /** Output shape without batch: [C, ...spatial] or [features]. */
  outputShape: number[];
  weights: number;
  biases: number;
  parameters: number;
  macs: number;
  /** Receptive field per spatial dimension; null once the layer mixes all positions. */
  receptiveField: ReceptiveField[] | null;
  note?: string;
}

/** Totals and per-layer rows of a network. */
export interface NetworkReport {
  input: number[];
  layers: LayerReport[];
  totalParameters: number;
  totalWeights: number;
  totalMacs: number;
}

interface State {
  shape: number[];
  stacks: ReceptiveLayer[][] | null;
}

function spatialOf(
  field: string,
  value: SpatialAttribute | undefined,
  rank: number,
  fallback: number,
) {
  if (value === undefined) return new Array<number>(rank).fill(fallback);
  const arr = typeof value === 'number' ? new Array<number>(rank).fill(value) : value;
  if (!Array.isArray(arr) || arr.length !== rank) {
    throw new ProblemError(field, value, `a number or an array of ${rank} numbers`);
  }
  return arr;
}

function padsOf(
  field: string,
  pad: SpatialAttribute | 'same' | 'valid' | undefined,
  inputSize: number[],
  kernelSize: number[],
  stride: number[],
  dilation: number[],
): ExplicitPads {
  const rank = inputSize.length;
  if (pad === 'same') return padsFor('same-upper', { inputSize, kernelSize, stride, dilation });
  if (pad === 'valid') return padsFor('valid', { inputSize, kernelSize, stride, dilation });
  if (Array.isArray(pad) && pad.length === 2 * rank) return pairedPads(pad);
  const each = spatialOf(field, pad, rank, 0);
  return { padBegin: each, padEnd: [...each] };
}

function spatialShape(state: State, layer: LayerSpec, index: number): number[] {
  if (state.stacks === null || state.shape.length < 2) {
    throw new ProblemError(
      `layers[${index}]`,
      layer.type,
      `a layer that comes before flatten/fc (input shape is now [${state.shape.join(', ')}])`,
    );
  }
  return state.shape.slice(1);
}

function extend(state: State, layers: ReceptiveLayer[]): void {
  state.stacks = state.stacks?.map((stack, i) => [...stack, layers[i]!]) ?? null;
}

function currentField(state: State): ReceptiveField[] | null {
  return state.stacks?.map((stack) => receptiveField(stack)) ?? null;
}

/** The explicit spatial attributes of a windowed layer (conv or pool). */
interface WindowAttributes {
  inputSize: number[];
  kernelSize: number[];
  stride: number[];
  dilation: number[];
  padBegin: number[];
  padEnd: number[];
}

function windowAttributes(
  state: State,
  layer: Extract<LayerSpec, { type: 'conv' | 'maxpool' | 'avgpool' }>,
  index: number,
): WindowAttributes {
  const inputSize = spatialShape(state, layer, index);
  const rank = inputSize.length;
  const at = `layers[${index}]`;
  const kernelSize = spatialOf(`${at}.kernel`, layer.kernel, rank, 1);
  const stride = spatialOf(`${at}.stride`, layer.stride, rank, 1);
  const dilation = spatialOf(`${at}.dilation`, layer.dilation, rank, 1);
  const pads = padsOf(`${at}.pad`, layer.pad, inputSize, kernelSize, stride, dilation);
  return { inputSize, kernelSize, stride, dilation, ...pads };
}

/** Moves the running shape to the layer's output and extends the receptive-field stacks. */
function advance(
  state: State,
  channels: number,
  outputSize: readonly number[],
  w: WindowAttributes,
) {
  state.shape = [channels, ...outputSize];
  extend(
    state,
    w.kernelSize.map((k, i) => ({
      kernel: k,
      stride: w.stride[i]!,
      dilation: w.dilation[i]!,
      padBegin: w.padBegin[i]!,
    })),
  );
}

function convLayer(state: State, layer: Extract<LayerSpec, { type: 'conv' }>, index: number) {
  const w = windowAttributes(state, layer, index);
  const g: ConvGeometry = convGeometry({
    mode: 'cross-correlation',
    batch: 1,
    inChannels: state.shape[0]!,
    outChannels: layer.out,
    groups: layer.groups ?? 1,
    ...w,
    bias: layer.bias ?? true,
  });
  advance(state, g.outChannels, g.outputSize, w);
  return {
    weights: g.weightLength,
    biases: g.biasLength,
    parameters: parameterCount(g),
    macs: macs(g),
  };
}

function poolLayer(
  state: State,
  layer: Extract<LayerSpec, { type: 'maxpool' | 'avgpool' }>,
  index: number,
) {
  const w = windowAttributes(state, layer, index);
  const g = poolGeometry({
    op: layer.type,
    batch: 1,
    channels: state.shape[0]!,
    ...w,
    ceilMode: layer.ceil ?? false,
    countIncludePad: layer.countIncludePad ?? false,
  });
  advance(state, g.channels, g.outputSize, w);
  return { weights: 0, biases: 0, parameters: 0, macs: 0 };
}

/** Adaptive average pooling: window i spans [⌊i·I/O⌋, ⌈(i+1)·I/O⌉). */
function adaptiveLayer(
  state: State,
  layer: Extract<LayerSpec, { type: 'adaptiveavgpool' }>,
  index: number,
) {
  const inputSize = spatialShape(state, layer, index);
  const output = spatialOf(`layers[${index}].output`, layer.output, inputSize.length, 1);
  const layers = inputSize.map((input, i) => {
    const o = output[i]!;
    if (!Number.isSafeInteger(o) || o < 1) {
      throw new ProblemError(`layers[${index}].output[${i}]`, o, 'a positive integer');
    }
    let widest = 0;
    for (let j = 0; j < o; j++) {
      widest = Math.max(widest, Math.ceil(((j + 1) * input) / o) - Math.floor((j * input) / o));
    }
    // Exact when I is a multiple of O; otherwise the widest window bounds the field.
    return { kernel: widest, stride: Math.max(1, Math.floor(input / o)), dilation: 1, padBegin: 0 };
  });
  state.shape = [state.shape[0]!, ...output];
  extend(state, layers);
  return { weights: 0, biases: 0, parameters: 0, macs: 0 };
}

function fcLayer(state: State, layer: Extract<LayerSpec, { type: 'fc' }>, index: number) {
  const features = volume(state.shape);
  if (!Number.isSafeInteger(layer.out) || layer.out < 1) {
    throw new ProblemError(`layers[${index}].out`, layer.out, 'a positive integer');
  }
  const weights = features * layer.out;
  const biases = (layer.bias ?? true) ? layer.out : 0;
  state.shape = [layer.out];
  state.stacks = null;
  return { weights, biases, parameters: weights + biases, macs: weights };
}

function applyLayer(state: State, layer: LayerSpec, index: number) {
  switch (layer.type) {
    case 'conv':
      return convLayer(state, layer, index);
    case 'maxpool':
    case 'avgpool':
      return poolLayer(state, layer, index);
    case 'adaptiveavgpool':
      return adaptiveLayer(state, layer, index);
    case 'fc':
      return fcLayer(state, layer, index);
    case 'batchnorm': {
      const c = state.shape[0]!;
      return { weights: 2 * c, biases: 0, parameters: 2 * c, macs: 0 };
    }
    case 'flatten':
      state.shape = [volume(state.shape)];
      state.stacks = null;
      return { weights: 0, biases: 0, parameters: 0, macs: 0 };
    case 'relu':
    case 'dropout':
      return { weights: 0, biases: 0, parameters: 0, macs: 0 };
    default:
      throw new ProblemError(
        `layers[${index}].type`,
        (layer as { type?: unknown }).type,
        'one of conv, maxpool, avgpool, adaptiveavgpool, batchnorm, relu, dropout, flatten, fc',
      );
  }
}

/**
 * Walks a network description and reports each layer's output shape,
 * parameters, MACs and receptive field, and the totals.
 *
 * @example
 * ```ts
 * const report = analyzeNetwork({ input: [3, 227, 227], layers: [
 *   { type: 'conv', out: 96, kernel: 11, stride: 4, pad: 0 } ] });
 * report.layers[0].outputShape; // [96, 55, 55]
 * ```
 */
export function analyzeNetwork(spec: NetworkSpec): NetworkReport {
  if (typeof spec !== 'object' || spec === null)
    throw new ProblemError('network', spec, 'an object');
  const input = spec.input;
  if (!Array.isArray(input) || input.length < 2 || input.length > 4) {
    throw new ProblemError('input', input, '[C, W], [C, H, W] or [C, D, H, W]');
  }
  input.forEach((v, i) => {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new ProblemError(`input[${i}]`, v, 'a positive integer');
  });
  if (!Array.isArray(spec.layers))
    throw new ProblemError('layers', spec.layers, 'an array of layers');
  const state: State = { shape: [...input], stacks: input.slice(1).map(() => []) };
  const counters: Record<string, number> = {};
  const layers = spec.layers.map((layer, index): LayerReport => {
    if (typeof layer !== 'object' || layer === null) {
      throw new ProblemError(`layers[${index}]`, layer, 'a layer object');
    }
    const counts = applyLayer(state, layer, index);
    counters[layer.type] = (counters[layer.type] ?? 0) + 1;
    return {
      index,
      name: layer.name ?? `${layer.type}${counters[layer.type]}`,
      type: layer.type,
      outputShape: [...state.shape],
      ...counts,
      receptiveField: currentField(state),
      ...(layer.note === undefined ? {} : { note: layer.note }),
    };
  });
  return {
    input: [...input],
    layers,
    totalParameters: layers.reduce((s, l) => s + l.parameters, 0),
    totalWeights: layers.reduce((s, l) => s + l.weights, 0),
    totalMacs: layers.reduce((s, l) => s + l.macs, 0),
  };
}

/** Parses a network JSON text, with errors that name the file. */
export function parseNetwork(text: string, source = 'network'): NetworkSpec {
  try {
    return JSON.parse(text) as NetworkSpec;
  } catch (e) {
    throw new ProblemError(source, show(text.slice(0, 40)), `valid JSON (${(e as Error).message})`);
  }
}
