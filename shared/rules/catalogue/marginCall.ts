// 追加保证金: an account's risk degree (margin ÷ equity) at or over the call level.
import { quantity as q, YES_NO } from '../../vocabulary/quantity';
import { term } from '../../vocabulary/term';
import { marginCallScale, severityAt } from '../severityScale';
import { clamp01, metric, pct } from './text';
import { type AlertMeasure, defineRule, Enabled, ENABLED_LABEL, Positive, strict } from './entry';

/** Risk degree ÷ call level; Infinity when equity ≤ 0. */
function riskRatio({ metrics, threshold }: AlertMeasure): number {
  if ((metrics.equityNonPositive ?? 0) > 0) return Number.POSITIVE_INFINITY;
  const callLevel = threshold ?? 0;
  return callLevel > 0 ? (metrics.peakRiskDegree ?? 0) / callLevel : 1;
}

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
  ratio: riskRatio,
  message:
    ({ callLevel, criticalLevel }) =>
    (r) => {
      const unbounded = metric(r, 'equityNonPositive') > 0;
      const peak = unbounded ? Number.POSITIVE_INFINITY : metric(r, 'peakRiskDegree');
      const reached = unbounded
        ? 'has no positive equity against its margin'
        : `reached a risk degree of ${pct(peak)}%`;
      const reachedZh = unbounded ? '权益不足以覆盖保证金（权益 ≤ 0）' : `风险度达到 ${pct(peak)}%`;
      const span = Math.max(1e-9, criticalLevel - callLevel);
      return {
        message: `Account ${r.subjectId} ${reached} (margin call at ${pct(callLevel)}%, critical at ${pct(criticalLevel)}%)`,
        messageZh: `账户 ${r.subjectId} ${reachedZh}（追加保证金线 ${pct(callLevel)}%，严重线 ${pct(criticalLevel)}%）`,
        severity: severityAt(riskRatio(r), marginCallScale(callLevel, criticalLevel)),
        score: 70 + 30 * clamp01((peak - callLevel) / span),
      };
    },
  validate: ({ callLevel, criticalLevel }) =>
    criticalLevel < callLevel ? `criticalLevel (${criticalLevel}) must not be below callLevel (${callLevel})` : null,
  accountCounter: false,
  benchTarget: 0.95,
});
