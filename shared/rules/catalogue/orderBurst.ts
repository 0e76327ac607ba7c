// 瞬时大量报单: occasions in a day when a client's order + cancel submissions on one exchange crowd one window.
import { quantity as q } from '../../vocabulary/quantity';
import { term } from '../../vocabulary/term';
import { Count, defineRule, Enabled, ENABLED_LABEL, Millis, SEVERITY_LABEL, SeveritySchema, strict } from './entry';
import { countText, metric, num } from './text';

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
  message: (params) => (r) => {
    const seconds = num(metric(r, 'windowMs') / 1000);
    const submissions = metric(r, 'minSubmissions');
    const busiest = r.instrumentId ? `, most on ${r.instrumentId}` : '';
    const busiestZh = r.instrumentId ? `，主要在 ${r.instrumentId}` : '';
    const text = countText(
      r,
      params.severity,
      `${r.count} occasions on ${r.exchange ?? r.scope} today with ≥ ${submissions} order and cancel submissions within ${seconds} s${busiest} (threshold ${r.threshold})`,
      `今日在 ${r.exchange ?? r.scope} 出现 ${r.count} 次 ${seconds} 秒内报撤单 ≥ ${submissions} 笔${busiestZh}（阈值 ${r.threshold} 次）`,
    );
    return { ...text, score: 30 + 0.5 * text.score };
  },
  accountCounter: false,
  benchTarget: 1,
});
