// 自成交: an exchange abnormal-trading standard — a client trading with itself (or its control group).
import { term } from '../../vocabulary/term';
import {
  Count,
  defineRule,
  Enabled,
  ENABLED_LABEL,
  SEVERITY_LABEL,
  SeveritySchema,
  strict,
  THRESHOLD_LABEL,
} from './entry';
import { countText } from './text';

export const selfTrade = defineRule({
  id: 'self_trade',
  scope: 'contract',
  kind: 'standard',
  params: strict({
    enabled: Enabled,
    /** Self-trades of one client on one contract in one day that make an alert (reach = ≥). */
    threshold: Count,
    severity: SeveritySchema,
  }),
  name: term('Self-trade', '自成交'),
  paramLabels: { enabled: ENABLED_LABEL, threshold: THRESHOLD_LABEL, severity: SEVERITY_LABEL },
  metrics: {},
  threshold: (params) => params.threshold,
  firstEventParams: { threshold: 1 },
  message: (params) => (r) =>
    countText(
      r,
      params.severity,
      `${r.count} self-trades on ${r.instrumentId} today (threshold ${r.threshold})`,
      `${r.instrumentId} 今日自成交 ${r.count} 次（阈值 ${r.threshold} 次）`,
    ),
  accountCounter: true,
  benchTarget: 1,
});
