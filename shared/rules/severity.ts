// How severe an alert is, from how far it is past its rule's line. One ratio — the alert's measure ÷ its threshold,
// 1 at the threshold — gives both the severity (the engine) and the Alerts window's count bar, so the two agree.
//
// The mapping (thresholds from the rules file):
//   count standards (self_trade, frequent_cancel, large_cancel, order_burst): the rule's configured severity at the
//     threshold, one step up at 2× the threshold, another at 4×;
//   position_limit: high as soon as the limit is exceeded (a breach of an exchange limit is never low or medium),
//     critical once the excess reaches criticalExcessShare of the limit (default 10%: 110% of the limit);
//   margin_call: high at the call level, critical at the critical level;
//   manipulation patterns (spoofing, momentum_ignition): medium at the minimum number of episodes — one episode is
//     an indication to review —, high at 2×, critical at 3×; layering (spoofing on several price levels) one step up;
//   marking_close: medium at the minimum volume share, high at 2× it (or on a second day-close hit).
import { countRatio, RULES, type AlertMeasure as CatalogueMeasure, type RuleId } from './catalogue';
import { SEVERITIES, type Severity } from './severityLevels';

/** The figures of an alert the ratio is read from. */
export interface AlertMeasure extends CatalogueMeasure {
  rule: RuleId;
}

/**
 * The alert's measure ÷ its threshold, as the rule's catalogue entry reads it (risk degree ÷ call level for
 * margin_call, volume share ÷ minimum share for marking_close), otherwise count ÷ threshold (lots held ÷ the
 * position limit for position_limit; episodes ÷ the minimum for the patterns). 1 when the alert has no threshold.
 */
export function thresholdRatio(alert: AlertMeasure): number {
  const ratio = RULES[alert.rule].ratio;
  return ratio ? ratio(alert) : countRatio(alert);
}

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
