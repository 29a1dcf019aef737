/**
 * `convcheck params <model.json>`: per-layer output shape, parameters, MACs
 * and receptive field of a network, then the totals.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { analyzeNetwork, type NetworkReport, parseNetwork } from '../../reference/index.ts';
import { UsageError } from '../cli-error.ts';
import { JSON_OPTION_HELP, toStdout } from '../output-file.ts';
import { checkOutputFile } from '../output-paths.ts';
import { MAX_JSON_BYTES, readRegularFile } from '../read-input.ts';

const n = (v: number) => v.toLocaleString('en-US');

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

/**
 * Renders a network report as a plain-text table with totals and notes.
 *
 * @example
 * ```ts
 * console.log(formatNetworkTable(analyzeNetwork(spec)));
 * ```
 */
export function formatNetworkTable(report: NetworkReport): string {
  const header = [
    'layer',
    'output',
    'weights',
    'biases',
    'params',
    'buffers',
    'MACs',
    'receptive field',
  ];
  const rows = report.layers.map((l) => [
    l.name,
    l.outputShape.join('×'),
    n(l.weights),
    n(l.biases),
    n(l.parameters),
    n(l.buffers),
    n(l.macs),
    l.receptiveField === null
      ? 'whole input'
      : `${l.receptiveField.map((f) => f.size).join('×')} (jump ${l.receptiveField.map((f) => f.jump).join('×')})`,
  ]);
  const total = [
    'total',
    '',
    n(report.totalWeights),
    '',
    n(report.totalParameters),
    n(report.totalBuffers),
    n(report.totalMacs),
    '',
  ];
  const all = [header, ...rows, total];
  // A reduce, not Math.max(...): a model may have more rows than a call has arguments.
  const widths = header.map((_, i) => all.reduce((w, r) => Math.max(w, r[i]!.length), 0));
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const notes = report.layers
    .filter((l) => l.note !== undefined)
    .map((l) => `note (${l.name}): ${l.note}`);
  return [
    ...(report.name === undefined ? [] : [report.name]),
    `input ${report.input.join('×')}`,
    pad(header, widths),
    rule,
    ...rows.map((r) => pad(r, widths)),
    rule,
    pad(total, widths),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}

/**
 * The JSON report in pieces, one layer per piece, so a large model never needs
 * one string longer than V8 allows.
 *
 * @example
 * ```ts
 * for (const chunk of networkJsonChunks(report)) process.stdout.write(chunk);
 * ```
 */
export function* networkJsonChunks(report: NetworkReport): Generator<string> {
  const { layers, ...totals } = report;
  const head = JSON.stringify(totals, null, 2);
  yield `${head.slice(0, -2)},\n  "layers": [`;
  for (const [i, layer] of layers.entries()) {
    yield `${i === 0 ? '' : ','}\n    ${JSON.stringify(layer)}`;
  }
  yield `${layers.length === 0 ? '' : '\n  '}]\n}\n`;
}

function readModel(path: string): string {
  return readRegularFile(path, { what: 'model file', maxBytes: MAX_JSON_BYTES }).toString('utf8');
}

/** Writes the JSON report chunk by chunk (a large model's report is too long for one string). */
function writeJsonChunks(path: string, chunks: Iterable<string>): void {
  if (toStdout(path)) {
    for (const chunk of chunks) process.stdout.write(chunk);
    return;
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'w');
    try {
      for (const chunk of chunks) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UsageError(`--json ${path}: the report could not be written (${code})`);
  }
}

/** Registers `params` on the program. */
export function registerParams(program: Command): void {
  program
    .command('params')
    .description('print each layer of a network JSON with its parameters, MACs and receptive field')
    .argument('<model.json>', 'model file (docs/models.md; e.g. fixtures/models/resnet18.json)')
    .option('--json <file>', JSON_OPTION_HELP)
    .action((path: string, options: { json?: string }) => {
      if (options.json !== undefined && !toStdout(options.json)) {
        checkOutputFile('--json', options.json);
      }
      const report = analyzeNetwork(parseNetwork(readModel(path), path));
      if (!toStdout(options.json)) process.stdout.write(`${formatNetworkTable(report)}\n`);
      if (options.json !== undefined) writeJsonChunks(options.json, networkJsonChunks(report));
    });
}
