/**
 * `check --suite networks` at default settings (sampled oracle) still catches a
 * kernel that is wrong only on large layers, only on the last output row; the
 * report says how many outputs the oracle computed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'convcheck-networks-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** im2col, with every output of the last row of each plane off by one on layers of > 100k outputs. */
function lastRowKernel(): string {
  const path = join(work, 'last-row.mts');
  const im2col = resolve('impl/im2col/index.ts');
  const geometry = resolve('reference/geometry.ts');
  writeFileSync(
    path,
    `import { im2colKernel } from '${im2col}';
import { convGeometry } from '${geometry}';
export default {
  name: 'last-row-bug',
  dtype: 'float32',
  async conv(p, x, w, b) {
    const y = await im2colKernel.conv(p, x, w, b);
    const g = convGeometry(p);
    if (g.outputLength <= 100_000) return y;
    const width = g.outputSize.at(-1);
    for (let plane = 0; plane < g.outputLength; plane += g.outputVolume) {
      for (let i = g.outputVolume - width; i < g.outputVolume; i++) y[plane + i] += 1;
    }
    return y;
  },
};
`,
  );
  return path;
}

describe('check --suite networks', () => {
  it('catches a bug only on the last row of large layers, saying it sampled', () => {
    const json = join(work, 'r.json');
    // Shard 1 of 109 runs the first layer only: AlexNet conv1, 96×55×55 outputs (sampled).
    const r = runCli(
      [
        'check',
        '--impl',
        lastRowKernel(),
        '--suite',
        'networks',
        '--shard',
        '1/109',
        '--seed',
        '5',
        '--json',
        json,
      ],
      { timeoutMs: 120_000 },
    );
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/FAIL: last-row-bug — network layers/);
    expect(r.stdout).toMatch(/alexnet\/conv1: .*\(sampled [\d,]+ of 290,400 outputs\)/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const layer = report.phases[0].layers[0];
    expect(layer).toMatchObject({ name: 'alexnet/conv1', verdict: 'fail', outputs: 290_400 });
    expect(layer.oracleOutputs).toBeLessThan(layer.outputs / 10);
  });
});
