/**
 * Layer-by-layer accounting for a network description (docs/models.md): output
 * shape, trainable parameters, buffers, MACs and receptive field. Layers may
 * name their inputs, so residual adds, concatenations and squeeze-excitation
 * multiplies are described as they are built. Every conv and pool goes through
 * the same geometry record as the oracle.
 *
 * A model file is validated strictly: an unknown key, a wrong type or an
 * unsupported value is a ProblemError naming the layer and the key.
 *
 * Over 300 lines, on purpose: one strict parser and one layer-by-layer walk,
 * with a case per layer kind, all reading the same running shapes and
 * receptive fields; split, each half would need the other's tables.
 */
import { ProblemError, show } from './errors.ts';
import { outputSize, volume } from './formulas.ts';
import { type ConvGeometry, convGeometry, defaultLimits, poolGeometry } from './geometry.ts';
import { macs, type ReceptiveField } from './layer.ts';
import { type ExplicitPads, padsFor } from './padding.ts';
import type { ConvProblem } from './problem.ts';

/** A size attribute: one number for every spatial dimension, or one per dimension. */
export type SpatialAttribute = number | number[];

/**
 * Padding of a windowed layer: a number (both ends of every dimension), one
 * number per dimension (both ends), explicit `{ begin, end }` per dimension,
 * 'same' (ONNX SAME_UPPER with the dilated kernel: any odd pad goes at the end)
 * or 'valid' (none). Default 0.
 */
export type PadSpec = number | number[] | { begin: number[]; end: number[] } | 'same' | 'valid';

/** Keys every layer may have. */
interface LayerCommon {
  /** Unique name; defaults to `<type><n>`. */
  name?: string;
  /** Names of earlier layers (or 'input') this layer reads; default: the previous layer. */
  inputs?: string[];
  note?: string;
}

/** Shape-preserving layers without parameters. */
export const ELEMENTWISE_TYPES = [
  'relu',
  'relu6',
  'sigmoid',
  'silu',
  'hardswish',
  'dropout',
  'identity',
] as const;

/** One layer of a {@link NetworkSpec}. */
export type LayerSpec = LayerCommon &
  (
    | {
        type: 'conv';
        out: number;
        kernel: SpatialAttribute;
        stride?: SpatialAttribute;
        pad?: PadSpec;
        dilation?: SpatialAttribute;
        groups?: number;
        bias?: boolean;
      }
    | {
        type: 'maxpool' | 'avgpool';
        kernel: SpatialAttribute;
        stride?: SpatialAttribute;
        pad?: PadSpec;
        dilation?: SpatialAttribute;
        ceil?: boolean;
        countIncludePad?: boolean;
      }
    | { type: 'adaptiveavgpool'; output: SpatialAttribute }
    | { type: 'fc'; out: number; bias?: boolean }
    | { type: 'batchnorm' | 'flatten' | (typeof ELEMENTWISE_TYPES)[number] }
    | { type: 'add' | 'mul' | 'concat' }
  );

/** The JSON model format read by `convcheck params` and `check --suite networks`. */
export interface NetworkSpec {
  name?: string;
  description?: string;
  /** [C, W], [C, H, W] or [C, D, H, W]. */
  input: number[];
  layers: LayerSpec[];
}

/** What one layer does. */
export interface LayerReport {
  index: number;
  name: string;
  type: LayerSpec['type'];
  /** The layers read ('input' for the network input). */
  inputs: string[];
  /** Output shape without batch: [C, ...spatial] or [features]. */
  outputShape: number[];
  /** Trainable multiplicative parameters (conv/fc weights, BatchNorm scale). */
  weights: number;
  /** Trainable additive parameters (conv/fc bias, BatchNorm shift). */
  biases: number;
  /** weights + biases: what frameworks count as parameters. */
  parameters: number;
  /** Non-trainable state (BatchNorm running mean and variance). */
  buffers: number;
  macs: number;
  /** Receptive field per spatial dimension; null once the layer mixes all positions. */
  receptiveField: ReceptiveField[] | null;
  /** The conv problem at batch 1, for conv layers (what `--suite networks` runs). */
  problem?: ConvProblem;
  note?: string;
}

