import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyPropertyConfig,
  clockSeed,
  deepMaxMacs,
  defaultRuns,
  readPropertyConfig,
  seedBanner,
} from './config.ts';

describe('property configuration', () => {
  it('reads runs and seed from the environment', () => {
    expect(readPropertyConfig({ CONVCHECK_RUNS: '500', CONVCHECK_SEED: '-42' })).toMatchObject({
      numRuns: 500,
      seed: -42,
      seedSource: 'env',
      deep: false,
    });
  });

  it('chooses a seed from the clock when none is given, and deep mode scales everything up', () => {
    const config = readPropertyConfig({ CONVCHECK_DEEP: '1' });
    expect(config.seedSource).toBe('clock');
    expect(Number.isSafeInteger(config.seed)).toBe(true);
    expect(config.numRuns).toBe(10 * defaultRuns);
    expect(config.problemConstraints.maxMacs).toBe(deepMaxMacs);
    expect(clockSeed(1_700_000_000_123)).not.toBe(clockSeed(1_700_000_000_124));
  });

  it('names the variable and the value when one is malformed', () => {
    expect(() => readPropertyConfig({ CONVCHECK_RUNS: 'many' })).toThrow(
      /CONVCHECK_RUNS .* 'many'/,
    );
    expect(() => readPropertyConfig({ CONVCHECK_SEED: '1.5' })).toThrow(/CONVCHECK_SEED/);
  });

  it('merges into the global fast-check configuration instead of replacing it', () => {
    const before = fc.readConfigureGlobal();
    try {
      fc.configureGlobal({ ...before, verbose: 1 });
      applyPropertyConfig({ ...readPropertyConfig({ CONVCHECK_SEED: '7', CONVCHECK_RUNS: '3' }) });
      expect(fc.readConfigureGlobal()).toMatchObject({ verbose: 1, seed: 7, numRuns: 3 });
    } finally {
      fc.configureGlobal(before);
    }
  });

  it('the setup file installed the run seed and runs, and the banner says how to replay', () => {
    expect(Number.isSafeInteger(fc.readConfigureGlobal().seed)).toBe(true);
    expect(fc.readConfigureGlobal().numRuns).toBe(readPropertyConfig().numRuns);
    expect(seedBanner(12)).toBe('convcheck: fast-check seed 12 (set CONVCHECK_SEED=12 to replay)');
  });
});
