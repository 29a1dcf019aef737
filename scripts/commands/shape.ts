/**
 * `convcheck shape <problem>`: output size, parameter count, MACs and receptive
 * field of one layer, from a descriptor or JSON.
 */
import type { Command } from 'commander';
import {
  type ConvGeometry,
  convGeometry,
  flops,
  formatDescriptor,
  macs,
  type PoolGeometry,
  parameterCount,
  poolGeometry,
  receptiveField,
  type SpatialGeometry,
} from '../../reference/index.ts';
import { JSON_OPTION_HELP, toStdout, writeOutput } from '../output-file.ts';
import { readProblem } from '../problem-input.ts';

/** The facts `shape` prints, as JSON. */
export interface ShapeReport {
  descriptor: string;
  kind: 'conv' | 'pool';
  inputShape: readonly number[];
  weightShape?: readonly number[];
  outputShape: readonly number[];
  outputSize: readonly number[];
  effectiveKernel: readonly number[];
  parameters: number;
  macs: number;
  flops: number;
  receptiveField: { size: number; jump: number; start: number }[];
}

function fieldOf(g: SpatialGeometry) {
  return g.kernelSize.map((k, i) =>
    receptiveField([
      { kernel: k, stride: g.stride[i]!, dilation: g.dilation[i]!, padBegin: g.padBegin[i]! },
    ]),
  );
}

/**
 * Computes the shape report of one problem.
 *
 * @example
 * ```ts
 * shapeReport('xcorr:ic3oc8_ih32iw32_kh5kw5').outputSize; // [28, 28]
 * ```
 */
export function shapeReport(text: string): ShapeReport {
  const parsed = readProblem(text);
  if (parsed.kind === 'conv') {
    const g: ConvGeometry = convGeometry(parsed.problem);
    return {
      descriptor: formatDescriptor(parsed.problem),
      kind: 'conv',
      inputShape: g.inputShape,
      weightShape: g.weightShape,
      outputShape: g.outputShape,
      outputSize: g.outputSize,
      effectiveKernel: g.effectiveKernel,
      parameters: parameterCount(g),
      macs: macs(g),
      flops: flops(g),
      receptiveField: fieldOf(g),
    };
  }
  const g: PoolGeometry = poolGeometry(parsed.problem);
  return {
    descriptor: formatDescriptor(parsed.problem),
    kind: 'pool',
    inputShape: g.inputShape,
    outputShape: g.outputShape,
    outputSize: g.outputSize,
    effectiveKernel: g.effectiveKernel,
    parameters: 0,
    macs: 0,
    flops: 0,
    receptiveField: fieldOf(g),
  };
}

const dims = (shape: readonly number[]) => shape.join('×');

/** Human-readable lines of a shape report. */
export function formatShapeReport(r: ShapeReport): string {
  const lines = [
    `descriptor       ${r.descriptor}`,
    `input            ${dims(r.inputShape)}`,
    ...(r.weightShape ? [`weight           ${dims(r.weightShape)}`] : []),
    `output           ${dims(r.outputShape)}   (output size ${dims(r.outputSize)})`,
    `effective kernel ${dims(r.effectiveKernel)}`,
    `parameters       ${r.parameters.toLocaleString('en-US')}`,
    `MACs             ${r.macs.toLocaleString('en-US')}   (FLOPs ${r.flops.toLocaleString('en-US')})`,
    `receptive field  ${dims(r.receptiveField.map((f) => f.size))}, jump ${dims(r.receptiveField.map((f) => f.jump))}, start ${r.receptiveField.map((f) => f.start).join(',')}`,
  ];
  return lines.join('\n');
}

/** Registers `shape` on the program. */
export function registerShape(program: Command): void {
  program
    .command('shape')
    .description('print output size, parameters, MACs and receptive field of one layer')
    .argument('<problem>', "descriptor (e.g. 'xcorr:ic3oc8_ih32iw32_kh5kw5') or problem JSON")
    .option('--json <file>', JSON_OPTION_HELP)
    .action((text: string, options: { json?: string }) => {
      const report = shapeReport(text);
      if (!toStdout(options.json)) process.stdout.write(`${formatShapeReport(report)}\n`);
      writeOutput(options.json, `${JSON.stringify(report, null, 2)}\n`);
    });
}
