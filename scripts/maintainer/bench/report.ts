/**
 * Turns benchmark cells into the printed tables, the target ratios and the
 * JSON document.
 *
 * Over 300 lines, on purpose: the printed tables, the target ratios and the JSON document are
 * three views of one run's cells and share their lookups.
 */
import { convGeometry, flops, formatDescriptor } from '../../../reference/index.ts';
import type { MachineInfo } from './machine.ts';
import type { CellResult } from './run.ts';
import type { BenchShape } from './shapes.ts';

/** A speed ratio the targets ask for, computed within one run. */
export interface RatioTarget {
  /** An implementation, or a label such as 'fastest built-in' for `candidates`. */
  numerator: string;
  /** When set, the numerator is the fastest usable of these in each shape. */
  candidates?: readonly string[];
  denominator: string;
  shapes: readonly string[];
  /** Wanted: numerator GFLOP/s ≥ target × denominator GFLOP/s. */
  target: number;
}

/** Our single-thread kernels: the "fastest built-in" of the issue 22 targets is one of these. */
export const singleThreadBuiltins: readonly string[] = [
  'im2col',
  'im2col-simd',
  'winograd-f2',
  'winograd-f4',
  'winograd-f2-simd',
  'winograd-f4-simd',
];

/**
 * The targets of the kernels issue.
 *
 * @example
 * ```ts
 * ratioTargets[0]; // im2col / tfjs-cpu on a–d, ≥ 5×
 * ```
 */
export const ratioTargets: readonly RatioTarget[] = [
  { numerator: 'im2col', denominator: 'tfjs-cpu', shapes: ['a', 'b', 'c', 'd'], target: 5 },
  { numerator: 'winograd-f4', denominator: 'im2col', shapes: ['a', 'b'], target: 2 },
  // Issue 22 (WebAssembly SIMD): our fastest single-thread kernel against the peers'
  // native code, Winograd against im2col on the same GEMM, and two threads against one.
  {
    numerator: 'fastest built-in',
    candidates: singleThreadBuiltins,
    denominator: 'tfjs-wasm',
    shapes: ['a', 'b', 'd'],
    target: 1,
  },
  {
    numerator: 'fastest built-in',
    candidates: singleThreadBuiltins,
    denominator: 'ort',
    shapes: ['a', 'b'],
    target: 0.5,
  },
  { numerator: 'winograd-f4-simd', denominator: 'im2col-simd', shapes: ['a', 'b'], target: 1.5 },
  { numerator: 'im2col-simd-2t', denominator: 'im2col-simd', shapes: ['a'], target: 1.7 },
];

/** One computed ratio, or why it could not be computed. */
export interface RatioResult {
  numerator: string;
  denominator: string;
  shape: string;
  target: number;
  ratio: number | null;
  met: boolean | null;
  /** For a 'fastest built-in' target: which implementation was fastest on the shape. */
  fastest?: string;
  why?: string;
}

function cellOf(cells: readonly CellResult[], shape: string, impl: string) {
  return cells.find((c) => c.shape === shape && c.impl === impl);
}

/** GFLOP/s of a measured, correct cell, or why there is none. */
function usableSpeed(cell: CellResult | undefined, impl: string): number | string {
  if (cell === undefined) return `${impl} not run`;
  if (cell.status !== 'measured') return `${impl} ${cell.status}`;
  if (!cell.check.ok) return `${impl} output wrong`;
  return cell.gflops;
}

/** The fastest measured, correct cell among `candidates` on a shape, or why there is none. */
function fastestOf(
  cells: readonly CellResult[],
  shape: string,
  candidates: readonly string[],
): { impl: string; gflops: number } | string {
  let best: { impl: string; gflops: number } | undefined;
  for (const impl of candidates) {
    const speed = usableSpeed(cellOf(cells, shape, impl), impl);
    if (typeof speed === 'number' && (best === undefined || speed > best.gflops)) {
      best = { impl, gflops: speed };
    }
  }
  return best ?? `none of ${candidates.join(', ')} measured correct`;
}

/**
 * The target ratios over the shapes that were run.
 *
 * @example
 * ```ts
 * for (const r of computeRatios(cells)) console.log(r.shape, r.ratio);
 * ```
 */
export function computeRatios(cells: readonly CellResult[]): RatioResult[] {
  const ran = new Set(cells.map((c) => c.shape));
  const results: RatioResult[] = [];
  for (const t of ratioTargets) {
    for (const shape of t.shapes.filter((s) => ran.has(s))) {
      const fastest = t.candidates ? fastestOf(cells, shape, t.candidates) : undefined;
      const top =
        fastest === undefined
          ? usableSpeed(cellOf(cells, shape, t.numerator), t.numerator)
          : typeof fastest === 'string'
            ? fastest
            : fastest.gflops;
      const bottom = usableSpeed(cellOf(cells, shape, t.denominator), t.denominator);
      const base = {
        numerator: t.numerator,
        denominator: t.denominator,
        shape,
        target: t.target,
        ...(typeof fastest === 'object' ? { fastest: fastest.impl } : {}),
      };
      if (typeof top === 'string' || typeof bottom === 'string') {
        const why = [top, bottom].filter((v) => typeof v === 'string').join('; ');
        results.push({ ...base, ratio: null, met: null, why });
      } else {
        results.push({ ...base, ratio: top / bottom, met: top / bottom >= t.target });
      }
    }
  }
  return results;
}

/** Numbers each distinct n/a or error reason once, for footnotes. */
class Footnotes {
  private readonly reasons: string[] = [];

  mark(reason: string): string {
    let index = this.reasons.indexOf(reason);
    if (index < 0) index = this.reasons.push(reason) - 1;
    return `[${index + 1}]`;
  }

