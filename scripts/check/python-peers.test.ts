/**
 * The Python peers shipped as built-ins: scipy.signal direct (float32) and FFT
 * (`scipy_client.py --method direct|fft|auto`) and OpenCV's cv2.filter2D
 * (`cv2_client.py`). Each computes what its library computes and declines the
 * rest with the reason; convcheck catches what filter2D does to a non-finite
 * input. Skipped, with the reason in the name, where the module is missing.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { materializeConvCase } from '../../properties/data.ts';
import {
  type ConvProblem,
  convGeometry,
  parseDescriptor,
  referenceConv,
} from '../../reference/index.ts';
import { runCli } from '../run-cli.ts';
import { fitSameSize } from './builtin-domains.ts';
import { openBuiltin } from './builtins.ts';
import type { KernelHost } from './hosts/index.ts';

function missing(python: string, module: string): string | undefined {
  const r = spawnSync(python, ['-c', `import ${module}`], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return `${python} not runnable (${r.error.message})`;
  return r.status === 0 ? undefined : `${python} cannot import ${module}`;
}
const noScipy = missing('python3', 'scipy.signal');
const noCv2 = missing('/usr/bin/python3', 'cv2');
const title = (what: string, skip: string | undefined) =>
  skip === undefined ? what : `${what} — SKIPPED: ${skip}`;

const hosts: KernelHost[] = [];
afterAll(async () => {
  for (const h of hosts) await h.close();
});

/** The host's answer on the problem's real data, next to the oracle's on the same float32 values. */
async function answer(name: string, p: ConvProblem) {
  const host = await openBuiltin(name);
  hosts.push(host);
  const { input, weight, bias } = materializeConvCase({ problem: p, data: 'real', dataSeed: 3 });
  const x = Float32Array.from(input);
  const w = Float32Array.from(weight);
  const b = bias && Float32Array.from(bias);
  const outcome = await host.run(p, x, w, b, 60_000);
  return { outcome, want: referenceConv(p, x, w, b) };
}

function maxRelative(got: ArrayLike<number>, want: Float64Array): number {
  let scale = 0;
  let error = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]!));
    error = Math.max(error, Math.abs(got[i]! - want[i]!));
  }
  return error / scale;
}

const problem = (d: string): ConvProblem => {
  const parsed = parseDescriptor(d);
  if (parsed.kind !== 'conv') throw new TypeError(`not a conv descriptor: ${d}`);
  convGeometry(parsed.problem);
  return parsed.problem;
};

describe.skipIf(noCv2 !== undefined)('cv2.filter2D through cv2_client.py', () => {
  it(
    title('computes a same-size cross-correlation under each border type it has', noCv2),
    async () => {
      for (const mode of ['', '_reflect', '_replicate']) {
        const p = problem(`xcorr:ic1oc1_ih6iw7_kh3kw4_pbh1pbw1_peh1pew2_bias${mode}`);
        const { outcome, want } = await answer('cv2', p);
        expect(outcome.kind, JSON.stringify(outcome)).toBe('output');
        if (outcome.kind === 'output') expect(maxRelative(outcome.output, want)).toBeLessThan(1e-6);
      }
    },
  );

  it(title('declines what filter2D does not compute, saying why', noCv2), async () => {
    const cases: [string, RegExp][] = [
      ['trueconv:ic1oc1_ih6iw6_kh3kw3_pbh1pbw1_peh1pew1', /cross-correlation only/],
      ['xcorr:ic1oc1_ih6iw6_kh3kw3_pbh1pbw1_peh1pew1_circular', /BORDER_WRAP/],
      ['xcorr:ic1oc1_ih6iw6_kh3kw3', /padBegin\[0\] \+ padEnd\[0\] must be 2/],
      ['xcorr:ic2oc1_ih6iw6_kh3kw3_pbh1pbw1_peh1pew1', /inChannels must be 1/],
    ];
    for (const [d, why] of cases) {
      const { outcome } = await answer('cv2', problem(d));
      expect(outcome.kind).toBe('unsupported');
      if (outcome.kind === 'unsupported') expect(outcome.reason).toMatch(why);
    }
  });

  it(
    title('fitSameSize moves a generated problem onto the centred anchor, keeping its mode', noCv2),
    () => {
      const p = fitSameSize(problem('xcorr:ic1oc1_ih9iw9_kh4kw5_pbh0pbw3_peh2pew0_reflect'));
      expect([p.padBegin, p.padEnd, p.paddingMode]).toEqual([[1, 2], [2, 2], 'reflect']);
    },
  );

  it(
    title('convcheck catches filter2D losing an infinite input (special data fails)', noCv2),
    () => {
      const r = runCli(
        [
          'check',
          '--builtin',
          'cv2',
          '--problem',
          'xcorr:mb1g1ic1oc1_ih7iw7_kh6kw6_sh1sw1_dh1dw1_pbh2pbw2_peh3pew3_bias',
          '--data',
          'special',
          '--data-seed',
          '620588098',
          '--specials',
          'input:0=-inf',
        ],
        { timeoutMs: 120_000 },
      );
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/expected NaN, got -?\d/);
    },
  );
});

describe.skipIf(noScipy !== undefined)('scipy.signal through scipy_client.py', () => {
  it(
    title(
      '--method fft computes 1-D to 3-D within float32 FFT roundoff; direct is 2-D only',
      noScipy,
    ),
    async () => {
      for (const d of [
        'xcorr:ic1oc1_iw40_kw7_pbw3_pew2_bias',
        'trueconv:ic1oc1_ih9iw8_kh3kw2_pbh1pbw0_peh1pew1_reflect',
        'xcorr:ic1oc1_id4ih5iw6_kd2kh3kw2_pbd1pbh0pbw1_ped0peh1pew0_circular',
      ]) {
        const { outcome, want } = await answer('scipy-fft', problem(d));
        expect(outcome.kind, `${d}: ${JSON.stringify(outcome)}`).toBe('output');
        if (outcome.kind === 'output') expect(maxRelative(outcome.output, want)).toBeLessThan(1e-5);
      }
      const { outcome } = await answer('scipy-f32', problem('xcorr:ic1oc1_id4ih5iw6_kd2kh3kw2'));
      expect(outcome.kind).toBe('unsupported');
      if (outcome.kind === 'unsupported') expect(outcome.reason).toMatch(/only 2-D \(rank 3\)/);
    },
  );

  it(title('scipy-f32 computes in float32, not in float64', noScipy), async () => {
    const p = problem('xcorr:ic1oc1_ih30iw30_kh7kw7_pbh3pbw3_peh3pew3');
    const f32 = await answer('scipy-f32', p);
    expect(f32.outcome.kind).toBe('output');
    if (f32.outcome.kind === 'output') {
      expect(f32.outcome.output).toBeInstanceOf(Float32Array);
      // Rounded in float32 (not the float64 oracle's value), and close to it.
      expect(maxRelative(f32.outcome.output, f32.want)).toBeGreaterThan(0);
      expect(maxRelative(f32.outcome.output, f32.want)).toBeLessThan(1e-5);
    }
  });
});
