/**
 * Huge sizes (issue 13, defect 4): size limits are checked in closed form before
 * any walk over windows, so a pooling problem of 10^12 elements is refused at
 * once, by `shape`, by poolGeometry and by `fixtures verify`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolGeometry } from '../../reference/geometry.ts';
import { ProblemError } from '../../reference/index.ts';
import type { PoolProblem } from '../../reference/problem.ts';
import { generateFixtures } from '../fixtures/generate.ts';
import { scratchDir } from '../fixtures/test-helpers.ts';
import { verifyFixtures } from '../fixtures/verify.ts';
import { runCli } from '../run-cli.ts';

const hugePool: PoolProblem = {
  op: 'maxpool',
  batch: 1,
  channels: 1,
  inputSize: [1e12],
  kernelSize: [1],
  stride: [1],
  dilation: [1],
  padBegin: [0],
  padEnd: [0],
  ceilMode: false,
  countIncludePad: false,
};

/** The definition: window o touches the input when some tap o·S − Pb + k·D is in [0, I). */
function everyWindowTouches(p: PoolProblem, outputSize: number): boolean {
  const [I, K, S, D, Pb] = [
    p.inputSize[0]!,
    p.kernelSize[0]!,
    p.stride[0]!,
    p.dilation[0]!,
    p.padBegin[0]!,
  ];
  for (let o = 0; o < outputSize; o++) {
    let touches = false;
    for (let k = 0; k < K; k++) touches ||= o * S - Pb + k * D >= 0 && o * S - Pb + k * D < I;
    if (!touches) return false;
  }
  return true;
}

describe('huge pooling sizes are refused at once', () => {
  it('poolGeometry refuses 10^12 input elements within milliseconds', () => {
    const started = performance.now();
    expect(() => poolGeometry(hugePool)).toThrow(/input \(elements\).*maxTensorElements/);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("`shape 'maxpool:c1_iw1000000000000_kw1'` exits 2 with one line", () => {
    const r = runCli(['shape', 'maxpool:c1_iw1000000000000_kw1'], { timeoutMs: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('fixtures verify of a huge pool case reports it as corrupt (exit 2), at once', async () => {
    const dir = join(scratchDir(), 'fx');
    await generateFixtures({ outDir: dir, ops: ['maxpool'] });
    const path = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    manifest.cases[0].problem.inputSize = hugePool.inputSize.concat(
      manifest.cases[0].problem.inputSize.slice(1),
    );
    writeFileSync(path, JSON.stringify(manifest));
    const started = performance.now();
    await expect(verifyFixtures({ dir })).rejects.toThrow(/maxTensorElements/);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('the closed-form window check agrees with the definition on every small 1-D problem', () => {
    for (let I = 1; I <= 5; I++)
      for (let K = 1; K <= 4; K++)
        for (let S = 1; S <= 3; S++)
          for (let D = 1; D <= 6; D++)
            for (let Pb = 0; Pb <= 5; Pb++)
              for (let Pe = 0; Pe <= 5; Pe++)
                for (const ceilMode of [false, true]) {
                  const p = { ...hugePool, inputSize: [I], kernelSize: [K], stride: [S] };
                  Object.assign(p, { dilation: [D], padBegin: [Pb], padEnd: [Pe], ceilMode });
                  let accepted: number | undefined;
                  try {
                    accepted = poolGeometry(p).outputSize[0];
                  } catch (e) {
                    if (!(e instanceof ProblemError)) throw e;
                    if (!/wholly in padding/.test(e.message)) continue; // another rule
                  }
                  const O =
                    Math.floor((I + Pb + Pe - D * (K - 1) - 1 + (ceilMode ? S - 1 : 0)) / S) + 1;
                  if (accepted === undefined)
                    expect(everyWindowTouches(p, O), JSON.stringify(p)).toBe(false);
                  else expect(everyWindowTouches(p, accepted), JSON.stringify(p)).toBe(true);
                }
  });
});
