/**
 * Test helper (not shipped: tsconfig.build.json and the mutation run leave it out):
 * the GEMM assembled from an edited gemm.wat, the way scripts/build.mjs assembles
 * it, so that a test can run a kernel on a deliberately broken GEMM and see the
 * checks catch it.
 */
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { gemmFromBytes, type WasmGemm } from './module.ts';

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
  const wabt = await wabtInit();
  const module = wabt.parseWat('gemm.wat', source, { simd: true, threads: true });
  const { buffer } = module.toBinary({});
  module.destroy();
  const gemm = gemmFromBytes(buffer);
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
