// 大额报撤单: an exchange abnormal-trading standard — many large cancels by one client on one contract in a day.
import { quantity as q } from '../../vocabulary/quantity';
import { term } from '../../vocabulary/term';
import {
  Count,
  defineRule,
  Enabled,
  ENABLED_LABEL,
  NullableLots,
  NullableShare,
  SEVERITY_LABEL,
  SeveritySchema,
  strict,
  THRESHOLD_LABEL,
} from './entry';
import { countText, metric, pct } from './text';

export const largeCancel = defineRule({
  id: 'large_cancel',
  scope: 'contract',
  kind: 'standard',
  params: strict({
    enabled: Enabled,
    /** Large cancels of one client on one contract in one day that make an alert. */
    threshold: Count,
    /** A cancel is large when its cancelled lots reach this (SHFE/INE 300, CZCE 800); null = not by lots. */
    minQty: NullableLots,
    /** …or reach this share of the instrument's maxOrderQty (CFFEX/DCE/GFEX 0.8); null = not by share. */
    maxOrderQtyShare: NullableShare,
    severity: SeveritySchema,
  }),
  name: term('Large cancels', '大额报撤单'),
  paramLabels: {
    enabled: ENABLED_LABEL,
    threshold: THRESHOLD_LABEL,
    minQty: q('Min order size', '最小申报手数', 'lots'),
    maxOrderQtyShare: q('Share of the max order size', '占最大下单数量比例', 'share'),
    severity: SEVERITY_LABEL,
  },
  metrics: {
    largeMinQty: q('Large cancel from', '大额撤单标准', 'lots'),
    maxOrderQtyShare: q('Share of the max order size', '占最大下单数量比例', 'share'),
    maxOrderQty: q('Max order size', '最大下单数量', 'lots'),
  },
  threshold: (params) => params.threshold,
  firstEventParams: { threshold: 1 },
  message: (params) => (r) => {
    const minQty = metric(r, 'largeMinQty');
    const share = r.metrics.maxOrderQtyShare;
    const basis =
      share !== undefined
        ? [
            `each ≥ ${minQty} lots, ${pct(share)}% of the ${metric(r, 'maxOrderQty')}-lot maximum order`,
            `单笔 ≥ ${minQty} 手，即最大下单数量 ${metric(r, 'maxOrderQty')} 手的 ${pct(share)}%`,
          ]
        : [`each ≥ ${minQty} lots`, `单笔 ≥ ${minQty} 手`];
    return countText(
      r,
      params.severity,
      `${r.count} large cancels (${basis[0]}) on ${r.instrumentId} today (threshold ${r.threshold})`,
      `${r.instrumentId} 今日大额撤单（${basis[1]}）${r.count} 次（阈值 ${r.threshold} 次）`,
    );
  },
  accountCounter: true,
  benchTarget: 1,
});
