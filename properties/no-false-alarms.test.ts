import { describe, expect, it } from 'vitest';
import { falseAlarmKernels, noFalseAlarms } from './no-false-alarms.ts';

describe('no false alarms (short run; the long one is properties/no-false-alarms.ts)', () => {
  it.each(falseAlarmKernels().map((k) => [k.kernel.name, k] as const))(
    '%s passes on exact, real and special data for 2 seeds × 40 runs',
    async (_name, kernel) => {
      const rows = await noFalseAlarms({ seeds: 2, runs: 40, firstSeed: 1000, kernels: [kernel] });
      for (const row of rows) {
        expect(row.reports).toEqual([]);
        expect(row.checked).toBeGreaterThan(0);
      }
    },
  );
});
