/**
 * Measures the float32 Winograd kernels' worst error against the float64 oracle on
 * many random problems and prints it next to the derived bounds (the table of
 * docs/winograd.md).
 *
 *   npx tsx scripts/measure-winograd-error.ts [problemsPerRow] [seed]
 *
 * Per output element: err = |ŷ − ref|, Σ|x·w| = the oracle on |x| and |w|, and
 * S = Σ_c ‖g_c‖∞·‖d_c‖∞ over the element's input tile. Columns, in units of
 * u = 2^-24: the worst err/Σ|x·w| (elements with Σ|x·w| = 0, windows wholly in
 * padding, are counted apart), the worst err/S next to the derived c·max amp, and
 * the worst err/bound of winogradErrorBound (must stay ≤ 1).
 */

import { winogradErrorBound } from '../impl/winograd/error-bound.ts';
import { createWinogradKernel } from '../impl/winograd/kernel.ts';
import type { WinogradPointChooser } from '../impl/winograd/plan.ts';
import { rational } from '../impl/winograd/transforms.ts';
import { unitRoundoff } from '../reference/float.ts';
import {
  type ConvProblem,
  convGeometry,
  formatDescriptor,
  referenceConv,
} from '../reference/index.ts';
import { type Random, randomFloat32, randomInteger, seededRandom } from '../reference/random.ts';

const U32 = unitRoundoff('float32');

interface Row {
  label: string;
  m: number;
  r: number;
  rank: 1 | 2;
  points?: WinogradPointChooser;
  low: number;
}

interface Worst {
  perSum: number;
  /** err/Σ|x·w| over outputs whose window lies wholly inside the input. */
  perSumInside: number;
  perScale: number;
  perBound: number;
  /** Largest c·amp met (depends on C_in/groups through γ_K), in units of u. */
  derived: number;
  zeroSumElements: number;
  zeroSumWorst: number;
  elements: number;
  worstProblem: string;
}

/** A random stride-1 problem of the row's rank and kernel size, with C_in/groups ≤ 8. */
function randomProblem(random: Random, row: Row): ConvProblem {
  const rank = row.rank;
  const inputSize = Array.from({ length: rank }, () => randomInteger(random, row.r, row.r + 13));
  const groups = randomInteger(random, 1, 2);
  return {
    mode: random() < 0.5 ? 'cross-correlation' : 'convolution',
    batch: 1,
    inChannels: groups * randomInteger(random, 1, 8),
    outChannels: groups * randomInteger(random, 1, 3),
    groups,
    inputSize,
    kernelSize: Array(rank).fill(row.r),
    stride: Array(rank).fill(1),
    dilation: Array(rank).fill(1),
    padBegin: Array.from({ length: rank }, () => randomInteger(random, 0, row.r)),
    padEnd: Array.from({ length: rank }, () => randomInteger(random, 0, row.r)),
    bias: false,
  };
}

function measureRow(row: Row, problems: number, seed: number): Worst {
  const random = seededRandom(seed);
  const points = row.points ? { points: row.points } : {};
  const kernel = createWinogradKernel({ m: row.m, ...points });
  const worst: Worst = {
    perSum: 0,
    perSumInside: 0,
    perScale: 0,
    perBound: 0,
    derived: 0,
    zeroSumElements: 0,
    zeroSumWorst: 0,
    elements: 0,
    worstProblem: '',
  };
  for (let i = 0; i < problems; i++) {
    const p = randomProblem(random, row);
    const g = convGeometry(p);
    const x = randomFloat32(random, g.inputLength, row.low, 1);
    const w = randomFloat32(random, g.weightLength, row.low, 1);
    const y = kernel.conv(p, x, w) as Float32Array;
    const ref = referenceConv(p, x, w);
    const sums = referenceConv(p, x.map(Math.abs), w.map(Math.abs));
    const bound = winogradErrorBound(p, x, w, undefined, { m: row.m, dtype: 'float32', ...points });
    const inside = windowsInside(p);
    for (let j = 0; j < ref.length; j++) {
      const err = Math.abs(y[j]! - ref[j]!);
      const limit = bound.absolute[j]! + bound.relative * Math.abs(ref[j]!);
      worst.elements++;
      worst.derived = Math.max(worst.derived, (bound.factor * bound.amplification[j]!) / U32);
      worst.perBound = Math.max(worst.perBound, limit > 0 ? err / limit : err > 0 ? Infinity : 0);
      if (bound.scale[j]! > 0)
        worst.perScale = Math.max(worst.perScale, err / bound.scale[j]! / U32);
      if (sums[j] === 0) {
        worst.zeroSumElements++;
        worst.zeroSumWorst = Math.max(worst.zeroSumWorst, err / U32);
        continue;
      }
      const ratio = err / sums[j]! / U32;
      if (inside[j]) worst.perSumInside = Math.max(worst.perSumInside, ratio);
      if (ratio > worst.perSum) {
        worst.perSum = ratio;
        worst.worstProblem = formatDescriptor(p);
      }
    }
  }
  return worst;
}

