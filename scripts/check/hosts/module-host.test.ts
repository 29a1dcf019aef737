import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceConv } from '../../../reference/conv.ts';
import { convGeometry } from '../../../reference/geometry.ts';
import type { ConvProblem } from '../../../reference/problem.ts';
import { convProblem } from '../../../reference/testing.ts';
import { openModuleHost } from './module-host.ts';
import { featureProblems, integerOperands, testdata } from './testing.ts';
import { HostStartError, type KernelHost, type RunOutcome } from './types.ts';

const TIMEOUT_MS = 10_000;
const line = convProblem({ inputSize: [7], kernelSize: [3], padBegin: [1], padEnd: [0] });
/** The fixtures misbehave when batch is 2 (see each file). */
const trigger: ConvProblem = { ...line, batch: 2 };

function run(host: KernelHost, p: ConvProblem, timeoutMs = TIMEOUT_MS): Promise<RunOutcome> {
  const { input, weight, bias } = integerOperands(p, host.dtype);
  return host.run(p, input, weight, bias, timeoutMs);
}

/** Asserts the outcome is the oracle's output, bit for bit, in the host's dtype. */
async function expectCorrect(host: KernelHost, p: ConvProblem): Promise<void> {
  const { input, weight, bias } = integerOperands(p, host.dtype);
  const r = await host.run(p, input, weight, bias, TIMEOUT_MS);
  const expected = referenceConv(p, input, weight, bias);
  expect(r).toMatchObject({ kind: 'output', mutatedInputs: [] });
  if (r.kind !== 'output') return;
  expect(r.output).toBeInstanceOf(host.dtype === 'float32' ? Float32Array : Float64Array);
  expect(Array.from(r.output)).toEqual(Array.from(expected));
}

const hosts = new Map<string, KernelHost>();
const fixtures = [
  'good-kernel.js',
  'good-kernel-f64.ts',
  'throws.js',
  'loops.js',
  'exits.js',
  'bad-output.js',
  'mutates.js',
  'stray-rejection.js',
  'bad-supports.js',
  'noisy.js',
];
const host = (file: string): KernelHost => {
  const h = hosts.get(file);
  if (h === undefined) throw new Error(`fixture ${file} was not opened`);
  return h;
};

beforeAll(async () => {
  const opened = await Promise.all(fixtures.map((f) => openModuleHost(testdata(f))));
  for (const [i, file] of fixtures.entries()) hosts.set(file, opened[i]!);
});

afterAll(async () => {
  await Promise.all([...hosts.values()].map((h) => h.close()));
});

describe('openModuleHost: well-behaved kernels', () => {
  it('reads name and dtype from the child and matches the oracle exactly', async () => {
    const h = host('good-kernel.js');
    expect([h.name, h.dtype]).toEqual(['good-kernel', 'float32']);
    for (const p of featureProblems.filter((q) => q.inputSize.length < 3)) {
      await expectCorrect(h, p);
    }
  });

  it('forwards supports(): true or the reason', async () => {
    const h = host('good-kernel.js');
    expect(await h.supports(line)).toBe(true);
    const threeD = featureProblems.find((q) => q.inputSize.length === 3)!;
    expect(await h.supports(threeD)).toBe('no 3-D in this fixture');
  });

  it('loads a TypeScript module (async, float64) and matches the oracle exactly', async () => {
    const h = host('good-kernel-f64.ts');
    expect([h.name, h.dtype]).toEqual(['good-kernel-f64', 'float64']);
    expect(await h.supports(line)).toBe(true);
    for (const p of featureProblems) await expectCorrect(h, p);
  });

  it('keeps a flood of kernel output away from the harness and still answers', async () => {
    await expectCorrect(host('noisy.js'), line);
  });
});