/** Totals and per-layer rows of a network. */
export interface NetworkReport {
  name?: string;
  input: number[];
  layers: LayerReport[];
  totalParameters: number;
  totalWeights: number;
  totalBuffers: number;
  totalMacs: number;
}

/** A tensor flowing between layers: its shape and receptive field. */
interface Value {
  shape: number[];
  field: ReceptiveField[] | null;
}

/** What a layer contributes, besides its output. */
interface Counts {
  weights: number;
  biases: number;
  buffers: number;
  macs: number;
  problem?: ConvProblem;
}

const NONE: Counts = { weights: 0, biases: 0, buffers: 0, macs: 0 };

/** The largest number of layers a model may have (a bound on work, not on real networks). */
export const MAX_LAYERS = 100_000;

const WINDOW_KEYS = ['kernel', 'stride', 'pad', 'dilation'];
const KEYS: Record<LayerSpec['type'], readonly string[]> = {
  conv: ['out', 'groups', 'bias', ...WINDOW_KEYS],
  maxpool: ['ceil', ...WINDOW_KEYS],
  avgpool: ['ceil', 'countIncludePad', ...WINDOW_KEYS],
  adaptiveavgpool: ['output'],
  fc: ['out', 'bias'],
  batchnorm: [],
  flatten: [],
  add: [],
  mul: [],
  concat: [],
  ...Object.fromEntries(ELEMENTWISE_TYPES.map((t) => [t, []])),
} as unknown as Record<LayerSpec['type'], readonly string[]>;
const COMMON_KEYS = ['type', 'name', 'inputs', 'note'];
const TYPES = Object.keys(KEYS);

/** A short description of a value for an error: never the whole of a large or deep value. */
function brief(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.length <= 8 && value.every((v) => typeof v !== 'object' || v === null)
      ? value
      : `an array of ${value.length}`;
  }
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'string' && value.length > 60) return `${value.slice(0, 57)}...`;
  return value;
}

/** Where a layer is, for errors: `layers[3] (conv2)`. */
function at(index: number, layer: Record<string, unknown>): string {
  const name = typeof layer.name === 'string' ? ` (${brief(layer.name)})` : '';
  return `layers[${index}]${name}`;
}

function problem(field: string, value: unknown, expected: string): ProblemError {
  return new ProblemError(field, brief(value), expected);
}

function positiveInteger(field: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw problem(field, value, min === 0 ? 'a non-negative integer' : 'a positive integer');
  }
  return value;
}

function booleanOf(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw problem(field, value, 'true or false');
  return value;
}

function spatialOf(field: string, value: unknown, rank: number, fallback: number, min = 1) {
  if (value === undefined) return new Array<number>(rank).fill(fallback);
  if (typeof value === 'number') {
    return new Array<number>(rank).fill(positiveInteger(field, value, min));
  }
  if (!Array.isArray(value) || value.length !== rank) {
    throw problem(field, value, `a number or an array of ${rank} numbers`);
  }
  return value.map((v, i) => positiveInteger(`${field}[${i}]`, v, min));
}

function padsOf(
  field: string,
  pad: unknown,
  w: { inputSize: number[]; kernelSize: number[]; stride: number[]; dilation: number[] },
): ExplicitPads {
  const rank = w.inputSize.length;
  if (pad === 'same') return padsFor('same-upper', w);
  if (pad === 'valid') return padsFor('valid', w);
  if (typeof pad === 'object' && pad !== null && !Array.isArray(pad)) {
    const sides = pad as Record<string, unknown>;
    for (const key of Object.keys(sides)) {
      if (key !== 'begin' && key !== 'end')
        throw problem(`${field}.${key}`, sides[key], 'absent (pad has only begin and end)');
    }
    return {
      padBegin: spatialOf(`${field}.begin`, sides.begin, rank, 0, 0),
      padEnd: spatialOf(`${field}.end`, sides.end, rank, 0, 0),
    };
  }
  if (typeof pad === 'string')
    throw problem(field, pad, "a number, an array, { begin, end }, 'same' or 'valid'");
  const each = spatialOf(field, pad, rank, 0, 0);
  return { padBegin: each, padEnd: [...each] };
}

