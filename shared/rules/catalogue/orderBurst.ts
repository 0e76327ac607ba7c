// 瞬时大量报单: occasions in a day when a client's order + cancel submissions on one exchange crowd one window.
import { quantity as q } from '../../vocabulary/quantity';
import { term } from '../../vocabulary/term';
import { Count, defineRule, Enabled, ENABLED_LABEL, Millis, SEVERITY_LABEL, SeveritySchema, strict } from './entry';

const WINDOW = q('Window', '时间窗', 'ms');
const SUBMISSIONS = q('Submissions per window', '每窗申报笔数', 'orders');

export const orderBurst = defineRule({
  id: 'order_burst',
  scope: 'exchange',
  kind: 'standard',
  params: strict({
    enabled: Enabled,
    /** Length of the window submissions are counted in. */
    windowMs: Millis,
    /** Order + cancel submissions within one window that make an occasion. */
    minSubmissions: Count,
    /** Occasions in one day (per client, per exchange) that make an alert. */
    minOccasions: Count,
    severity: SeveritySchema,
  }),
  name: term('Order burst', '瞬时大量报单'),
  paramLabels: {
    enabled: ENABLED_LABEL,
    windowMs: WINDOW,
    minSubmissions: SUBMISSIONS,
    minOccasions: q('Occasions per day', '每日次数', 'times'),
    severity: SEVERITY_LABEL,
  },
  metrics: { windowMs: WINDOW, minSubmissions: SUBMISSIONS },
  threshold: (params) => params.minOccasions,
  firstEventParams: { minOccasions: 1 },
  accountCounter: false,
  benchTarget: 1,
});
