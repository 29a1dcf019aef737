import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convProblem } from '../../reference/testing.ts';
import { toleranceForBuiltin } from './evaluate.ts';
import { openTargets } from './targets.ts';

const dir = mkdtempSync(join(tmpdir(), 'convcheck-targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const example = readFileSync(
  new URL('../../docs/examples/naive-kernel.mjs', import.meta.url),
  'utf8',
);

/** The docs' example kernel under another name, written as a module. */
function kernelNamed(name: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, example.replace("name: 'naive-direct'", `name: ${JSON.stringify(name)}`));
  return file;
}

async function judgingOf(options: { impl: string } | { implCmd: string }) {
  const [target] = await openTargets(options);
  await target!.host.close();
  const { name, constraints } = target!.tolerance;
  return {
    name,
    constraints,
    exactModel: target!.tolerance.modelFor(problemForModel, 'exact'),
    realModel: target!.tolerance.modelFor(problemForModel, 'real'),
  };
}

const problemForModel = convProblem({ inputSize: [6, 6], kernelSize: [3, 3] });

describe('a kernel is judged as itself, never by its self-chosen name', () => {
  it.each(['winograd-f4', 'winograd-f2', 'winograd-f4-simd', 'scipy', 'im2col'])(
    "--impl named '%s' gets the same bound, ranks and suite as any other kernel",
    async (name) => {
      const plain = await judgingOf({ impl: kernelNamed('plain-kernel') });
      const named = await judgingOf({ impl: kernelNamed(name) });
      expect(named).toEqual(plain);
      // The same judging as a kernel with no special name: no domain narrowing at all.
      expect(named.constraints).toEqual({});
    },
  );

  it('the built-in models differ from the default (so the test above can fail)', () => {
    const plain = toleranceForBuiltin('plain-kernel');
    expect(toleranceForBuiltin('winograd-f4').name).not.toBe(plain.name);
    expect(toleranceForBuiltin('winograd-f4').constraints).not.toEqual({});
    expect(toleranceForBuiltin('scipy').constraints).toMatchObject({ dims: [2] });
    // The SIMD Winograd kernels are judged by their F(m)'s model, like the JS ones.
    for (const m of [2, 4]) {
      const [simd, js] = [`winograd-f${m}-simd`, `winograd-f${m}`].map(toleranceForBuiltin);
      expect(simd!.name).toBe(js!.name);
      expect(simd!.constraints).toEqual(js!.constraints);
    }
  });

  it('--tolerance given explicitly still applies to a third-party kernel', async () => {
    const [target] = await openTargets({
      impl: kernelNamed('plain-kernel'),
      tolerance: 'winograd-f4',
    });
    await target!.host.close();
    expect(target!.tolerance.name).toBe('winograd-f4');
  });
});
