// 拉抬打压: a sweep of several price levels by one client, then trading the other way into the move.
import { BUY_SELL, quantity as q } from '../../vocabulary/quantity';
import { term } from '../../vocabulary/term';
import { Count, defineRule, Enabled, ENABLED_LABEL, Lots, Millis, Share, strict } from './entry';
import { Type } from '@sinclair/typebox';
import { PATTERN_SCALE, severityAt } from '../severityScale';
import { countRatio } from './entry';
import { clamp01, metric, num } from './text';

export const momentumIgnition = defineRule({
  id: 'momentum_ignition',
  scope: 'contract',
  kind: 'pattern',
  params: strict({
    enabled: Enabled,
    /** A sweep: aggressive trades of one client on one side filling at this many rising (buy) / falling (sell) prices. */
    minLevels: Type.Integer({ minimum: 2 }),
    /** Aggressive trades further apart than this start a new sweep. */
    sweepGapMs: Millis,
    /** Smallest sweep (lots). */
    minSweepQty: Lots,
    /** The same client trading the other side within this long after the sweep… */
    reversalWindowMs: Millis,
    /** …for at least this share of the sweep's lots. */
    minReversalShare: Share,
    /** Ignitions in one day that make an alert. */
    minEvents: Count,
  }),
  name: term('Momentum ignition', '拉抬打压'),
  paramLabels: {
    enabled: ENABLED_LABEL,
    minLevels: q('Min sweep levels', '扫单最少价位数', 'levels'),
    sweepGapMs: q('Sweep gap', '扫单间隔', 'ms'),
    minSweepQty: q('Min sweep size', '扫单最少手数', 'lots'),
    reversalWindowMs: q('Reversal window', '反向成交时间窗', 'ms'),
    minReversalShare: q('Min reversal share', '反向成交最低比例', 'share'),
    minEvents: q('Ignitions per day', '每日次数', 'times'),
  },
  metrics: {
    side: q('Sweep side', '扫单方向', null, BUY_SELL),
    levels: q('Price levels swept', '扫单价位数', 'levels'),
    sweepQty: q('Sweep size', '扫单手数', 'lots'),
    sweepTicks: q('Sweep price range', '扫单价格幅度', 'ticks'),
    reversalQty: q('Traded the other way', '反向成交手数', 'lots'),
    reversalMs: q('Reversal after', '反向成交用时', 'ms'),
  },
  threshold: (params) => params.minEvents,
  message: () => (r) => {
    const buy = metric(r, 'side') === 0;
    const seconds = num(metric(r, 'reversalMs') / 1000);
    const times = r.count === 1 ? 'ignition' : 'ignitions';
    return {
      message: `${r.count} momentum ${times} on ${r.instrumentId} today: a ${buy ? 'buy' : 'sell'} sweep through ${metric(r, 'levels')} price levels (${metric(r, 'sweepQty')} lots) followed by ${metric(r, 'reversalQty')} lots traded the other way within ${seconds} s`,
      messageZh: `${r.instrumentId} 今日疑似拉抬打压 ${r.count} 次：${buy ? '买入' : '卖出'}连续扫单 ${metric(r, 'levels')} 个价位（${metric(r, 'sweepQty')} 手）后 ${seconds} 秒内反向成交 ${metric(r, 'reversalQty')} 手`,
      severity: severityAt(countRatio(r), PATTERN_SCALE),
      score: 65 + Math.min(30, 10 * (r.count - 1)) + 5 * clamp01(metric(r, 'levels') / 10),
    };
  },
  accountCounter: false,
  benchTarget: 0.8,
});
