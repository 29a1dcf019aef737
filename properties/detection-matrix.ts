/**
 * Which property catches which deliberately broken kernel: runs every
 * conformance property and every law against every broken kernel (and, as a
 * control, the correct ones) with the default run count, and prints a
 * Markdown table. `F<n>` means fast-check found a counterexample at run n; `.`
 * means the property passed.
 *
 *   npx tsx properties/detection-matrix.ts [--seed 1] [--runs 100]
 */
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { ConvKernel } from '../reference/problem.ts';
import { correctKernels } from './broken/correct.ts';
import { brokenKernels } from './broken/kernels.ts';
import { conformanceProperty } from './conformance.ts';
import type { DataKind } from './data.ts';
import { referenceKernel } from './kernels.ts';
import { convLaws } from './laws/index.ts';

/** A named property factory over conv kernels. */
interface Row {
  name: string;
  make: (kernel: ConvKernel) => fc.IAsyncProperty<[unknown]>;
}

function rows(): Row[] {
  const conformance = (data: DataKind): Row => ({
    name: `conformance/${data}`,
    make: (k) => conformanceProperty(k, { data }) as fc.IAsyncProperty<[unknown]>,
  });
  return [
    conformance('exact'),
    conformance('real'),
    conformance('special'),
    ...convLaws.map(({ name, law }) => ({
      name: `law/${name}`,
      make: (k: ConvKernel) => law(k) as fc.IAsyncProperty<[unknown]>,
    })),
  ];
}

/**
 * The detection matrix as Markdown.
 *
 * @example
 * ```ts
 * console.log(await detectionMatrix({ seed: 1, runs: 100 }));
 * ```
 */
export async function detectionMatrix(options: { seed: number; runs: number }): Promise<string> {
  const kernels = [
    ...brokenKernels,
    referenceKernel('float32'),
    ...correctKernels.filter((c) => c.model === undefined).map((c) => c.kernel),
  ];
  const short = (k: ConvKernel) => k.name.replace(/^(broken|correct):/, '');
  const lines = [
    `| property | ${kernels.map(short).join(' | ')} |`,
    `|---|${kernels.map(() => '---').join('|')}|`,
  ];
  for (const row of rows()) {
    const cells: string[] = [];
    for (const kernel of kernels) {
      const run = await fc.check(row.make(kernel), {
        seed: options.seed,
        numRuns: options.runs,
        endOnFailure: true,
      });
      cells.push(run.failed ? (run.counterexample ? `F${run.numRuns}` : 'skips') : '.');
    }
    lines.push(`| ${row.name} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await detectionMatrix({ seed: argument('seed', 1), runs: argument('runs', 100) }));
}
