// The severity scales of the rules (shared/rules/severity.ts explains the mapping): a rule's severity at its
// threshold and the ratios at which it rises. Apart from severity.ts so the catalogue entries can use them.
import { SEVERITIES, type Severity } from './severityLevels';

/** A rule's severity at its threshold and the ratios (× the threshold) at which it rises one step each. */
export interface SeverityScale {
  atThreshold: Severity;
  stepsAt: readonly number[];
}

/** The severity of `ratio` on `scale`, raised `extraSteps` more (capped at critical). Below the threshold: one
 * step below the threshold's severity. */
export function severityAt(ratio: number, scale: SeverityScale, extraSteps = 0): Severity {
  let index = SEVERITIES.indexOf(scale.atThreshold);
  if (ratio < 1) index -= 1;
  else for (const step of scale.stepsAt) if (ratio >= step) index++;
  index = Math.max(0, Math.min(SEVERITIES.length - 1, index + extraSteps));
  return SEVERITIES[index] ?? scale.atThreshold;
}

/** Count standards: the configured severity at the threshold, one step up at 2×, another at 4×. */
export function countScale(atThreshold: Severity): SeverityScale {
  return { atThreshold, stepsAt: [2, 4] };
}

/** position_limit: high over the limit, critical from (1 + criticalExcessShare) × the limit. */
export function positionLimitScale(criticalExcessShare: number): SeverityScale {
  return { atThreshold: 'high', stepsAt: [1 + criticalExcessShare] };
}

/** margin_call: high at the call level, critical at the critical level. */
export function marginCallScale(callLevel: number, criticalLevel: number): SeverityScale {
  return { atThreshold: 'high', stepsAt: [callLevel > 0 ? criticalLevel / callLevel : 1] };
}

/** spoofing and momentum_ignition: medium at the minimum of episodes, high at 2×, critical at 3×. */
export const PATTERN_SCALE: SeverityScale = { atThreshold: 'medium', stepsAt: [2, 3] };

/** marking_close: medium at the minimum volume share, high at 2× it. */
export const MARKING_CLOSE_SCALE: SeverityScale = { atThreshold: 'medium', stepsAt: [2] };

/** How full an alert's count bar is: its ratio to the threshold, full at the threshold and past it. */
export function countBarFill(ratio: number): number {
  if (Number.isNaN(ratio)) return 0;
  return Math.max(0, Math.min(1, ratio));
}