  lines(): string[] {
    return this.reasons.map((reason, i) => `  [${i + 1}] ${reason}`);
  }
}

function formatRows(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) =>
    r
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join('  ')
      .trimEnd(),
  );
}

function speedCell(cell: CellResult | undefined, notes: Footnotes): string {
  if (cell === undefined) return '-';
  if (cell.status !== 'measured') return `${cell.status} ${notes.mark(cell.reason)}`;
  const digits = cell.gflops < 10 ? 2 : 1;
  return `${cell.gflops.toFixed(digits)} ${cell.check.ok ? '✓' : '✗'}`;
}

function timeCell(cell: CellResult | undefined): string {
  if (cell?.status !== 'measured') return '-';
  const t = cell.timing;
  const ms = (v: number) => (v < 100 ? v.toFixed(1) : v.toFixed(0));
  return `${ms(t.medianMs)} [${ms(t.minMs)}–${ms(t.maxMs)}] ×${t.runs}`;
}

/**
 * The printed report: GFLOP/s table (✓ checked against the oracle, ✗ wrong),
 * times table, footnotes, wrong-output details and ratios.
 *
 * @example
 * ```ts
 * console.log(formatReport(shapes, implIds, cells).join('\n'));
 * ```
 */
export function formatReport(
  shapes: readonly BenchShape[],
  implIds: readonly string[],
  cells: readonly CellResult[],
): string[] {
  const notes = new Footnotes();
  const header = ['shape', 'layer', 'MFLOP', ...implIds];
  const speedRows = shapes.map((s) => [
    s.id,
    s.layer,
    (flops(convGeometry(s.problem)) / 1e6).toFixed(1),
    ...implIds.map((impl) => speedCell(cellOf(cells, s.id, impl), notes)),
  ]);
  const timeRows = shapes.map((s) => [
    s.id,
    ...implIds.map((impl) => timeCell(cellOf(cells, s.id, impl))),
  ]);
  const lines = [
    'GFLOP/s from the median time (✓ output within bound of the oracle, ✗ wrong):',
    ...formatRows([header, ...speedRows]),
    '',
    'median ms [min–max] ×timed runs:',
    ...formatRows([['shape', ...implIds], ...timeRows]),
  ];
  const wrong = cells.filter((c) => c.status === 'measured' && !c.check.ok);
  for (const c of wrong) {
    if (c.status !== 'measured') continue;
    lines.push(
      `✗ ${c.shape} × ${c.impl}: ${c.check.failures} elements outside ${c.check.bound} ` +
        `(worst error ${c.check.worstRatio.toExponential(2)}× the bound)`,
    );
  }
  const bounds = new Map<string, Set<string>>();
  for (const c of cells) {
    if (c.status === 'measured')
      bounds.set(c.impl, (bounds.get(c.impl) ?? new Set()).add(c.check.bound));
  }
  lines.push('', 'checked against the oracle with:');
  for (const [impl, names] of bounds) lines.push(`  ${impl}: ${[...names].join('; ')}`);
  const footnotes = notes.lines();
  if (footnotes.length > 0) lines.push('', 'n/a and errors:', ...footnotes);
  return lines;
}

/**
 * The ratio lines.
 *
 * @example
 * ```ts
 * console.log(formatRatios(computeRatios(cells)).join('\n'));
 * ```
 */
export function formatRatios(ratios: readonly RatioResult[]): string[] {
  return ratios.map((r) => {
    const numerator = r.fastest ? `${r.numerator} (${r.fastest})` : r.numerator;
    const name = `${numerator} / ${r.denominator} on ${r.shape}`;
    if (r.ratio === null) return `  ${name}: n/a (${r.why})`;
    const verdict = r.met ? 'meets' : 'misses';
    return `  ${name}: ${r.ratio.toFixed(2)}× (${verdict} target ≥ ${r.target}×)`;
  });
}

/** The `--json` document. */
export interface BenchJson {
  machine: MachineInfo & { mode: string; timing: unknown };
  shapes: { id: string; layer: string; descriptor: string; flops: number }[];
  results: {
    shape: string;
    impl: string;
    gflops: number;
    medianMs: number;
    minMs: number;
    maxMs: number;
    runs: number;
    correct: boolean;
    /** The per-element bound the first output was checked with. */
    bound: string;
    note?: string;
  }[];
  unavailable: { shape: string; impl: string; status: string; reason: string }[];
  ratios: RatioResult[];
}

/**
 * Builds the JSON document: measured cells in `results`, the rest in
 * `unavailable`.
 *
 * @example
 * ```ts
 * writeFileSync(file, JSON.stringify(benchJson(machine, shapes, cells, ratios), null, 2));
 * ```
 */
export function benchJson(
  machine: BenchJson['machine'],
  shapes: readonly BenchShape[],
  cells: readonly CellResult[],
  ratios: readonly RatioResult[],
): BenchJson {
  const json: BenchJson = {
    machine,
    shapes: shapes.map((s) => ({
      id: s.id,
      layer: s.layer,
      descriptor: formatDescriptor(s.problem),
      flops: flops(convGeometry(s.problem)),
    })),
    results: [],
    unavailable: [],
    ratios: [...ratios],
  };
  for (const c of cells) {
    if (c.status === 'measured') {
      json.results.push({
        shape: c.shape,
        impl: c.impl,
        gflops: c.gflops,
        ...c.timing,
        correct: c.check.ok,
        bound: c.check.bound,
        ...(c.note === undefined ? {} : { note: c.note }),
      });
    } else {
      json.unavailable.push({ shape: c.shape, impl: c.impl, status: c.status, reason: c.reason });
    }
  }
  return json;
}