/** The spatial size of a value, or an error when the layer needs one and it has none. */
function spatialOfValue(where: string, type: string, value: Value): number[] {
  if (value.field === null || value.shape.length < 2) {
    throw new ProblemError(
      where,
      type,
      `a layer that comes before flatten/fc (input shape is now [${value.shape.join(', ')}])`,
    );
  }
  return value.shape.slice(1);
}

/** Checks a tensor size before anything walks it (closed form, no loops over its elements). */
function checkSize(field: string, shape: readonly number[]): void {
  const elements = volume(shape);
  if (elements > defaultLimits.maxTensorElements) {
    throw new ProblemError(
      field,
      `[${shape.join(', ')}]`,
      `a tensor of at most 2^26 elements (${elements} here)`,
    );
  }
}

/** The receptive field after a windowed layer, per dimension. */
function stepField(
  field: ReceptiveField[] | null,
  w: { kernel: number[]; stride: number[]; dilation: number[]; padBegin: number[] },
): ReceptiveField[] | null {
  return (
    field?.map((f, d) => ({
      size: f.size + w.dilation[d]! * (w.kernel[d]! - 1) * f.jump,
      jump: f.jump * w.stride[d]!,
      start: f.start - w.padBegin[d]! * f.jump,
    })) ?? null
  );
}

function windowOf(where: string, layer: Record<string, unknown>, value: Value) {
  const inputSize = spatialOfValue(where, String(layer.type), value);
  const rank = inputSize.length;
  const kernelSize = spatialOf(`${where}.kernel`, layer.kernel, rank, Number.NaN);
  if (layer.kernel === undefined)
    throw problem(`${where}.kernel`, undefined, 'a number or an array');
  const stride = spatialOf(`${where}.stride`, layer.stride, rank, 1);
  const dilation = spatialOf(`${where}.dilation`, layer.dilation, rank, 1);
  const pads = padsOf(`${where}.pad`, layer.pad, { inputSize, kernelSize, stride, dilation });
  return { inputSize, kernelSize, stride, dilation, ...pads };
}

type Step = { value: Value; counts: Counts };

function convStep(where: string, layer: Record<string, unknown>, value: Value): Step {
  const w = windowOf(where, layer, value);
  const p: ConvProblem = {
    mode: 'cross-correlation',
    batch: 1,
    inChannels: value.shape[0]!,
    outChannels: positiveInteger(`${where}.out`, layer.out),
    groups: positiveInteger(`${where}.groups`, layer.groups ?? 1),
    ...w,
    bias: booleanOf(`${where}.bias`, layer.bias, true),
  };
  let g: ConvGeometry;
  try {
    g = convGeometry(p);
  } catch (e) {
    if (e instanceof ProblemError)
      throw new ProblemError(`${where}: ${e.field}`, e.value, e.expected);
    throw e;
  }
  return {
    value: {
      shape: [g.outChannels, ...g.outputSize],
      field: stepField(value.field, { kernel: w.kernelSize, ...w }),
    },
    counts: {
      weights: g.weightLength,
      biases: g.biasLength,
      buffers: 0,
      macs: macs(g),
      problem: p,
    },
  };
}

