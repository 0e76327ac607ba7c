// 持仓超限: an exchange abnormal-trading standard — a client's one-side position over its limit.
import { LONG_SHORT, quantity as q } from '../../vocabulary/quantity';
import { term } from '../../vocabulary/term';
import { defineRule, Enabled, ENABLED_LABEL, NullableLots, Positive, strict } from './entry';
import { positionLimitScale, severityAt } from '../severityScale';
import { clamp01, metric } from './text';
import { countRatio } from './entry';

export const positionLimit = defineRule({
  id: 'position_limit',
  scope: 'contract',
  kind: 'standard',
  params: strict({
    enabled: Enabled,
    /** Lots one client may hold on one side; null = the instrument's `positionLimit` from the feed. */
    limit: NullableLots,
    /** Severity is critical once the excess reaches this share of the limit. */
    criticalExcessShare: Positive,
  }),
  name: term('Position limit', '持仓超限'),
  paramLabels: {
    enabled: ENABLED_LABEL,
    limit: q('Position limit', '持仓限额', 'lots'),
    criticalExcessShare: q('Critical excess over the limit', '严重超限比例', 'share'),
  },
  metrics: { side: q('Side', '方向', null, LONG_SHORT) },
  threshold: (params, contract) => params.limit ?? contract.positionLimit ?? null,
  // Held lots above 1 raise: the shadow alert's count is the peak one-side position.
  firstEventParams: { limit: 1 },
  message:
    ({ criticalExcessShare }) =>
    (r) => {
      const limit = r.threshold ?? 0;
      const long = metric(r, 'side') === 0;
      const group = r.subjectType === 'group';
      const excess = limit > 0 ? (r.count - limit) / limit : 1;
      return {
        message: `${long ? 'Long' : 'Short'} position of ${r.count} lots on ${r.instrumentId}${group ? ' (control group summed)' : ''} exceeds the position limit of ${limit} lots`,
        messageZh: `${r.instrumentId} ${long ? '多头' : '空头'}持仓 ${r.count} 手${group ? '（实际控制关系账户组合并计算）' : ''}，超过持仓限额 ${limit} 手`,
        severity: severityAt(countRatio(r), positionLimitScale(criticalExcessShare)),
        score: 75 + 25 * clamp01(excess / criticalExcessShare),
      };
    },
  accountCounter: true,
  benchTarget: 1,
});
