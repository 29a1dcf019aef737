import { describe, expect, it } from 'vitest';
import { falseAlarmKernels, noFalseAlarms } from './no-false-alarms.ts';
import { tierRuns } from './test-tier.ts';

// Fixed seeds, so a false alarm is a finding to replay, never a flake: the quick tier
// runs seed 1000, the full tier seed 1001.
const firstSeed = tierRuns(1000, 1001);

describe('no false alarms (short run; the long one is properties/no-false-alarms.ts)', () => {
  it.each(falseAlarmKernels().map((k) => [k.kernel.name, k] as const))(
    `%s passes on exact, real and special data at seed ${firstSeed} × 40 runs`,
    async (_name, kernel) => {
      const rows = await noFalseAlarms({ seeds: 1, runs: 40, firstSeed, kernels: [kernel] });
      for (const row of rows) {
        expect(row.reports).toEqual([]);
        expect(row.checked).toBeGreaterThan(0);
      }
    },
  );
});