function poolStep(where: string, layer: Record<string, unknown>, value: Value): Step {
  const w = windowOf(where, layer, value);
  const op = layer.type as 'maxpool' | 'avgpool';
  const ceil = booleanOf(`${where}.ceil`, layer.ceil, false);
  // poolGeometry walks every window: bound the output in closed form first.
  const planned = w.inputSize.map((input, d) =>
    outputSize(
      input,
      w.kernelSize[d]!,
      w.stride[d]!,
      w.dilation[d]!,
      w.padBegin[d]!,
      w.padEnd[d]!,
      ceil,
    ),
  );
  checkSize(`${where} output`, [value.shape[0]!, ...planned.map((o) => Math.max(o, 1))]);
  let outputSizes: readonly number[];
  try {
    outputSizes = poolGeometry({
      op,
      batch: 1,
      channels: value.shape[0]!,
      ...w,
      ceilMode: ceil,
      countIncludePad: booleanOf(`${where}.countIncludePad`, layer.countIncludePad, false),
    }).outputSize;
  } catch (e) {
    if (e instanceof ProblemError)
      throw new ProblemError(`${where}: ${e.field}`, e.value, e.expected);
    throw e;
  }
  return {
    value: {
      shape: [value.shape[0]!, ...outputSizes],
      field: stepField(value.field, { kernel: w.kernelSize, ...w }),
    },
    counts: NONE,
  };
}

/** Adaptive average pooling: window i spans [⌊i·I/O⌋, ⌈(i+1)·I/O⌉). */
function adaptiveStep(where: string, layer: Record<string, unknown>, value: Value): Step {
  const inputSize = spatialOfValue(where, 'adaptiveavgpool', value);
  if (layer.output === undefined)
    throw problem(`${where}.output`, undefined, 'a number or an array');
  const output = spatialOf(`${where}.output`, layer.output, inputSize.length, 1);
  checkSize(`${where}.output`, [value.shape[0]!, ...output]);
  const windows = inputSize.map((input, i) => {
    const o = output[i]!;
    let widest = 0;
    for (let j = 0; j < o; j++) {
      widest = Math.max(widest, Math.ceil(((j + 1) * input) / o) - Math.floor((j * input) / o));
    }
    // Exact when I is a multiple of O; otherwise the widest window bounds the field.
    return { widest, stride: Math.max(1, Math.floor(input / o)) };
  });
  return {
    value: {
      shape: [value.shape[0]!, ...output],
      field: stepField(value.field, {
        kernel: windows.map((x) => x.widest),
        stride: windows.map((x) => x.stride),
        dilation: windows.map(() => 1),
        padBegin: windows.map(() => 0),
      }),
    },
    counts: NONE,
  };
}

function fcStep(where: string, layer: Record<string, unknown>, value: Value): Step {
  const features = volume(value.shape);
  const out = positiveInteger(`${where}.out`, layer.out);
  const weights = features * out;
  const biases = booleanOf(`${where}.bias`, layer.bias, true) ? out : 0;
  return {
    value: { shape: [out], field: null },
    counts: { weights, biases, buffers: 0, macs: weights },
  };
}

/** Joins several inputs: add (equal shapes), mul (equal, or [C, 1, …] broadcast), concat (channels). */
function joinStep(where: string, type: 'add' | 'mul' | 'concat', values: Value[]): Step {
  const [first, ...rest] = values;
  if (first === undefined || rest.length === 0 || (type === 'mul' && rest.length !== 1)) {
    throw problem(
      `${where}.inputs`,
      values.length,
      type === 'mul' ? 'two inputs' : 'two or more inputs',
    );
  }
  const shapes = values.map((v) => `[${v.shape.join(', ')}]`).join(' and ');
  const sameRank = values.every((v) => v.shape.length === first.shape.length);
  const ok =
    sameRank &&
    rest.every((v) =>
      v.shape.every((n, d) => {
        if (type === 'concat') return d === 0 || n === first.shape[d];
        if (type === 'mul') return n === first.shape[d] || (d > 0 && n === 1);
        return n === first.shape[d];
      }),
    );
  if (!ok) {
    const rule =
      type === 'concat'
        ? 'inputs of equal spatial size'
        : type === 'mul'
          ? 'inputs of equal shape, or the second [C, 1, …] (squeeze-excitation)'
          : 'inputs of equal shape';
    throw new ProblemError(`${where}.inputs`, shapes, rule);
  }
  const shape =
    type === 'concat'
      ? [values.reduce((c, v) => c + v.shape[0]!, 0), ...first.shape.slice(1)]
      : [...first.shape];
  return { value: { shape, field: widestField(values) }, counts: NONE };
}

