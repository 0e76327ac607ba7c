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
  accountCounter: true,
  benchTarget: 1,
});
