/**
 * `convcheck/vitest`: conformance checks as vitest tests, one per phase (data
 * kind) of the suite, each running {@link checkKernel} on the CLI's code path.
 * A failing test's message is the shrunk counterexample and its repro line.
 *
 * @example
 * ```ts
 * // my-kernel.test.ts
 * import { describeConformance } from 'convcheck/vitest';
 * import myKernel from './my-kernel.ts';
 *
 * describeConformance(myKernel, { suite: 'quick', modes: ['xcorr'] });
 * ```
 */
import { describe, it } from 'vitest';
import {
  type CheckKernelOptions,
  checkKernel,
  type KernelUnderTest,
} from './scripts/check/check-kernel.ts';
import { declinedBlock, failureText } from './scripts/check/console-report.ts';
import type { CheckReport } from './scripts/check/results.ts';
import { suiteSpec } from './scripts/check/suites.ts';

/** {@link CheckKernelOptions} plus how the tests are named and timed. */
export interface ConformanceOptions extends CheckKernelOptions {
  /** The describe block's title; default `convcheck: <kernel name or command>`. */
  title?: string;
  /** Time limit of each phase's test; default 300 000 ms. */
  testTimeoutMs?: number;
}

function kernelLabel(kernel: KernelUnderTest): string {
  if ('command' in kernel && typeof kernel.command === 'string') return kernel.command;
  if ('module' in kernel && typeof kernel.module === 'string') return kernel.module;
  return String((kernel as { name?: unknown }).name);
}

/** Throws with a readable message unless the one-phase report is a pass. */
function assertPhasePassed(report: CheckReport): void {
  if (report.exitCode === 2) throw new Error(`convcheck: ${report.error}`);
  const failed = report.phases.find((p) => p.failure);
  if (failed) throw new Error(failureText(failed));
  if (report.exitCode !== 0) {
    const declined = report.phases.map(declinedBlock).join('');
    throw new Error(`convcheck: nothing was checked (allowEmpty accepts this)\n${declined}`);
  }
}

/**
 * Declares a describe block with one vitest test per phase of the suite (exact,
 * real and special data; or the network layers). Each test fails with the
 * shrunk counterexample and its repro line, or when the kernel declined every
 * case of the phase (unless `allowEmpty`).
 *
 * @example
 * ```ts
 * describeConformance({ command: 'python3 my_kernel.py' }, { suite: 'quick', seed: 7 });
 * ```
 */
export function describeConformance(
  kernel: KernelUnderTest,
  options: ConformanceOptions = {},
): void {
  const { title, testTimeoutMs = 300_000, ...checkOptions } = options;
  const suite = suiteSpec(checkOptions.suite ?? 'standard');
  const phases = suite.networks
    ? [{ name: 'network layers', data: undefined }]
    : suite.data
        .filter((d) => !checkOptions.data || checkOptions.data.includes(d))
        .map((d) => ({ name: `${d} data`, data: [d] }));
  describe(title ?? `convcheck: ${kernelLabel(kernel)}`, () => {
    for (const phase of phases) {
      it(
        phase.name,
        async () => {
          const report = await checkKernel(kernel, {
            ...checkOptions,
            ...(phase.data ? { data: phase.data } : {}),
          });
          assertPhasePassed(report);
        },
        testTimeoutMs,
      );
    }
  });
}
