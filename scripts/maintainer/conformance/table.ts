/**
 * The conformance table: the subjects (subjects.json, one object per library),
 * the hand-checked explanations of findings (findings.json, keyed
 * `<subject>/<phase>`), and docs/conformance.md rendered from the JSON reports
 * of `convcheck check`. Pure: running the checks is conformance.ts's job.
 */
import { readFileSync } from 'node:fs';
import type { CheckReport, PhaseResult } from '../../check/results.ts';

/** One library (or one configuration of it) in the table. */
export interface Subject {
  /** Short id: the key prefix of its findings, the JSON report's file name. */
  name: string;
  /** What the row calls it. */
  library: string;
  /** How it is run (process, layout, borders, bound). */
  how: string;
  /** The arguments after `convcheck check` (suite, seed and --json are added). */
  run: string[];
  /** Where its version comes from; none for convcheck's own kernels. */
  version?: { npm: string } | { python: string; interpreter: string };
}

/** A finding's explanation, checked by hand on the counterexample it names. */
export interface Explanation {
  /** The counterexample (descriptor) the explanation was checked on. */
  descriptor: string;
  explanation: string;
}

const HERE = new URL('./', import.meta.url);

function fail(file: string, why: string): never {
  throw new TypeError(`${file}: ${why}`);
}

const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s !== '');

/**
 * The subjects of subjects.json, checked field by field (a bad entry names its
 * index and field).
 *
 * @example
 * ```ts
 * loadSubjects().map((s) => s.name); // ['im2col', 'im2col-f64', …]
 * ```
 */
export function loadSubjects(text = readFileSync(new URL('subjects.json', HERE), 'utf8')) {
  const file = 'subjects.json';
  const data = JSON.parse(text) as { subjects?: unknown };
  if (!Array.isArray(data.subjects)) fail(file, 'subjects must be an array');
  const seen = new Set<string>();
  return data.subjects.map((raw, i): Subject => {
    const s = raw as Partial<Subject>;
    const at = `subjects[${i}]`;
    for (const key of ['name', 'library', 'how'] as const) {
      if (typeof s[key] !== 'string' || s[key] === '') fail(file, `${at}.${key} must be a string`);
    }
    if (seen.has(s.name!)) fail(file, `${at}.name '${s.name}' is used twice`);
    seen.add(s.name!);
    if (!isStrings(s.run)) fail(file, `${at}.run must be a non-empty list of arguments`);
    const v = s.version as Record<string, unknown> | undefined;
    if (
      v !== undefined &&
      !(typeof v.npm === 'string') &&
      !(typeof v.python === 'string' && typeof v.interpreter === 'string')
    ) {
      fail(file, `${at}.version must be {npm} or {python, interpreter}`);
    }
    return s as Subject;
  });
}

/**
 * The explanations of findings.json by key `<subject>/<phase>`.
 *
 * @example
 * ```ts
 * loadExplanations()['cv2/special data']?.explanation;
 * ```
 */
export function loadExplanations(
  text = readFileSync(new URL('findings.json', HERE), 'utf8'),
): Record<string, Explanation> {
  const data = JSON.parse(text) as { findings?: unknown };
  const findings = data.findings as Record<string, Partial<Explanation>> | undefined;
  if (typeof findings !== 'object' || findings === null) {
    fail('findings.json', 'findings must be an object');
  }
  for (const [key, e] of Object.entries(findings)) {
    if (typeof e.descriptor !== 'string' || typeof e.explanation !== 'string') {
      fail('findings.json', `findings['${key}'] needs descriptor and explanation strings`);
    }
  }
  return findings as Record<string, Explanation>;
}

/**
 * The facts checked against reports elsewhere (findings.json `facts`): one
 * Markdown list item each.
 *
 * @example
 * ```ts
 * loadFacts()[0]; // '**tfjs rejects stride > 1 together with dilation > 1 in conv2d** — …'
 * ```
 */
