/**
 * Mutation-testing addition: the im2col modules load. Imported inside the test, not
 * at the top: a module that throws while loading then fails this test, instead of
 * failing the collection of a test file (which a mutation run cannot count).
 */
import { expect, it } from 'vitest';

it('the im2col modules load, with the kernels and their default limits', async () => {
  const columns = await import('./columns.ts');
  expect(typeof columns.columnPlan).toBe('function');
  const kernels = await import('./kernel.ts');
  expect(kernels.im2colKernel.name).toBe('im2col');
  expect(kernels.im2colKernel64.dtype).toBe('float64');
});
