/**
 * Regenerates docs/conformance.md by running `convcheck check` itself on every
 * kernel it knows by name: our kernels and the peer libraries. Run:
 *
 *   npx tsx scripts/maintainer/conformance.ts [--suite standard] [--seed 20261127] [--out docs/conformance.md]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CheckReport, PhaseResult } from '../check/results.ts';
import { runCli } from '../run-cli.ts';

/**
 * `builtin` names the kernel (`--builtin <name>`, and the report's file); a
 * `browserModule` is run instead as `--impl <module> --browser` (the WebGPU adapters).
 */
const KERNELS: {
  builtin: string;
  library: string;
  packageName?: string;
  how: string;
  browserModule?: string;
}[] = [
  { builtin: 'im2col', library: 'convcheck im2col + GEMM (f32)', how: 'in process' },
  { builtin: 'im2col-f64', library: 'convcheck im2col + GEMM (f64)', how: 'in process' },
  { builtin: 'winograd-f2', library: 'convcheck Winograd F(2, r)', how: 'in process' },
  { builtin: 'winograd-f4', library: 'convcheck Winograd F(4, r)', how: 'in process' },
  {
    builtin: 'ort',
    library: 'onnxruntime-node',
    packageName: 'onnxruntime-node',
    how: 'child process, Conv node built in memory',
  },
  {
    builtin: 'tfjs-cpu',
    library: 'TensorFlow.js, cpu backend',
    packageName: '@tensorflow/tfjs-backend-cpu',
    how: 'child process, NHWC',
  },
  {
    builtin: 'tfjs-wasm',
    library: 'TensorFlow.js, wasm backend (XNNPACK)',
    packageName: '@tensorflow/tfjs-backend-wasm',
    how: 'child process, NHWC',
  },
  { builtin: 'torch', library: 'PyTorch (float64)', how: 'subprocess protocol, /usr/bin/python3' },
  {
    builtin: 'torch-f32',
    library: 'PyTorch (float32)',
    how: 'subprocess protocol, /usr/bin/python3',
  },
  {
    builtin: 'scipy',
    library: 'scipy.signal correlate2d / convolve2d',
    how: 'subprocess protocol, python3',
  },
  {
    builtin: 'tfjs-webgpu',
    browserModule: 'impl/peers/browser/tfjs-webgpu.mjs',
    library: 'TensorFlow.js, webgpu backend (Chromium, SwiftShader)',
    packageName: '@tensorflow/tfjs-backend-webgpu',
    how: 'headless Chromium page, NHWC',
  },
  {
    builtin: 'ort-webgpu',
    browserModule: 'impl/peers/browser/ort-webgpu.mjs',
    library: 'onnxruntime-web, WebGPU provider (Chromium, SwiftShader)',
    packageName: 'onnxruntime-web',
    how: 'headless Chromium page, Conv node built in memory',
  },
  {
    builtin: 'numpy-reference',
    library: 'numpy reference client (docs/protocol.md)',
    how: 'subprocess protocol, python3',
  },
];

function versionOf(packageName: string | undefined): string {
  if (!packageName) return '';
  try {
    return (createRequire(import.meta.url)(`${packageName}/package.json`) as { version: string })
      .version;
  } catch {
    return 'not installed';
  }
}

function pythonVersion(module: string, python: string): string {
  try {
    return execFileSync(python, ['-c', `import ${module}; print(${module}.__version__)`], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'not installed';
  }
}

/** Skip reasons grouped by their general part: details in parentheses name one case. */
function skipSummary(p: PhaseResult): string {
  const grouped = new Map<string, number>();
  for (const [reason, n] of Object.entries(p.skipReasons)) {
    const general = reason.replace(/\s*\([^)]*\)\s*$/, '');
    grouped.set(general, (grouped.get(general) ?? 0) + n);
  }
  const reasons = [...grouped].sort((a, b) => b[1] - a[1]);
  if (reasons.length === 0) return '';
  const top = reasons.slice(0, 3).map(([r, n]) => `${n}× ${r}`);
  return `${top.join('; ')}${reasons.length > 3 ? `; +${reasons.length - 3} more reasons` : ''}`;
}

