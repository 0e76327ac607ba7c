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

export * from './severityScale';
