/**
 * The place for a per-phase extra analysis (e.g. a precision profile of the
 * real-data phase): something that watches the cases a phase counts and adds
 * what it found to the phase's result. The runner calls it; nothing here
 * decides a verdict — the judge does.
 */
import type { ConvCase, DataKind } from '../../../properties/data.ts';
import type { CaseOutcome } from '../evaluate.ts';
import type { PhaseResult } from '../results.ts';

/** One phase's extra analysis. */
export interface PhaseAnalysis {
  /** Sees each counted case the judge passed (never a shrink candidate). */
  observe(c: ConvCase, outcome: CaseOutcome): void;
  /** Returns the phase's result with what the analysis found added. */
  finish(result: PhaseResult): PhaseResult;
}

/**
 * Chooses the analysis of a phase by its data kind; `undefined` for none.
 *
 * @example
 * ```ts
 * const analyses: PhaseAnalyses = (data) => (data === 'real' ? precisionProfile() : undefined);
 * ```
 */
export type PhaseAnalyses = (data: DataKind) => PhaseAnalysis | undefined;
