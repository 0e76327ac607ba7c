// 频繁报撤单: an exchange abnormal-trading standard — many cancels by one client on one contract in a day.
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

export const frequentCancel = defineRule({
  id: 'frequent_cancel',
  scope: 'contract',
  kind: 'standard',
  params: strict({
    enabled: Enabled,
    /** Cancels of one client on one contract in one day that make an alert. */
    threshold: Count,
    severity: SeveritySchema,
  }),
  name: term('Frequent cancels', '频繁报撤单'),
  paramLabels: { enabled: ENABLED_LABEL, threshold: THRESHOLD_LABEL, severity: SEVERITY_LABEL },
  metrics: {},
  threshold: (params) => params.threshold,
  firstEventParams: { threshold: 1 },
  message: (params) => (r) =>
    countText(
      r,
      params.severity,
      `${r.count} cancels on ${r.instrumentId} today (threshold ${r.threshold})`,
      `${r.instrumentId} 今日撤单 ${r.count} 次（阈值 ${r.threshold} 次）`,
    ),
  accountCounter: true,
  benchTarget: 1,
});
