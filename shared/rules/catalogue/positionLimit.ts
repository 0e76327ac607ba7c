// 持仓超限: an exchange abnormal-trading standard — a client's one-side position over its limit.
import { LONG_SHORT, quantity as q } from '../../vocabulary/quantity';
import { term } from '../../vocabulary/term';
import { defineRule, Enabled, ENABLED_LABEL, NullableLots, Positive, strict } from './entry';

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
  accountCounter: true,
  benchTarget: 1,
});
