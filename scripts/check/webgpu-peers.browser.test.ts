/**
 * The two WebGPU library adapters (impl/peers/browser/) in headless Chromium,
 * through the browser host and the CLI's case evaluation (evaluateCase, the `wgsl`
 * model): each is checked (a case passes, in its declared layouts), and each
 * finding of docs/results/webgpu.md is detected again from its shrunk
 * counterexample. Skipped, with the reason, where Chromium with WebGPU cannot
 * start or the library is not installed. One page per adapter and single cases
 * keep this file under a minute.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvCase, DataKind } from '../../properties/data.ts';
import { parseSpecials } from '../../properties/special-placement.ts';
import { parseDescriptor } from '../../reference/descriptor.ts';
import type { ConvProblem } from '../../reference/problem.ts';
import { evaluateCase, parseToleranceChoice } from './evaluate.ts';
import { openBrowserHost } from './hosts/browser-host.ts';
import { browserSkipReason } from './hosts/browser-testing.ts';
import type { KernelHost } from './hosts/types.ts';

const browserSkip = await browserSkipReason();
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const TFJS = here('../../impl/peers/browser/tfjs-webgpu.mjs');
const ORT = here('../../impl/peers/browser/ort-webgpu.mjs');
const TFJS_UNDECLINED = here('./hosts/testdata/webgpu/tfjs-webgpu-undeclined.mjs');
const WGSL = parseToleranceChoice('wgsl');

/** Why the adapter's tests cannot run here (no browser, the package missing), or undefined. */
function skipReason(packageName: string): string | undefined {
  if (browserSkip !== undefined) return browserSkip;
  try {
    createRequire(import.meta.url).resolve(packageName);
    return undefined;
  } catch {
    return `${packageName} is not installed (a devDependency: npm ci installs it)`;
  }
}

/** One case as a repro line gives it: descriptor, data kind, data seed, specials. */
function replay(
  host: KernelHost,
  descriptor: string,
  data: DataKind,
  seed: number,
  specials?: string,
) {
  const { problem } = parseDescriptor(descriptor) as { problem: ConvProblem };
  const c: ConvCase = { problem, data, dataSeed: seed };
  if (specials !== undefined) c.specials = parseSpecials(specials);
  return evaluateCase(host, c, WGSL, { timeoutMs: 60_000, checkDeterminism: false });
}

/** Opens the hosts of `paths` for the describe block around it; closes them after. */
function hostsFor(...paths: string[]): Map<string, KernelHost> {
  const hosts = new Map<string, KernelHost>();
  beforeAll(async () => {
    for (const path of paths) hosts.set(path, await openBrowserHost(path));
  }, 180_000);
  afterAll(async () => {
    for (const host of hosts.values()) await host.close();
  });
  return hosts;
}

const tfjsSkip = skipReason('@tensorflow/tfjs-backend-webgpu');
describe.skipIf(tfjsSkip !== undefined)('tfjs-webgpu in headless Chromium', () => {
  const hosts = hostsFor(TFJS, TFJS_UNDECLINED);

  it('is checked: a 2-D true convolution with bias passes on real data, in NHWC/HWIO', async () => {
    const host = hosts.get(TFJS)!;
    expect(host.name).toBe('tfjs-webgpu');
    expect(host.layouts).toEqual({ layout: 'nhwc', weightLayout: 'hwio' });
    const p = 'trueconv:mb2g1ic3oc4_ih8iw9_kh3kw3_sh2sw1_dh1dw1_pbh1pbw0_peh1pew2_bias';
    expect(await replay(host, p, 'real', 5)).toMatchObject({ verdict: 'pass' });
  });

  it('finding: an Inf in the last weight turns every other channel NaN when the input is padded', async () => {
    const host = hosts.get(TFJS)!;
    const p = 'xcorr:mb1g1ic1oc7_ih5iw1_kh1kw1_sh1sw1_dh1dw1_pbh0pbw2_peh0pew1_nobias';
    const last = await replay(host, p, 'special', 4, 'weight:6=inf');
    expect(last.verdict).toBe('fail');
    expect(last.message).toMatch(/120 of 140 outputs are NaN where the oracle gives a number/);
    // The same Inf at the first weight is harmless: the last element is the trigger.
    expect(await replay(host, p, 'special', 4, 'weight:0=inf')).toMatchObject({ verdict: 'pass' });
  });

  it('finding: the decline of padded 3-D problems is real (its 5-D Pad shader is invalid WGSL)', async () => {
    const p =
      'xcorr:mb1g1ic1oc1_id1ih1iw1_kd1kh1kw1_sd1sh1sw1_dd1dh1dw1_pbd0pbh0pbw1_ped0peh0pew0_nobias';
    const declined = await replay(hosts.get(TFJS)!, p, 'exact', 21);
    expect(declined).toMatchObject({ verdict: 'skip' });
    expect(declined.message).toMatch(/5-D Pad and add are invalid WGSL/);
    const ran = await replay(hosts.get(TFJS_UNDECLINED)!, p, 'exact', 21);
    expect(ran.verdict).toBe('error');
    expect(ran.message).toMatch(/cannot index type 'vec5'/);
  });
});

const ortSkip = skipReason('onnxruntime-web');
describe.skipIf(ortSkip !== undefined)('onnxruntime-web-webgpu in headless Chromium', () => {
  const hosts = hostsFor(ORT);

  it('is checked: a 2-D true convolution with bias passes on real data', async () => {
    const host = hosts.get(ORT)!;
    expect(host.name).toBe('onnxruntime-web-webgpu');
    const p = 'trueconv:mb2g1ic3oc4_ih8iw9_kh3kw3_sh2sw1_dh1dw2_pbh1pbw0_peh1pew2_bias';
    expect(await replay(host, p, 'real', 5)).toMatchObject({ verdict: 'pass' });
  });

  it('finding: an output whose window reaches the end padding comes back 0', async () => {
    const host = hosts.get(ORT)!;
    const r = await replay(host, 'xcorr:mb1g1ic1oc1_iw1_kw1_sw1_dw1_pbw0_pew1_bias', 'exact', 21);
    expect(r.verdict).toBe('fail');
    expect(r.message).toMatch(/1 of 2 outputs differ from the oracle/);
    expect(r.details).toMatch(/expected 414, got 0/);
  });

  it('finding: a padded 1x1 convolution with 6 in and 4 out channels sums wrongly', async () => {
    const host = hosts.get(ORT)!;
    const r = await replay(host, 'xcorr:mb1g1ic6oc4_iw1_kw1_sw1_dw1_pbw1_pew0_nobias', 'exact', 3);
    expect(r.verdict).toBe('fail');
    expect(r.message).toMatch(/4 of 8 outputs differ from the oracle/);
    // Without the padding the same channels and data pass.
    const unpadded = 'xcorr:mb1g1ic6oc4_iw1_kw1_sw1_dw1_pbw0_pew0_nobias';
    expect(await replay(host, unpadded, 'exact', 3)).toMatchObject({ verdict: 'pass' });
  });
});

for (const [name, reason] of [
  ['tfjs-webgpu', tfjsSkip],
  ['onnxruntime-web-webgpu', ortSkip],
] as const) {
  if (reason !== undefined) {
    describe(`${name} in headless Chromium`, () => {
      it.skip(`skipped: ${reason}`, () => {});
    });
  }
}
