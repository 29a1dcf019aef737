/**
 * Kernels that try to switch the harness's checks off or to cost it time
 * (issue 13, defect 9 and the looping `supports()`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { materializeConvCase } from '../../properties/data.ts';
import { referenceConv } from '../../reference/conv.ts';
import { convProblem } from '../../reference/testing.ts';
import { evaluateCase, parseToleranceChoice } from '../check/evaluate.ts';
import { openModuleHost } from '../check/hosts/module-host.ts';
import { integerOperands } from '../check/hosts/testing.ts';
import { scratchDir } from '../fixtures/test-helpers.ts';

const p = convProblem({ inputSize: [3], kernelSize: [2] });

/** Writes `source` as a kernel module and opens it in a module host. */
async function kernelModule(source: string, supportsTimeoutMs?: number) {
  const file = join(scratchDir(), 'kernel.mjs');
  writeFileSync(file, source);
  return openModuleHost(file, supportsTimeoutMs === undefined ? {} : { supportsTimeoutMs });
}

describe('hostile kernels', () => {
  it('overriding Buffer.prototype.equals does not hide a write into the input', async () => {
    const host = await kernelModule(
      `Buffer.prototype.equals = () => true;\n` +
        `export default { name: 'sneaky', conv(p, x) {\n` +
        `  x[0] += 1;\n  return new Float32Array(2);\n} };\n`,
    );
    try {
      const { input, weight } = integerOperands(p, 'float32');
      const r = await host.run(p, input, weight, undefined, 10_000);
      expect(r).toMatchObject({ kind: 'output', mutatedInputs: ['input'] });
    } finally {
      await host.close();
    }
  });

  it('a timeout on the determinism re-run is reported as a timeout, not as nondeterminism', async () => {
    const reference = new URL('../../reference/conv.ts', import.meta.url).pathname;
    const host = await kernelModule(
      `import { referenceConv } from ${JSON.stringify(reference)};\n` +
        `let calls = 0;\n` +
        `export default { name: 'slow-second', conv(p, x, w, b) {\n` +
        `  if (++calls === 2) for (;;) {}\n` +
        `  return new Float32Array(referenceConv(p, x, w, b));\n} };\n`,
    );
    try {
      const outcome = await evaluateCase(
        host,
        { problem: p, data: 'exact', dataSeed: 1 },
        parseToleranceChoice('exact-data'),
        { timeoutMs: 1_000, checkDeterminism: true },
      );
      expect(outcome.verdict).toBe('error');
      expect(outcome.message).toMatch(/second run \(determinism check\) failed: conv timed out/);
      expect(outcome.message).not.toMatch(/nondeterministic/);
    } finally {
      await host.close();
    }
  });

  it('NaNs of another sign on the second run are not nondeterminism; another finite value is', async () => {
    const reference = new URL('../../reference/conv.ts', import.meta.url).pathname;
    // A special-data case whose oracle output holds a NaN and a number, for both flips to act on.
    const dataSeed = [...Array(200).keys()].find((seed) => {
      const { input, weight, bias } = materializeConvCase({
        problem: p,
        data: 'special',
        dataSeed: seed,
      });
      const y = referenceConv(p, input, weight, bias);
      return y.some(Number.isNaN) && y.some((v) => !Number.isNaN(v));
    });
    expect(dataSeed).toBeDefined();
    const flipping = (change: string) =>
      `import { referenceConv } from ${JSON.stringify(reference)};\n` +
      `let calls = 0;\n` +
      `export default { name: 'flip', conv(p, x, w, b) {\n` +
      `  const y = new Float32Array(referenceConv(p, x, w, b));\n` +
      `  const bits = new Uint32Array(y.buffer);\n` +
      `  if (++calls % 2 === 0) for (let i = 0; i < y.length; i++) { ${change} }\n` +
      `  return y;\n} };\n`;
    const verdict = async (source: string) => {
      const host = await kernelModule(source);
      try {
        return await evaluateCase(
          host,
          { problem: p, data: 'special', dataSeed: dataSeed! },
          parseToleranceChoice('exact-data'),
          { timeoutMs: 10_000, checkDeterminism: true },
        );
      } finally {
        await host.close();
      }
    };
    const nanSign = await verdict(flipping('if (Number.isNaN(y[i])) bits[i] ^= 0x80000000;'));
    expect(nanSign.verdict).toBe('pass');
    const finite = await verdict(flipping('if (!Number.isNaN(y[i])) { bits[i] ^= 1; break; }'));
    expect(finite.message).toMatch(/nondeterministic/);
  });

  it('a supports() that timed out once is not called again', async () => {
    const host = await kernelModule(
      `export default { name: 'slow-supports', supports() { for (;;) {} },\n` +
        `  conv: () => new Float32Array(2) };\n`,
      1_000,
    );
    try {
      await expect(host.supports(p)).rejects.toThrow(/timed out after 1000 ms/);
      const started = performance.now();
      await expect(host.supports(p)).rejects.toThrow(/timed out once.*not called again/);
      // A second call would wait out the whole timeout; anything shorter proves it was
      // not made, with the rest of the second as slack for a loaded machine.
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      await host.close();
    }
  });
});