export function loadFacts(text = readFileSync(new URL('findings.json', HERE), 'utf8')): string[] {
  const facts = (JSON.parse(text) as { facts?: unknown }).facts ?? [];
  if (!Array.isArray(facts) || !facts.every((f) => typeof f === 'string')) {
    fail('findings.json', 'facts must be a list of strings');
  }
  return facts;
}

/** Skip reasons grouped by their general part: details in parentheses name one case. */
function skipSummary(p: PhaseResult): string {
  const grouped = new Map<string, number>();
  for (const [reason, n] of Object.entries(p.skipReasons)) {
    const general = reason.replace(/\s*\([^)]*\)\s*$/, '').replaceAll('|', '\\|');
    grouped.set(general, (grouped.get(general) ?? 0) + n);
  }
  const reasons = [...grouped].sort((a, b) => b[1] - a[1]);
  const top = reasons.slice(0, 3).map(([r, n]) => `${n}× ${r}`);
  return `${top.join('; ')}${reasons.length > 3 ? `; +${reasons.length - 3} more reasons` : ''}`;
}

/** What one subject's run gave: its report, or why there is none. */
export interface SubjectRun {
  subject: Subject;
  version: string;
  report?: CheckReport;
  /** The last line the run printed, when it gave no report. */
  note?: string;
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The rows of one subject: one per phase. */
function rows(r: SubjectRun, explanations: Record<string, Explanation>): string[] {
  const lib = cell(r.subject.library);
  if (!r.report || r.report.phases.length === 0) {
    return [
      `| ${lib} | ${r.version} | — | could not run: ${cell(r.note ?? 'no report')} | | | | |`,
    ];
  }
  return r.report.phases.map((p) => {
    const key = `${r.subject.name}/${p.phase}`;
    const verdict = p.failure
      ? `**${p.verdict}**: ${cell(p.failure.message)} ([finding](#${anchor(key)})${explanations[key] ? '' : ', not yet explained'})`
      : p.verdict;
    const precision = p.precision?.tightest ?? '';
    return `| ${lib} | ${r.version} | ${p.phase} | ${verdict} | ${p.passed}/${p.cases} | ${p.worstBoundRatio.toPrecision(3)} | ${precision} | ${skipSummary(p)} |`;
  });
}

/** A heading anchor GitHub makes of `key` (lowercase, spaces to '-', most punctuation dropped). */
export function anchor(key: string): string {
  return key
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replaceAll(' ', '-');
}

/** The finding of one failing phase: counterexample, repro and the explanation (or its absence). */
function finding(r: SubjectRun, p: PhaseResult, explanations: Record<string, Explanation>) {
  const f = p.failure!;
  const key = `${r.subject.name}/${p.phase}`;
  const e = explanations[key];
  const lines = [
    `### ${key}`,
    '',
    `${r.subject.library} ${r.version}: ${f.verdict} — ${f.message}`,
    '',
    `- counterexample (shrunk ${p.numShrinks ?? 0} times): \`${f.descriptor}\`, ${f.data} data, data seed ${f.dataSeed}${f.specials ? `, specials \`${f.specials}\`` : ''}`,
    `- repro: \`${f.repro}\``,
  ];
  if (!e) {
    lines.push(
      `- **not yet explained**: add \`"${key}"\` to scripts/maintainer/conformance/findings.json once checked by hand`,
    );
  } else {
    const same = e.descriptor === f.descriptor;
    lines.push(
      `- explanation (checked by hand on \`${e.descriptor}\`${same ? '' : '; this run shrank to another counterexample'}): ${e.explanation}`,
    );
  }
  return [...lines, ''];
}

/**
 * Hand-run result pages that this table does not regenerate: each says how its
 * figures were made.
 */
