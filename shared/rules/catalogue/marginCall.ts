// 追加保证金: an account's risk degree (margin ÷ equity) at or over the call level.
import { quantity as q, YES_NO } from '../../vocabulary/quantity';
import { term } from '../../vocabulary/term';
import { defineRule, Enabled, ENABLED_LABEL, Positive, strict } from './entry';

export const marginCall = defineRule({
  id: 'margin_call',
  scope: 'account',
  kind: 'risk',
  params: strict({
    enabled: Enabled,
    /** Risk degree (margin ÷ equity) that is a margin call (severity high); reach = ≥. */
    callLevel: Positive,
    /** Risk degree that is critical. */
    criticalLevel: Positive,
  }),
  name: term('Margin call', '追加保证金'),
  paramLabels: {
    enabled: ENABLED_LABEL,
    callLevel: q('Margin-call level', '追保线', 'share'),
    criticalLevel: q('Critical level', '严重线', 'share'),
  },
  metrics: {
    peakRiskDegree: q('Peak risk degree', '最高风险度', 'share'),
    equityNonPositive: q('Equity ≤ 0', '权益 ≤ 0', null, YES_NO),
  },
  threshold: (params) => params.callLevel,
  // Risk degree ÷ call level; Infinity when equity ≤ 0.
  ratio: ({ metrics, threshold }) => {
    if ((metrics.equityNonPositive ?? 0) > 0) return Number.POSITIVE_INFINITY;
    const callLevel = threshold ?? 0;
    return callLevel > 0 ? (metrics.peakRiskDegree ?? 0) / callLevel : 1;
  },
  validate: ({ callLevel, criticalLevel }) =>
    criticalLevel < callLevel ? `criticalLevel (${criticalLevel}) must not be below callLevel (${callLevel})` : null,
  accountCounter: false,
  benchTarget: 0.95,
});
