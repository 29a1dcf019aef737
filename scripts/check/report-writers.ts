/**
 * Writers for the CI reports of a check run: JSON, JUnit XML and a Markdown
 * summary a CI page can show.
 */
import { type CheckReport, type PhaseResult, THIN_MINIMUM } from './results.ts';

/** The report as pretty JSON. */
export function toJson(report: CheckReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

// Everything outside XML 1.0's Char production (#x9 | #xA | #xD | [#x20-#xD7FF] |
// [#xE000-#xFFFD] | [#x10000-#x10FFFF]) cannot be carried at all, even escaped:
// control characters, U+FFFE, U+FFFF and unpaired surrogates are stripped.
const XML_INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(XML_INVALID, '');
}

function skipText(p: PhaseResult): string {
  return Object.entries(p.skipReasons)
    .map(([reason, n]) => `${n}× ${reason}`)
    .join('; ');
}

function testcase(p: PhaseResult): string {
  const open = `    <testcase classname="${xml(p.kernel)}" name="${xml(p.phase)}" time="${(p.durationMs / 1000).toFixed(3)}">`;
  const f = p.failure;
  let body = '';
  if (f) {
    const tag = f.verdict === 'fail' ? 'failure' : 'error';
    const text = `${f.descriptor}\n${f.details}\nrepro: ${f.repro}`;
    body = `\n      <${tag} message="${xml(f.message)}" type="${tag}">${xml(text)}</${tag}>\n    `;
  } else if (p.interrupted) {
    body = `\n      <error message="interrupted after ${p.cases} cases" type="interrupted"/>\n    `;
  } else if (p.verdict === 'skip') {
    body = `\n      <skipped message="${xml(skipText(p) || 'unsupported')}"/>\n    `;
  } else if (p.verdict === 'thin') {
    // Not a pass: too few cases were checked to say the kernel conforms.
    body = `\n      <skipped message="${xml(`thin: only ${p.passed} of ${p.cases} cases checked (minimum ${THIN_MINIMUM})`)}"/>\n    `;
  }
  const out = `<system-out>${xml(`${p.cases} cases: ${p.passed} passed, ${p.skipped} skipped${p.skipped ? ` (${skipText(p)})` : ''}; seed ${p.seed}`)}</system-out>`;
  return `${open}${body}${out}</testcase>`;
}

/**
 * The report as JUnit XML: one testsuite per kernel, one testcase per phase.
 *
 * @example
 * ```ts
 * writeFileSync('convcheck.xml', toJunit(report));
 * ```
 */
export function toJunit(report: CheckReport): string {
  const byKernel = new Map<string, PhaseResult[]>();
  for (const p of report.phases) byKernel.set(p.kernel, [...(byKernel.get(p.kernel) ?? []), p]);
  const suites = [...byKernel].map(([kernel, phases]) => {
    const count = (v: string) => phases.filter((p) => p.verdict === v).length;
    const time = phases.reduce((s, p) => s + p.durationMs, 0) / 1000;
    return [
      `  <testsuite name="convcheck: ${xml(kernel)}" tests="${phases.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip')}" time="${time.toFixed(3)}">`,
      `    <properties><property name="seed" value="${report.seed}"/><property name="suite" value="${xml(report.suite)}"/></properties>`,
      ...phases.map(testcase),
      '  </testsuite>',
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="convcheck">\n${suites.join('\n')}\n</testsuites>\n`;
}

const ICON = {
  pass: '✅ pass',
  thin: '⚠️ thin',
  fail: '❌ fail',
  skip: '⏭️ skip',
  error: '💥 error',
} as const;

/**
 * A Markdown summary: a table of phases, then each failure with its repro line.
 *
 * @example
 * ```ts
 * appendFileSync(process.env.GITHUB_STEP_SUMMARY!, toMarkdown(report));
 * ```
 */
export function toMarkdown(report: CheckReport): string {
  const t = report.totals;
  const lines = [
    `## convcheck: ${report.interrupted ? `INTERRUPTED (${report.signal}): partial results` : report.exitCode === 0 ? 'passed' : 'FAILED'}`,
    '',
    `Suite \`${report.suite}\`, seed \`${report.seed}\`, shard ${report.shard.index}/${report.shard.count}. ` +
      `Phases: ${t.pass} passed, ${t.thin} thin, ${t.fail} failed, ${t.error} errored, ${t.skip} skipped. ` +
      `Cases: ${report.caseTotals.passed} of ${report.caseTotals.cases} checked, ${report.caseTotals.skipped} skipped.`,
    ...(report.nothingChecked
      ? [
          '',
          `**Nothing was checked**: the kernel declined every case${report.exitCode === 0 ? ' (allowed by --allow-empty)' : ''}.`,
        ]
      : []),
    '',
    '| kernel | phase | verdict | cases | passed | skipped | worst error / bound |',
    '|---|---|---|---:|---:|---:|---:|',
    ...report.phases.map(
      (p) =>
        `| ${p.kernel} | ${p.phase} | ${ICON[p.verdict]} | ${p.cases} | ${p.passed} | ${p.skipped} | ${p.worstBoundRatio.toPrecision(3)} |`,
    ),
  ];
  for (const p of report.phases.filter((x) => x.failure)) {
    const f = p.failure!;
    lines.push(
      '',
      `### ${ICON[f.verdict]}: ${p.kernel} — ${p.phase}`,
      '',
      `\`${f.descriptor}\` — ${f.message}`,
      '',
      '```',
      f.details,
      '```',
      '',
      `Repro: \`${f.repro}\``,
      ...(f.replay ? ['', `Replay the phase: \`${f.replay}\``] : []),
    );
  }
  const skips = report.phases.filter((p) => p.skipped > 0);
  if (skips.length > 0) {
    lines.push('', '<details><summary>Skipped cases</summary>', '');
    for (const p of skips) lines.push(`- ${p.kernel} / ${p.phase}: ${skipText(p)}`);
    lines.push('', '</details>');
  }
  return `${lines.join('\n')}\n`;
}