function row(
  kernel: (typeof KERNELS)[number],
  version: string,
  report: CheckReport | undefined,
  note: string,
) {
  if (!report) return [`| ${kernel.library} | ${version} | — | could not run: ${note} | | | |`];
  return report.phases.map(
    (p) =>
      `| ${kernel.library} | ${version} | ${p.phase} | ${p.verdict}${p.failure ? `: ${p.failure.message} (\`${p.failure.descriptor}\`)` : ''} | ${p.passed}/${p.cases} | ${p.worstBoundRatio.toPrecision(3)} | ${skipSummary(p)} |`,
  );
}

async function main() {
  const { values } = parseArgs({
    options: {
      suite: { type: 'string', default: 'standard' },
      seed: { type: 'string', default: '20261127' },
      out: { type: 'string', default: 'docs/conformance.md' },
    },
  });
  const work = mkdtempSync(join(tmpdir(), 'convcheck-conformance-'));
  const lines: string[] = [];
  try {
    for (const kernel of KERNELS) {
      const version = kernel.builtin.startsWith('torch')
        ? `torch ${pythonVersion('torch', '/usr/bin/python3')}`
        : kernel.builtin === 'scipy'
          ? `scipy ${pythonVersion('scipy', 'python3')}`
          : versionOf(kernel.packageName);
      process.stderr.write(`conformance: ${kernel.builtin}…\n`);
      const json = join(work, `${kernel.builtin}.json`);
      const r = runCli(
        [
          'check',
          ...(kernel.browserModule
            ? ['--impl', kernel.browserModule, '--browser']
            : ['--builtin', kernel.builtin]),
          '--suite',
          values.suite!,
          '--seed',
          values.seed!,
          '--json',
          json,
        ],
        { timeoutMs: 1_800_000 },
      );
      let report: CheckReport | undefined;
      try {
        report = JSON.parse(readFileSync(json, 'utf8')) as CheckReport;
      } catch {
        report = undefined;
      }
      lines.push(
        ...row(kernel, version, report, r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}`),
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const doc = [
    '# Conformance of convolution libraries',
    '',
    `Generated by \`npx tsx scripts/maintainer/conformance.ts --suite ${values.suite} --seed ${values.seed}\` on ${new Date().toISOString().slice(0, 10)};`,
    'do not edit by hand. Every row is one phase of `convcheck check --builtin <name>`: generated problems',
    '(1-D to 3-D, groups, stride, dilation, asymmetric padding, both modes) on exact integer data (must match',
    'bit for bit), real-valued data (per-element error-analysis bound, docs/tolerance.md) and special values.',
    '"worst / bound" is the largest |error| / bound over passing cases. Skips are the library\'s own declared',
    "limits (the adapter's `supports()`), with the count of generated cases that hit each. The WebGPU rows run",
    '`convcheck check --impl impl/peers/browser/<name>.mjs --browser` in headless Chromium, judged by the `wgsl`',
    'model; their findings are explained in docs/results/webgpu.md.',
    '',
    '| library | version | phase | verdict | passed / cases | worst / bound | skipped because |',
    '|---|---|---|---|---:|---:|---|',
    ...lines,
    '',
    '## Facts checked against reports elsewhere',
    '',
    '- **tfjs rejects stride > 1 together with dilation > 1 in conv2d** — confirmed: tfjs throws',
    '  "Either strides or dilations must be 1" even when they are on different axes (test',
    '  `properties/peers/tfjs.test.ts`). The adapter declares those problems unsupported; they appear above as skips.',
    '  depthwiseConv2d on the wasm backend computes them, and correctly.',
    "- **tfjs depthwiseConv2d with dataFormat 'NCHW' returns wrong shapes or values** — confirmed on cpu and",
    '  wasm: both read the NCHW buffer as NHWC (test `properties/peers/tfjs.test.ts`). The adapters use NHWC only.',
    '- **tfjs-cpu skips padding taps**: with an infinite weight over padding it returns a finite value where the',
    '  definition (0·∞ = NaN) gives NaN; the adapter pads explicitly in that case (test `properties/peers/tfjs.test.ts`).',
    '- **onnxruntime has no float64 Conv** on the CPU provider; the adapter runs float32.',
    '',
  ].join('\n');
  writeFileSync(values.out!, doc);
  process.stderr.write(`conformance: wrote ${values.out}\n`);
}

await main();