describe('openModuleHost: hostile kernels cost one case, not the run', () => {
  it('reports a throw with its message', async () => {
    const r = await run(host('throws.js'), line);
    expect(r).toEqual({ kind: 'error', message: 'conv threw: RangeError: kernel exploded' });
  });

  it('kills an endless loop after the timeout and restarts for the next case', async () => {
    const h = host('loops.js');
    const started = performance.now();
    const r = await run(h, trigger, 300);
    expect(r.kind === 'error' && r.message).toMatch(/timed out after 300 ms/);
    expect(performance.now() - started).toBeLessThan(5_000);
    await expectCorrect(h, line);
  });

  it('reports process.exit(3) with the last stderr, then restarts', async () => {
    const h = host('exits.js');
    const r = await run(h, trigger);
    expect(r.kind === 'error' && r.message).toMatch(
      /exited with code 3[\s\S]*giving up on batch 2/,
    );
    await expectCorrect(h, line);
  });

  it('reports an unhandled rejection as an error for the case, then goes on', async () => {
    const h = host('stray-rejection.js');
    const r = await run(h, trigger);
    expect(r.kind === 'error' && r.message).toMatch(
      /unhandled promise rejection.*forgotten promise/,
    );
    await expectCorrect(h, line);
  });

  it('names what came back instead of the right typed array', async () => {
    const h = host('bad-output.js');
    const length = convGeometry(line).outputLength;
    const messages = [];
    for (const batch of [1, 2, 3, 4]) {
      const r = await run(h, { ...line, batch });
      messages.push(r.kind === 'error' ? r.message : r.kind);
    }
    expect(messages).toEqual([
      `conv returned a plain Array(${length}); a float32 kernel must return a Float32Array of length ${length}`,
      `conv returned Float32Array(${2 * length - 1}); expected length ${2 * length} (convGeometry(p).outputLength)`,
      `conv returned Float64Array(${3 * length}); a float32 kernel must return a Float32Array of length ${3 * length}`,
      `conv returned undefined; a float32 kernel must return a Float32Array of length ${4 * length}`,
    ]);
  });

  it('reports writes into the operands, and never lets them reach the caller', async () => {
    const p = { ...line, bias: true };
    const { input, weight, bias } = integerOperands(p, 'float32');
    const before = [input.slice(), bias?.slice()];
    const r = await host('mutates.js').run(p, input, weight, bias, TIMEOUT_MS);
    expect(r).toMatchObject({ kind: 'output', mutatedInputs: ['input', 'bias'] });
    expect([input, bias]).toEqual(before);
  });

  it('rejects supports() when it throws or answers neither true nor a string', async () => {
    const h = host('bad-supports.js');
    await expect(h.supports(line)).rejects.toThrow('supports() threw: Error: supports exploded');
    await expect(h.supports(featureProblems[1]!)).rejects.toThrow(
      'supports() returned 42; it must return true or a reason string',
    );
    expect(await h.supports(featureProblems[3]!)).toBe('no 3-D');
  });
});

describe('openModuleHost: modules that cannot be used', () => {
  it.concurrent.each([
    ['no-default.js', 'no default export'],
    ['no-conv.js', 'the default export has no conv function (conv is undefined)'],
    ['bad-name.js', 'name must be a string, got 42'],
    [
      'bad-dtype.js',
      `dtype must be one of 'float32', 'float64', 'float16', 'bfloat16', got "int4"`,
    ],
    ['broken-import.js', "cannot import the module: Error: Cannot find package 'convcheck-no-such"],
    ['missing.js', 'module not found'],
  ])('%s → HostStartError: %s', async (file, message) => {
    const opening = openModuleHost(testdata(file));
    await expect(opening).rejects.toBeInstanceOf(HostStartError);
    await expect(opening).rejects.toThrow(message);
  });
});

describe('openModuleHost: harness bugs are thrown, not reported as kernel errors', () => {
  it('rejects operands of the wrong dtype or length', async () => {
    const h = host('good-kernel.js');
    const { weight } = integerOperands(line, 'float32');
    await expect(h.run(line, new Float64Array(7), weight, undefined, 1000)).rejects.toThrow(
      'run(): input is Float64Array(7), but the host computes in float32',
    );
    await expect(h.run(line, new Float32Array(6), weight, undefined, 1000)).rejects.toThrow(
      'input: length 6',
    );
  });
});