/** The receptive field of a join: the widest of its inputs' (per dimension). */
function widestField(values: Value[]): ReceptiveField[] | null {
  if (values.some((v) => v.field === null)) return null;
  return values[0]!.field!.map((_, d) =>
    values.map((v) => v.field![d]!).reduce((a, b) => (b.size > a.size ? b : a)),
  );
}

function applyLayer(where: string, layer: Record<string, unknown>, values: Value[]): Step {
  const type = layer.type as LayerSpec['type'];
  if (type === 'add' || type === 'mul' || type === 'concat') return joinStep(where, type, values);
  if (values.length !== 1)
    throw problem(`${where}.inputs`, values.length, `one input for a ${type} layer`);
  const value = values[0]!;
  switch (type) {
    case 'conv':
      return convStep(where, layer, value);
    case 'maxpool':
    case 'avgpool':
      return poolStep(where, layer, value);
    case 'adaptiveavgpool':
      return adaptiveStep(where, layer, value);
    case 'fc':
      return fcStep(where, layer, value);
    case 'batchnorm': {
      // Frameworks count scale and shift as parameters; running mean and variance are buffers.
      const c = value.shape[0]!;
      return { value, counts: { weights: c, biases: c, buffers: 2 * c, macs: 0 } };
    }
    case 'flatten':
      return { value: { shape: [volume(value.shape)], field: null }, counts: NONE };
    default:
      return { value, counts: NONE };
  }
}

/** Checks a layer's keys and common fields; returns its name. */
function checkLayer(index: number, raw: unknown, counters: Record<string, number>): string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw problem(`layers[${index}]`, raw, 'a layer object');
  }
  const layer = raw as Record<string, unknown>;
  const where = at(index, layer);
  if (typeof layer.type !== 'string' || !TYPES.includes(layer.type)) {
    throw problem(`${where}.type`, layer.type, `one of ${TYPES.join(', ')}`);
  }
  const allowed = [...COMMON_KEYS, ...KEYS[layer.type as LayerSpec['type']]];
  for (const key of Object.keys(layer)) {
    if (!allowed.includes(key)) {
      throw problem(
        `${where}.${key}`,
        layer[key],
        `absent: a ${layer.type} layer has no key '${key}' (keys: ${allowed.join(', ')})`,
      );
    }
  }
  if (
    layer.name !== undefined &&
    (typeof layer.name !== 'string' || layer.name === '' || layer.name === 'input')
  ) {
    throw problem(`${where}.name`, layer.name, "a non-empty string other than 'input'");
  }
  if (layer.note !== undefined && typeof layer.note !== 'string')
    throw problem(`${where}.note`, layer.note, 'a string');
  counters[layer.type] = (counters[layer.type] ?? 0) + 1;
  return (layer.name as string | undefined) ?? `${layer.type}${counters[layer.type]}`;
}

/** The names a layer reads: its `inputs`, each an earlier layer or 'input'; default the previous one. */
function inputsOf(
  where: string,
  layer: Record<string, unknown>,
  previous: string,
  known: Map<string, Value>,
): string[] {
  if (layer.inputs === undefined) return [previous];
  if (!Array.isArray(layer.inputs) || layer.inputs.length === 0) {
    throw problem(`${where}.inputs`, layer.inputs, 'a non-empty array of earlier layer names');
  }
  return layer.inputs.map((name, i) => {
    if (typeof name !== 'string' || !known.has(name)) {
      throw problem(`${where}.inputs[${i}]`, name, "the name of an earlier layer, or 'input'");
    }
    return name;
  });
}

