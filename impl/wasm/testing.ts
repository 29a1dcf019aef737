/**
 * Test helper (not shipped: tsconfig.build.json and the mutation run leave it out):
 * the GEMM assembled from an edited gemm.wat, and the Winograd tile transforms from
 * an edited transform-wat.ts text, the way scripts/build.mjs assembles them, so that
 * a test can run a kernel on a deliberately broken GEMM or transform and see the
 * checks catch it.
 */
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { gemmFromBytes, type WasmGemm } from './module.ts';
import { transformsWat } from './transform-wat.ts';
import { type TransformsLoader, transformsFromBytes } from './transforms-module.ts';

/**
 * The GEMM assembled from gemm.wat after `edit`; throws if the edit left the source
 * unchanged (the mutation would prove nothing) or if it does not assemble.
 *
 * @example
 * ```ts
 * const broken = await assembled((wat) => wat.replace('(f32x4.add (local.get $c21)', '(f32x4.sub (local.get $c21)'));
 * ```
 */
export async function assembled(edit: (wat: string) => string): Promise<WasmGemm> {
  const original = readFileSync(new URL('./gemm.wat', import.meta.url), 'utf8');
  const source = edit(original);
  if (source === original) throw new Error('assembled: the edit changed nothing in gemm.wat');
  const gemm = gemmFromBytes(await assemble('gemm.wat', source));
  if (typeof gemm === 'string') throw new Error(gemm);
  return gemm;
}

/** Edits of gemm.wat that break the GEMM in ways a check must notice. */
export const brokenGemmEdits: Record<string, (wat: string) => string> = {
  /** One of the 12 accumulators subtracts its products. */
  'one accumulator subtracts': (wat) =>
    wat.replace('(f32x4.add (local.get $c21)', '(f32x4.sub (local.get $c21)'),
  /** The 4 × 8 tile of a last 5-to-8-column sliver subtracts in one accumulator. */
  'the 4 × 8 edge tile subtracts': (wat) =>
    wat.replace('(f32x4.add (local.get $e21)', '(f32x4.sub (local.get $e21)'),
  /** The 4 × 4 tile of a last 1-to-4-column sliver subtracts in one accumulator. */
  'the 4 × 4 edge tile subtracts': (wat) =>
    wat.replace('(f32x4.add (local.get $f20)', '(f32x4.sub (local.get $f20)'),
  /** Every second depth slice of 256 is skipped (only matters past K = 256). */
  'the second depth slice is dropped': (wat) =>
    wat.replace(
      '(i32.add (local.get $pc) (i32.const 256))',
      '(i32.add (local.get $pc) (i32.const 512))',
    ),
};

/** WAT text assembled as scripts/build.mjs assembles it. */
async function assemble(name: string, source: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat(name, source, { simd: true, threads: true, bulk_memory: true });
  const { buffer } = module.toBinary({});
  module.destroy();
  return buffer;
}

/**
 * The tile transforms assembled from the text transform-wat.ts generates, after `edit`
 * (default none: the text as `npm run build` assembles it); throws if an edit changed nothing.
 *
 * @example
 * ```ts
 * const broken = await assembledTransforms(brokenTransformEdits['…']);
 * createWinogradSimdKernel({ m: 4, transforms: broken });
 * ```
 */
export async function assembledTransforms(
  edit?: (wat: string) => string,
): Promise<{ bytes: Uint8Array; load: TransformsLoader }> {
  const original = transformsWat();
  const source = edit ? edit(original) : original;
  if (edit && source === original) {
    throw new Error('assembledTransforms: the edit changed nothing in the transforms');
  }
  const bytes = await assemble('transforms.wat', source);
  return { bytes, load: transformsFromBytes(bytes) };
}

/** `edit` applied to the text of the exported function `name` only. */
function inFunction(name: string, edit: (body: string) => string): (wat: string) => string {
  return (wat) => {
    const start = wat.indexOf(`(func (export "${name}")`);
    if (start < 0) throw new Error(`no function ${name} in the transforms`);
    const next = wat.indexOf('(func ', start + 1);
    const end = next < 0 ? wat.length : next;
    return wat.slice(0, start) + edit(wat.slice(start, end)) + wat.slice(end);
  };
}

/** Edits of the generated transforms that break them in ways a check must notice. */
export const brokenTransformEdits: Record<string, (wat: string) => string> = {
  /** F(4)'s input transform adds the first term it should subtract. */
  'F(4) input transform: a subtraction adds': inFunction('input_f4r3', (body) =>
    body.replace('(f64x2.sub', '(f64x2.add'),
  ),
  /** F(2)'s input transform reads one input of the pair's second tile from the first tile. */
  "F(2) input transform: the second tile reads the first tile's input": inFunction(
    'input_f2r3',
    (body) => body.replace('1 (local.get $rb0)', '1 (local.get $ra0)'),
  ),
  /** F(4)'s output transform subtracts the first term it should add. */
  'F(4) output transform: an addition subtracts': inFunction('output_f4r3', (body) =>
    body.replace('(local.set $t0_0 (f64x2.add', '(local.set $t0_0 (f64x2.sub'),
  ),
  /** F(2)'s output transform leaves the bias out. */
  'F(2) output transform: no bias': inFunction('output_f2r3', (body) =>
    body.replaceAll('(local.get $addend)', '(v128.const f64x2 0 0)'),
  ),
};

/**
 * Edits of the worker thread's source (threads.ts `workerSource`) that break the
 * two-thread product in ways the same-bits check must notice whenever the worker
 * multiplies a chunk.
 */
export const brokenWorkerEdits: Record<string, (source: string) => string> = {
  /** Each chunk the worker takes is multiplied one column short. */
  'the worker multiplies each chunk one column short': (source) =>
    source.replace('const n = Math.min(chunk, N - q0);', 'const n = Math.min(chunk, N - q0) - 1;'),
  /** The worker reads every chunk's columns from the block's first chunk. */
  'the worker reads the first chunk of B for every chunk': (source) =>
    source.replace('gemm(M, n, K, a, b + q0 * step, c + 4 * q0', 'gemm(M, n, K, a, b, c + 4 * q0'),
  /** The worker's GEMM call throws (a name that does not exist). */
  'the worker fails': (source) => source.replace('else gemm(M, n, K', 'else missingGemm(M, n, K'),
};

/**
 * Edits of the worker's source that keep it correct but make it idle or slow: the
 * calling thread must still finish the product, and wait for the worker's last chunk.
 */
export const slowWorkerEdits: Record<string, (source: string) => string> = {
  /** The worker takes no chunk (as if it never got a core): the caller does them all. */
  'the worker takes no chunk': (source) =>
    source.replace(/const q0 = Atomics\.add\(s, \d+, 1\) \* chunk;/, 'const q0 = N;'),
  /** The worker sleeps 20 ms before each chunk: the caller must wait for its last one. */
  'the worker sleeps 20 ms per chunk': (source) =>
    source.replace(
      'awaitBuilt(q0 + n);',
      'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); awaitBuilt(q0 + n);',
    ),
};

/**
 * `source` after `edit`; throws if the edit changed nothing (the test would prove nothing).
 *
 * @example
 * ```ts
 * new GemmHelper(gemm, edited(workerSource, brokenWorkerEdits['the worker fails']!));
 * ```
 */
export function edited(source: string, edit: (source: string) => string): string {
  const result = edit(source);
  if (result === source) throw new Error('edited: the edit changed nothing');
  return result;
}