/** Per output element: whether its window lies wholly inside the input (no padding taps). */
function windowsInside(p: ConvProblem): boolean[] {
  const g = convGeometry(p);
  const inside = (axis: number, o: number) => {
    const start = o - g.padBegin[axis]!;
    return start >= 0 && start + g.kernelSize[axis]! <= g.inputSize[axis]!;
  };
  const out = g.outputSize;
  const spatial =
    g.rank === 1
      ? Array.from({ length: out[0]! }, (_, o) => inside(0, o))
      : Array.from({ length: out[0]! * out[1]! }, (_, o) => {
          const ow = o % out[1]!;
          return inside(0, (o - ow) / out[1]!) && inside(1, ow);
        });
  return Array.from({ length: g.outputLength }, (_, j) => spatial[j % spatial.length]!);
}

function format(value: number): string {
  if (value === 0) return '0';
  return value >= 1000 || value < 0.01 ? value.toExponential(2) : value.toPrecision(3);
}

const plusMinusThree: WinogradPointChooser = () => [
  ...[0, 1, -1, 2, -2, 3, -3].map((v) => rational(v)),
  'inf',
];

const rows: Row[] = [];
for (const rank of [1, 2] as const) {
  for (const low of [-1, 0]) {
    for (const m of [2, 4, 6]) rows.push({ label: `F(${m},3)`, m, r: 3, rank, low });
    rows.push({ label: 'F(6,3) ±3', m: 6, r: 3, rank, low, points: plusMinusThree });
  }
}

const problems = Number(process.argv[2] ?? 200);
const seed = Number(process.argv[3] ?? 20_251_128);
console.log(`${problems} random problems per row, seed ${seed}; figures in units of u = 2^-24`);
console.log(
  '| F | rank | data | max err/Σ|x·w| | same, windows inside the input | max err/S | ' +
    'derived c·amp | max err/bound | Σ|x·w| = 0: outputs, max err |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
const worstProblems: string[] = [];
rows.forEach((row, i) => {
  const worst = measureRow(row, problems, seed + i);
  const name = row.rank === 2 ? row.label.replace(/F\((\d),3\)/, 'F($1×$1,3×3)') : row.label;
  console.log(
    `| ${name} | ${row.rank}-D | ${row.low < 0 ? 'U(−1,1)' : 'U(0,1)'} | ${format(worst.perSum)} | ` +
      `${format(worst.perSumInside)} | ` +
      `${format(worst.perScale)} | ${format(worst.derived)} | ${format(worst.perBound)} | ` +
      `${worst.zeroSumElements}, ${format(worst.zeroSumWorst)} |`,
  );
  worstProblems.push(
    `${name} ${row.rank}-D ${row.low < 0 ? 'U(−1,1)' : 'U(0,1)'}: ${worst.worstProblem}`,
  );
});
console.log('\nWorst err/Σ|x·w| per row:');
for (const line of worstProblems) console.log(`  ${line}`);