function checkTop(spec: unknown): { input: number[]; layers: unknown[]; name?: string } {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw problem('network', spec, 'an object');
  const top = spec as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!['name', 'description', 'input', 'layers'].includes(key)) {
      throw problem(key, top[key], 'absent: a model has only name, description, input and layers');
    }
  }
  for (const key of ['name', 'description']) {
    if (top[key] !== undefined && typeof top[key] !== 'string')
      throw problem(key, top[key], 'a string');
  }
  const input = top.input;
  if (!Array.isArray(input) || input.length < 2 || input.length > 4) {
    throw problem('input', input, '[C, W], [C, H, W] or [C, D, H, W]');
  }
  for (const [i, v] of input.entries()) positiveInteger(`input[${i}]`, v);
  checkSize('input', input as number[]);
  if (!Array.isArray(top.layers)) throw problem('layers', top.layers, 'an array of layers');
  if (top.layers.length > MAX_LAYERS)
    throw problem('layers', top.layers, `at most ${MAX_LAYERS} layers`);
  return {
    input: input as number[],
    layers: top.layers,
    ...(typeof top.name === 'string' ? { name: top.name } : {}),
  };
}

/**
 * Walks a network description and reports each layer's output shape,
 * parameters, buffers, MACs and receptive field, and the totals. Throws a
 * ProblemError naming the layer and key of anything malformed.
 *
 * @example
 * ```ts
 * const report = analyzeNetwork({ input: [3, 227, 227], layers: [
 *   { type: 'conv', out: 96, kernel: 11, stride: 4, pad: 0 } ] });
 * report.layers[0].outputShape; // [96, 55, 55]
 * ```
 */
export function analyzeNetwork(spec: NetworkSpec): NetworkReport {
  const top = checkTop(spec);
  const known = new Map<string, Value>([
    [
      'input',
      {
        shape: [...top.input],
        field: top.input.slice(1).map(() => ({ size: 1, jump: 1, start: 0 })),
      },
    ],
  ]);
  const counters: Record<string, number> = {};
  let previous = 'input';
  const layers = top.layers.map((raw, index): LayerReport => {
    const name = checkLayer(index, raw, counters);
    const layer = raw as Record<string, unknown>;
    const where = at(index, layer);
    if (known.has(name))
      throw problem(`${where}.name`, name, 'unique (an earlier layer has this name)');
    const inputs = inputsOf(where, layer, previous, known);
    const { value, counts } = applyLayer(
      where,
      layer,
      inputs.map((n) => known.get(n)!),
    );
    checkSize(`${where} output`, value.shape);
    known.set(name, value);
    previous = name;
    return {
      index,
      name,
      type: layer.type as LayerSpec['type'],
      inputs,
      outputShape: [...value.shape],
      weights: counts.weights,
      biases: counts.biases,
      parameters: counts.weights + counts.biases,
      buffers: counts.buffers,
      macs: counts.macs,
      receptiveField: value.field?.map((f) => ({ ...f })) ?? null,
      ...(counts.problem ? { problem: counts.problem } : {}),
      ...(typeof layer.note === 'string' ? { note: layer.note } : {}),
    };
  });
  const sum = (key: 'parameters' | 'weights' | 'buffers' | 'macs') =>
    layers.reduce((s, l) => s + l[key], 0);
  return {
    ...(top.name === undefined ? {} : { name: top.name }),
    input: [...top.input],
    layers,
    totalParameters: sum('parameters'),
    totalWeights: sum('weights'),
    totalBuffers: sum('buffers'),
    totalMacs: sum('macs'),
  };
}

/** Parses a network JSON text, with errors that name the file. */
export function parseNetwork(text: string, source = 'network'): NetworkSpec {
  try {
    return JSON.parse(text) as NetworkSpec;
  } catch (e) {
    const reason = e instanceof RangeError ? 'nested too deeply' : (e as Error).message;
    throw new ProblemError(source, show(text.slice(0, 40)), `valid JSON (${reason})`);
  }
}
