import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.ts';

describe('convcheck shape', () => {
  it('prints the seed 32×32 ⊛ 5×5 → 28×28', () => {
    const r = runCli(['shape', 'xcorr:ic3oc8_ih32iw32_kh5kw5']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/output size 28×28/);
    expect(r.stdout).toMatch(/parameters\s+600/);
  });

  it('round-trips descriptors through --json', () => {
    const text = 'trueconv:mb2g4ic16oc32_ih7iw9_kh3kw1_sh2sw1_dh1dw3_pbh1pbw0_peh0pew2_bias';
    const r = runCli(['shape', text, '--json', '-']);
    expect(JSON.parse(r.stdout).descriptor).toBe(text);
  });

  it('accepts problem JSON', () => {
    const json = JSON.stringify({
      op: 'maxpool',
      batch: 1,
      channels: 2,
      inputSize: [6],
      kernelSize: [3],
      stride: [2],
      dilation: [1],
      padBegin: [0],
      padEnd: [0],
      ceilMode: true,
      countIncludePad: false,
    });
    const r = runCli(['shape', json, '--json', '-']);
    expect(JSON.parse(r.stdout).outputShape).toEqual([1, 2, 3]);
  });

  it('exits 2 with one line naming the field for an impossible problem', () => {
    const r = runCli(['shape', 'xcorr:ic3oc8_ih4iw4_kh5kw5']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ConvProblem.kernelSize\[0\]/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});

describe('convcheck params', () => {
  it('prints the AlexNet table with the seed weights and totals', () => {
    const r = runCli(['params', 'fixtures/models/alexnet.json']);
    expect(r.status).toBe(0);
    for (const figure of [
      '34,848',
      '307,200',
      '884,736',
      '663,552',
      '442,368',
      '37,748,736',
      '16,777,216',
      '4,096,000',
      '177,209,344',
    ]) {
      expect(r.stdout).toContain(figure);
    }
    expect(r.stdout).toMatch(/^total/m);
  });

  it('exits 2 with one line for a missing or malformed file', () => {
    const missing = runCli(['params', 'no/such/model.json']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/model file no\/such\/model.json: cannot be read/);
    const bad = runCli(['params', 'package.json']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 on an unknown command', () => {
    expect(runCli(['frobnicate']).status).toBe(2);
  });
});
