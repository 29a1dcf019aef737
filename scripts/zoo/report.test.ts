/**
 * The zoo's bookkeeping without running the CLI: fixture headers, the reading
 * of a check report (which phase caught a bug, after how many cases), the pool
 * and the Markdown table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convProblem } from '../../reference/testing.ts';
import type { PhaseResult } from '../check/results.ts';
import { parseZooHeader, REPO_ROOT, type ZooKernel, zooCatalog } from './catalog.ts';
import { type CheckRun, mapPool } from './cli-runner.ts';
import { cell, renderZooMarkdown } from './markdown.ts';
import { zooResult } from './outcome.ts';

const buggy: ZooKernel = {
  slug: 'demo',
  path: 'fixtures/zoo/demo.mjs',
  expect: 'fail',
  bugClass: 'bias',
  summary: 'bias | dropped',
  reference: 'nowhere',
};
const correct: ZooKernel = { ...buggy, slug: 'ok', expect: 'pass', bugClass: 'correct variant' };

const PROBLEM = convProblem({ inputSize: [1], kernelSize: [1] });

function phase(
  name: string,
  cases: number,
  verdict: PhaseResult['verdict'],
  ms: number,
): PhaseResult {
  return {
    kernel: 'k',
    phase: name,
    seed: 1,
    cases,
    passed: verdict === 'pass' ? cases : cases - 1,
    skipped: 0,
    skipReasons: {},
    worstBoundRatio: 0,
    verdict,
    durationMs: ms,
    ...(verdict === 'fail' || verdict === 'error'
      ? {
          failure: {
            verdict,
            descriptor: `xcorr:${name}`,
            problem: PROBLEM,
            data: 'real',
            dataSeed: 0,
            seed: 1,
            path: '0',
            message: `${name} broke`,
            details: '',
            repro: '',
          },
        }
      : {}),
  };
}

function run(status: number | null, phases: PhaseResult[] | undefined): CheckRun {
  const base = { status, wallMs: 5000, tail: 'tail text' };
  if (phases === undefined) return base;
  return {
    ...base,
    report: {
      tool: { name: 'convcheck', version: '0' },
      startedAt: '',
      seed: 1,
      suite: 'quick',
      shard: { index: 1, count: 1 },
      kernels: [],
      phases,
      totals: { pass: 0, thin: 0, fail: 0, skip: 0, error: 0 },
      caseTotals: { cases: 0, passed: 0, skipped: 0 },
      exitCode: status === 0 ? 0 : 1,
    },
  };
}

describe('zoo fixture headers', () => {
  it('reads the class, bug and reference of a buggy fixture', () => {
    const text =
      '// x: y\n// Class: bias\n// Bug: never added.\n// Seen: onnx2c#7.\nexport default {};\n';
    expect(parseZooHeader('x', 'x.mjs', text, 'fail')).toMatchObject({
      bugClass: 'bias',
      summary: 'never added.',
      reference: 'onnx2c#7.',
    });
  });

  it('refuses a fixture without its Bug line, naming file and field', () => {
    const text = '// Class: bias\n// Seen: somewhere\nexport default {};\n';
    expect(() => parseZooHeader('x', 'fixtures/zoo/x.mjs', text, 'fail')).toThrow(
      /fixtures\/zoo\/x\.mjs: header line '\/\/ Bug: …' is missing/,
    );
  });

  it('finds every fixture documented, and each buggy one marks its bug in the code', () => {
    const kernels = zooCatalog();
    expect(kernels.filter((k) => k.expect === 'fail').length).toBeGreaterThanOrEqual(22);
    for (const k of kernels) {
      const code = readFileSync(join(REPO_ROOT, k.path), 'utf8');
      expect(code.includes('BUG'), k.path).toBe(k.expect === 'fail');
      expect(code, k.path).toContain(
        `name: 'zoo/${k.expect === 'pass' ? 'correct/' : ''}${k.slug}'`,
      );
    }
  });
});

describe('zooResult', () => {
  it('counts the cases of earlier phases into the cases until detection', () => {
    const r = zooResult(
      buggy,
      run(1, [phase('exact data', 150, 'pass', 2000), phase('real data', 7, 'fail', 300)]),
    );
    expect(r).toMatchObject({
      ok: true,
      verdict: 'fail',
      caughtBy: 'real data',
      casesUntilDetection: 157,
      detectionMs: 2300,
      detectionIncludesShrinking: true,
      descriptor: 'xcorr:real data',
      totalCases: 157,
    });
  });

  it('uses the detection time of the phase when the CLI reports one', () => {
    const caught = { ...phase('exact data', 3, 'error', 900), detectionMs: 40 };
    const r = zooResult(buggy, run(1, [caught, phase('real data', 2, 'fail', 100)]));
    expect(r).toMatchObject({ verdict: 'error', detectionMs: 40, alsoCaughtBy: ['real data'] });
    expect(r.detectionIncludesShrinking).toBe(false);
  });

  it('calls a buggy kernel that passed every phase escaped', () => {
    const r = zooResult(buggy, run(0, [phase('exact data', 40, 'pass', 10)]));
    expect(r).toMatchObject({ ok: false, verdict: 'escaped' });
  });

  it('calls a failing correct kernel a false alarm, and a passing one a pass', () => {
    expect(zooResult(correct, run(1, [phase('real data', 3, 'fail', 1)]))).toMatchObject({
      ok: false,
      verdict: 'false alarm',
    });
    expect(zooResult(correct, run(0, [phase('real data', 40, 'pass', 1)]))).toMatchObject({
      ok: true,
      verdict: 'pass',
    });
  });

  it('never counts a run without a report, or with exit 2, as caught', () => {
    expect(zooResult(buggy, run(2, undefined))).toMatchObject({
      ok: false,
      verdict: 'could not run',
    });
    expect(zooResult(buggy, run(2, [phase('exact data', 1, 'fail', 1)])).ok).toBe(false);
  });
});

describe('mapPool', () => {
  it('keeps the order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapPool([30, 10, 20, 5, 1], 2, async (ms, i) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return i * 10;
    });
    expect(out).toEqual([0, 10, 20, 30, 40]);
    expect(most).toBe(2);
  });
});

describe('renderZooMarkdown', () => {
  it('escapes table cells and marks an escaped bug', () => {
    expect(cell('a | b\nc')).toBe('a \\| b c');
    const text = renderZooMarkdown(
      [zooResult(buggy, run(0, [phase('exact data', 40, 'pass', 1)]))],
      {
        command: 'cmd',
        date: '2026-01-01',
        seed: 5,
        defaultSuite: "'standard'",
        totalMs: 1000,
        nodeVersion: 'v20',
        testSettings: 'quick',
      },
    );
    expect(text).toContain('**0 of 1 buggy kernels caught**');
    expect(text).toContain('| bias | bias \\| dropped | **ESCAPED** ✗ |');
  });
});
