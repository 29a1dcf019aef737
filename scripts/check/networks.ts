/**
 * `check --suite networks`: every distinct conv layer of the model files in
 * fixtures/models/ (AlexNet, VGG-16, ResNet-18, ResNet-50, MobileNetV2,
 * EfficientNet-B0) at batch 1, once each, on real-valued data. These are
 * full-size layers: above the sampling threshold the oracle runs at a
 * stratified sample of outputs (properties/sampling.ts) unless --full.
 */
import { convGeometry, formatDescriptor, macs } from '../../reference/index.ts';
import { loadNetworkShapes } from '../fixtures/networks.ts';
import { shellQuote } from '../shell-quote.ts';
import { evaluateCase } from './evaluate.ts';
import type { LayerTiming, PhaseResult } from './results.ts';
import type { CheckTarget, RunOptions } from './runner.ts';
import { phaseSummary } from './runner.ts';

/**
 * Runs the network shape list on one kernel, sharded by layer index.
 *
 * @example
 * ```ts
 * const result = await runNetworkPhase(target, options);
 * ```
 */
export async function runNetworkPhase(
  target: CheckTarget,
  options: RunOptions,
): Promise<PhaseResult> {
  const started = Date.now();
  const all = loadNetworkShapes();
  const layers = all.filter((_, i) => i % options.shard.count === options.shard.index - 1);
  // Largest layers last, so a slow run shows progress early.
  layers.sort((a, b) => macs(convGeometry(a.problem)) - macs(convGeometry(b.problem)));
  const result: PhaseResult = {
    kernel: target.host.name,
    phase: 'network layers (real data)',
    seed: options.seed,
    cases: 0,
    passed: 0,
    skipped: 0,
    skipReasons: {},
    worstBoundRatio: 0,
    verdict: 'pass',
    durationMs: 0,
  };
  options.progress.phaseStart(`${target.host.name} / network layers`, layers.length);
  const timings: LayerTiming[] = [];
  result.layers = timings;
  for (const layer of layers) {
    const c = { problem: layer.problem, data: 'real' as const, dataSeed: options.seed >>> 0 };
    const caseStarted = Date.now();
    options.progress.current?.(layer.name);
    const outcome = await evaluateCase(target.host, c, target.tolerance, {
      timeoutMs: options.timeoutMs,
      checkDeterminism: false,
      full: options.fullOracle === true,
    });
    const g = convGeometry(layer.problem);
    timings.push({
      name: layer.name,
      descriptor: formatDescriptor(layer.problem),
      macs: macs(g),
      verdict: outcome.verdict,
      ms: Date.now() - caseStarted,
      oracleOutputs: outcome.sampled?.count ?? g.outputLength,
      outputs: g.outputLength,
    });
    result.cases++;
    options.progress.tick(result.cases);
    if (outcome.verdict === 'skip') {
      result.skipped++;
      result.skipReasons[outcome.message] = (result.skipReasons[outcome.message] ?? 0) + 1;
    } else if (outcome.verdict === 'pass') {
      result.passed++;
      result.worstBoundRatio = Math.max(result.worstBoundRatio, outcome.boundRatio);
    } else if (!result.failure) {
      const descriptor = formatDescriptor(layer.problem);
      result.failure = {
        verdict: outcome.verdict,
        descriptor,
        problem: layer.problem,
        data: 'real',
        dataSeed: c.dataSeed,
        seed: options.seed,
        path: '',
        message: `${layer.name}: ${outcome.message}`,
        details: outcome.details,
        repro: `npx convcheck check ${target.implFlags} --problem ${shellQuote(descriptor)} --data real --data-seed ${c.dataSeed}${options.fullOracle ? ' --full' : ''}`,
      };
    }
  }
  result.sampled = sampledTotals(timings);
  result.verdict = result.failure ? result.failure.verdict : result.passed === 0 ? 'skip' : 'pass';
  result.durationMs = Date.now() - started;
  options.progress.phaseEnd(phaseSummary(result));
  return result;
}

/** "Sampled N of M outputs" over the phase's layers; undefined when nothing was sampled. */
function sampledTotals(timings: LayerTiming[]): PhaseResult['sampled'] {
  if (timings.every((t) => t.oracleOutputs === t.outputs)) return undefined;
  return {
    count: timings.reduce((s, t) => s + t.oracleOutputs, 0),
    total: timings.reduce((s, t) => s + t.outputs, 0),
  };
}
