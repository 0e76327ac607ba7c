// 尾市操纵: a one-way client's large share of the volume in the last minutes, moving the closing price.
import { Type } from '@sinclair/typebox';
import { quantity as q } from '../../vocabulary/quantity';
import { term } from '../../vocabulary/term';
import { MARKING_CLOSE_SCALE, severityAt } from '../severityScale';
import { clamp01, metric, num, pct } from './text';
import { type AlertMeasure, defineRule, Enabled, ENABLED_LABEL, Lots, Positive, Share, strict } from './entry';

/** The client's volume share ÷ the minimum share. */
function shareRatio({ metrics }: AlertMeasure): number {
  const minShare = metrics.minShare ?? 0;
  return minShare > 0 ? (metrics.share ?? 0) / minShare : 1;
}

export const markingClose = defineRule({
  id: 'marking_close',
  scope: 'contract',
  kind: 'pattern',
  params: strict({
    enabled: Enabled,
    /** "The last minutes before the close": each window ending at the close is checked; the strongest one reports. */
    windowsMs: Type.Array(Type.Integer({ minimum: 1000 }), { minItems: 1, maxItems: 8 }),
    /** The client's share of the contract's volume in the window. */
    minShare: Share,
    /** The price move over the window, in ticks, in the client's net direction. */
    minPriceMoveTicks: Positive,
    /** The client's own lots traded in the window. */
    minClientLots: Lots,
    /** |bought − sold| ÷ traded by the client: a one-way trader, not a market maker. */
    minNetShare: Share,
  }),
  name: term('Marking the close', '尾市操纵'),
  paramLabels: {
    enabled: ENABLED_LABEL,
    windowsMs: q('Windows before the close', '收盘前时间窗', 'ms'),
    minShare: q('Min share of volume', '最小成交占比', 'share'),
    minPriceMoveTicks: q('Min price move', '最小价格变动', 'ticks'),
    minClientLots: q('Min client lots', '客户最少成交手数', 'lots'),
    minNetShare: q('Min net share', '最小单向占比', 'share'),
  },
  metrics: {
    share: q('Share of volume', '成交量占比', 'share'),
    minShare: q('Share threshold', '占比阈值', 'share'),
    windowMs: q('Window before the close', '收盘前时间窗', 'ms'),
    priceMoveTicks: q('Price move', '价格变动', 'ticks'),
    clientLots: q('Client lots', '客户成交手数', 'lots'),
    windowVolume: q('Volume in the window', '时间窗内成交量', 'lots'),
  },
  threshold: (params) => params.minShare,
  ratio: shareRatio,
  message: () => (r) => {
    const share = metric(r, 'share');
    const minShare = metric(r, 'minShare');
    const minutes = num(metric(r, 'windowMs') / 60000);
    const move = metric(r, 'priceMoveTicks');
    const signed = `${move > 0 ? '+' : ''}${num(move)}`;
    const ratio = shareRatio(r);
    return {
      message: `${pct(share)}% of ${r.instrumentId} volume in the last ${minutes} min before the close (threshold ${pct(minShare)}%), ${metric(r, 'clientLots')} lots, price moved ${signed} ticks in the client's direction`,
      messageZh: `收盘前 ${minutes} 分钟 ${r.instrumentId} 成交量占比 ${pct(share)}%（阈值 ${pct(minShare)}%），成交 ${metric(r, 'clientLots')} 手，价格朝其方向变动 ${signed} 个最小变动价位`,
      severity: severityAt(ratio, MARKING_CLOSE_SCALE, r.count >= 2 && ratio < 2 ? 1 : 0),
      score: 60 + 40 * clamp01((share - minShare) / Math.max(1e-9, 1 - minShare)),
    };
  },
  accountCounter: false,
  benchTarget: 0.8,
});
