/**
 * 16-bit storage kernels through every host: the kernel gets Uint16Array
 * patterns of the operands and returns patterns; the host hands the judge
 * float32 values; a wrong output type, a write into its inputs are caught on
 * the patterns as for any kernel.
 */
import { describe, expect, it } from 'vitest';
import { referenceConv } from '../../../reference/conv.ts';
import { decodeHalf, encodeHalf, roundToHalf } from '../../../reference/float16.ts';
import type { HalfConvKernel } from '../../../reference/problem.ts';
import { roundToStorage } from '../../../reference/storage.ts';
import { convProblem } from '../../../reference/testing.ts';
import { openCommandHost } from './command-host.ts';
import { openInProcessHost } from './in-process-host.ts';
import { openModuleHost } from './module-host.ts';
import { client, featureProblems, integerOperands, pythonHas, testdata } from './testing.ts';

const line = convProblem({ inputSize: [5], kernelSize: [2], bias: true });

/** Real-valued operands rounded to the storage type, as the harness makes them. */
function storedOperands(p: typeof line, dtype: 'float16' | 'bfloat16') {
  const { input, weight, bias } = integerOperands(p, 'float32', 3);
  const scale = (v: Float32Array | Float64Array) =>
    roundToStorage(
      v.map((x) => x / 3),
      dtype,
    );
  return { input: scale(input), weight: scale(weight), bias: bias && scale(bias) };
}

const halfOracle = (dtype: 'float16' | 'bfloat16'): HalfConvKernel => ({
  name: `oracle-${dtype}`,
  dtype,
  conv(p, x, w, b) {
    if (!(x instanceof Uint16Array && w instanceof Uint16Array))
      throw new TypeError('not patterns');
    const d = (bits: Uint16Array) => decodeHalf(bits, dtype);
    return encodeHalf(referenceConv(p, d(x), d(w), b && d(b)), dtype);
  },
});

describe('a 16-bit storage kernel in process', () => {
  it.each(['float16', 'bfloat16'] as const)(
    '%s: patterns in, decoded values out',
    async (dtype) => {
      const host = await openInProcessHost(halfOracle(dtype));
      expect([host.dtype, host.storage]).toEqual(['float32', dtype]);
      for (const p of featureProblems) {
        const { input, weight, bias } = storedOperands(p, dtype);
        const r = await host.run(p, input, weight, bias, 1000);
        expect(r).toMatchObject({ kind: 'output', mutatedInputs: [] });
        if (r.kind !== 'output') continue;
        expect(r.output).toBeInstanceOf(Float32Array);
        const expected = referenceConv(p, input, weight, bias).map((v) => roundToHalf(v, dtype));
        expect(Array.from(r.output)).toEqual(Array.from(expected));
      }
      await host.close();
    },
  );

  it('a float array returned, or a write into the patterns, is an error', async () => {
    const floats = await openInProcessHost({
      name: 'floats',
      dtype: 'float16',
      conv: (p) => new Float32Array(p.batch * p.outChannels * 4) as unknown as Uint16Array,
    });
    const { input, weight, bias } = storedOperands(line, 'float16');
    expect(await floats.run(line, input, weight, bias, 1000)).toEqual({
      kind: 'error',
      message:
        'conv returned Float32Array(4); a float16 kernel must return a Uint16Array of raw float16 patterns of length 4',
    });
    const writer = await openInProcessHost({
      name: 'writer',
      dtype: 'bfloat16',
      conv(p, x) {
        x[0] = 0x7fc0;
        return new Uint16Array(p.batch * p.outChannels * 4);
      },
    });
    const pristine = input.slice();
    const r = await writer.run(line, input, weight, bias, 1000);
    expect(r).toMatchObject({ kind: 'output', mutatedInputs: ['input'] });
    expect(input).toEqual(pristine);
  });
});

describe('a 16-bit storage module in the child process', () => {
  it('round-trips float16 patterns through the IPC channel', async () => {
    const host = await openModuleHost(testdata('half-kernel.mjs'));
    try {
      expect([host.name, host.dtype, host.storage]).toEqual(['half-oracle', 'float32', 'float16']);
      for (const p of featureProblems.slice(0, 3)) {
        const { input, weight, bias } = storedOperands(p, 'float16');
        const r = await host.run(p, input, weight, bias, 10_000);
        expect(r).toMatchObject({ kind: 'output', mutatedInputs: [] });
        if (r.kind !== 'output') continue;
        const expected = referenceConv(p, input, weight, bias).map((v) =>
          roundToHalf(v, 'float16'),
        );
        expect(Array.from(r.output)).toEqual(Array.from(expected));
      }
    } finally {
      await host.close();
    }
  });
});

const DEBIAN_PYTHON = '/usr/bin/python3';
const [numpy, torch] = await Promise.all([
  pythonHas('python3', ['numpy']),
  pythonHas(DEBIAN_PYTHON, ['torch', 'numpy']),
]);
const clients = [
  ['reference_client.py (numpy)', `python3 '${client('reference_client.py')}'`, numpy],
  ['torch_client.py (CPU)', `${DEBIAN_PYTHON} '${client('torch_client.py')}'`, torch],
] as const;

describe.each(clients)('a 16-bit program over the protocol: %s', (_, command, available) => {
  const reason = available === true ? '' : ` (skipped: ${available})`;
  it.skipIf(available !== true).for(['float16', 'bfloat16'] as const)(
    `%s: base64 of little-endian patterns each way, the result rounded once${reason}`,
    { timeout: 60_000 },
    async (dtype, ctx) => {
      const host = await openCommandHost(command, { dtype });
      let checked = 0;
      let declined = '';
      try {
        expect([host.dtype, host.storage]).toEqual(['float32', dtype]);
        for (const p of featureProblems) {
          const { input, weight, bias } = storedOperands(p, dtype);
          const r = await host.run(p, input, weight, bias, 20_000);
          if (r.kind === 'unsupported') {
            declined = r.reason; // torch 1.13 has no float16 convolution on the CPU
            continue;
          }
          checked++;
          expect(r).toMatchObject({ kind: 'output', mutatedInputs: [] });
          if (r.kind !== 'output') continue;
          // Products of 16-bit values and their few sums are exact in float64 and
          // float32 alike: every correct client rounds the same exact sum once.
          const expected = referenceConv(p, input, weight, bias).map((v) => roundToHalf(v, dtype));
          expect(Array.from(r.output)).toEqual(Array.from(expected));
        }
      } finally {
        await host.close();
      }
      // A client that declined every problem tested nothing: skipped with its reason, not passed.
      if (checked === 0) ctx.skip(`every problem declined: ${declined}`);
    },
  );
});
