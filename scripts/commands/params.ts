/**
 * `convcheck params <model.json>`: per-layer output shape, parameters, MACs
 * and receptive field of a network, then the totals.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { analyzeNetwork, type NetworkReport, parseNetwork } from '../../reference/index.ts';
import { UsageError } from '../cli-error.ts';
import { JSON_OPTION_HELP, toStdout, writeOutput } from '../output-file.ts';

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
  const header = ['layer', 'output', 'weights', 'biases', 'params', 'MACs', 'receptive field'];
  const rows = report.layers.map((l) => [
    l.name,
    l.outputShape.join('×'),
    n(l.weights),
    n(l.biases),
    n(l.parameters),
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
    n(report.totalMacs),
    '',
  ];
  const all = [header, ...rows, total];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const notes = report.layers
    .filter((l) => l.note !== undefined)
    .map((l) => `note (${l.name}): ${l.note}`);
  return [
    `input ${report.input.join('×')}`,
    pad(header, widths),
    rule,
    ...rows.map((r) => pad(r, widths)),
    rule,
    pad(total, widths),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}

function readModel(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `cannot read model file ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`,
    );
  }
}

/** Registers `params` on the program. */
export function registerParams(program: Command): void {
  program
    .command('params')
    .description('print each layer of a network JSON with its parameters, MACs and receptive field')
    .argument('<model.json>', 'network description (see fixtures/models/alexnet.json)')
    .option('--json <file>', JSON_OPTION_HELP)
    .action((path: string, options: { json?: string }) => {
      const report = analyzeNetwork(parseNetwork(readModel(path), path));
      if (!toStdout(options.json)) process.stdout.write(`${formatNetworkTable(report)}\n`);
      writeOutput(options.json, `${JSON.stringify(report, null, 2)}\n`);
    });
}