const RESULT_PAGES: readonly (readonly [string, string])[] = [
  [
    'docs/results/quantized.md',
    'ONNX ConvInteger/QLinearConv: im2col-int8, onnxruntime-node and PyTorch (qnnpack, onednn) on generated cases at five seeds, judged exactly or by the derived ±1 rule (measured before these were `convcheck check` phases: the int8 rows above)',
  ],
  [
    'docs/results/precision.md',
    'float16/bfloat16 storage: im2col-f16, im2col-bf16 and the Python clients, with their precision classes',
  ],
  [
    'docs/gpu-precision.md',
    "PyTorch's CUDA convolution on an H200 in fp32, TF32, fp16 and bf16 (hand-run)",
  ],
  [
    'docs/results/transposed.md',
    'ConvTranspose and the backward passes: im2col, onnxruntime-node, PyTorch, tfjs at two seeds',
  ],
  [
    'docs/results/ecosystem-js.md',
    'the seven JavaScript library adapters at two seeds, findings worked by hand',
  ],
  [
    'docs/results/webgpu.md',
    'tfjs-webgpu and onnxruntime-web WebGPU in headless Chromium (SwiftShader)',
  ],
];

/**
 * docs/conformance.md from the runs, in subject order.
 *
 * @example
 * ```ts
 * writeFileSync('docs/conformance.md', renderTable(runs, loadExplanations(), loadFacts(), { suite: 'standard', seed: '20261127', date: '2026-12-05' }));
 * ```
 */
export function renderTable(
  runs: readonly SubjectRun[],
  explanations: Record<string, Explanation>,
  facts: readonly string[],
  how: { suite: string; seed: string; date: string },
): string {
  const failing = runs.flatMap((r) =>
    (r.report?.phases ?? []).filter((p) => p.failure).map((p) => finding(r, p, explanations)),
  );
  return [
    '# Conformance of convolution libraries',
    '',
    `Generated by \`npm run conformance -- --suite ${how.suite} --seed ${how.seed}\` (scripts/maintainer/conformance.ts) on ${how.date};`,
    'do not edit by hand: the subjects are scripts/maintainer/conformance/subjects.json, the explanations',
    'of findings scripts/maintainer/conformance/findings.json. Every row is one phase of `convcheck check`',
    "on the subject, within its declared domain (the adapter's `supports()` and, for a built-in, its",
    'generator constraints): generated problems (1-D to 3-D, groups, stride, dilation, asymmetric padding,',
    'padding modes, both modes) on exact integer data (must match bit for bit), real-valued data (the',
    'subject\'s bound model, docs/tolerance.md) and special values. "worst / bound" is the largest',
    '|error| / bound over passing cases; "precision" the tightest precision class the real-data phase',
    "meets (docs/tolerance.md, precision classes). Skips are the subject's own declared limits, with",
    'the count of generated cases that hit each. The int8 subjects run the quantized ops instead (ONNX',
    'ConvInteger and QLinearConv, docs/quantized.md): integer, rounding-tie and saturation data, ConvInteger',
    'judged bit for bit and QLinearConv by the exact result or the derived ±1 next to a rounding tie.',
    '',
    '| library | version | phase | verdict | passed / cases | worst / bound | precision | skipped because |',
    '|---|---|---|---|---:|---:|---|---|',
    ...runs.flatMap((r) => rows(r, explanations)),
    '',
    '## Subjects',
    '',
    '| library | how it is run | `convcheck check` arguments |',
    '|---|---|---|',
    ...runs.map(
      (r) =>
        `| ${cell(r.subject.library)} | ${cell(r.subject.how)} | \`${r.subject.run.join(' ')}\` |`,
    ),
    '',
    '## Findings',
    '',
    ...(failing.length === 0 ? ['None in this run.', ''] : failing.flat()),
    '## Results kept beside this table',
    '',
    ...RESULT_PAGES.map(([page, what]) => `- [${page}](${page.replace('docs/', '')}): ${what}`),
    '',
    '## Facts checked against reports elsewhere',
    '',
    ...facts.map((f) => `- ${f}`),
    '',
  ].join('\n');
}
