// Sentences (English and Chinese), severity and score of each rule's alert, from the record's figures. Every
// sentence names the numbers that made the alert so an operator can check it without opening the evidence. Severity
// follows the alert's ratio to its threshold on the rule's scale (shared/rules/severity.ts explains the mapping).
import {
  countScale,
  MARKING_CLOSE_SCALE,
  marginCallScale,
  PATTERN_SCALE,
  positionLimitScale,
  severityAt,
  thresholdRatio,
} from '../../../shared/rules/severity';
import type { Severity } from '../../../shared/rules/types';
import type { AlertRecord, AlertRenderer, AlertText } from './alertBook';

const clamp01 = (value: number): number => (value < 0 ? 0 : value > 1 ? 1 : value);
const pct = (value: number): string => `${Number((value * 100).toFixed(1))}`;
const num = (value: number): string => `${Number(value.toFixed(2))}`;
const metric = (record: AlertRecord, key: string): number => record.metrics[key] ?? 0;

/** A count rule: score 60 at the threshold rising to 100 at twice it; severity on the count scale. */
function countText(record: AlertRecord, base: Severity, message: string, messageZh: string): AlertText {
  const threshold = record.threshold ?? 1;
  const over = (record.count - threshold) / threshold;
  return {
    message,
    messageZh,
    severity: severityAt(thresholdRatio(record), countScale(base)),
    score: 60 + 40 * clamp01(over),
  };
}

export function selfTradeText(base: Severity): AlertRenderer {
  return (r) =>
    countText(
      r,
      base,
      `${r.count} self-trades on ${r.instrumentId} today (threshold ${r.threshold})`,
      `${r.instrumentId} 今日自成交 ${r.count} 次（阈值 ${r.threshold} 次）`,
    );
}

export function frequentCancelText(base: Severity): AlertRenderer {
  return (r) =>
    countText(
      r,
      base,
      `${r.count} cancels on ${r.instrumentId} today (threshold ${r.threshold})`,
      `${r.instrumentId} 今日撤单 ${r.count} 次（阈值 ${r.threshold} 次）`,
    );
}

export function largeCancelText(base: Severity): AlertRenderer {
  return (r) => {
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
      base,
      `${r.count} large cancels (${basis[0]}) on ${r.instrumentId} today (threshold ${r.threshold})`,
      `${r.instrumentId} 今日大额撤单（${basis[1]}）${r.count} 次（阈值 ${r.threshold} 次）`,
    );
  };
}

export function positionLimitText(criticalExcessShare: number): AlertRenderer {
  return (r) => {
    const limit = r.threshold ?? 0;
    const long = metric(r, 'side') === 0;
    const group = r.subjectType === 'group';
    const excess = limit > 0 ? (r.count - limit) / limit : 1;
    return {
      message: `${long ? 'Long' : 'Short'} position of ${r.count} lots on ${r.instrumentId}${group ? ' (control group summed)' : ''} exceeds the position limit of ${limit} lots`,
      messageZh: `${r.instrumentId} ${long ? '多头' : '空头'}持仓 ${r.count} 手${group ? '（实际控制关系账户组合并计算）' : ''}，超过持仓限额 ${limit} 手`,
      severity: severityAt(thresholdRatio(r), positionLimitScale(criticalExcessShare)),
      score: 75 + 25 * clamp01(excess / criticalExcessShare),
    };
  };
}

export function orderBurstText(base: Severity): AlertRenderer {
  return (r) => {
    const seconds = num(metric(r, 'windowMs') / 1000);
    const submissions = metric(r, 'minSubmissions');
    const busiest = r.instrumentId ? `, most on ${r.instrumentId}` : '';
    const busiestZh = r.instrumentId ? `，主要在 ${r.instrumentId}` : '';
    const text = countText(
      r,
      base,
      `${r.count} occasions on ${r.exchange ?? r.scope} today with ≥ ${submissions} order and cancel submissions within ${seconds} s${busiest} (threshold ${r.threshold})`,
      `今日在 ${r.exchange ?? r.scope} 出现 ${r.count} 次 ${seconds} 秒内报撤单 ≥ ${submissions} 笔${busiestZh}（阈值 ${r.threshold} 次）`,
    );
    return { ...text, score: 30 + 0.5 * text.score };
  };
}

export const spoofingText: AlertRenderer = (r) => {
  const layered = metric(r, 'layeredEpisodes');
  const maxQty = metric(r, 'maxOrderQty');
  const ratio = num(metric(r, 'maxDepthRatio'));
  const life = num(metric(r, 'maxLifeMs') / 1000);
  const fill = pct(metric(r, 'maxFillShare'));
  const layers = metric(r, 'maxLayerLevels');
  const episodes = r.count === 1 ? 'episode' : 'episodes';
  const layering = layered > 0 ? `; layering on ${layers} consecutive price levels in ${layered} of them` : '';
  const layeringZh = layered > 0 ? `；其中 ${layered} 次在连续 ${layers} 个价位分层申报` : '';
  return {
    message: `${r.count} spoofing ${episodes} on ${r.instrumentId} today: orders up to ${maxQty} lots (${ratio}× the visible depth on their side) cancelled within ${life} s with ${fill}% filled at most, while the client traded the opposite side${layering}`,
    messageZh: `${r.instrumentId} 今日疑似虚假申报 ${r.count} 次：申报最多 ${maxQty} 手（同侧盘口可见量的 ${ratio} 倍），${life} 秒内撤单、成交不超过 ${fill}%，期间反向成交${layeringZh}`,
    severity: severityAt(thresholdRatio(r), PATTERN_SCALE, layered > 0 ? 1 : 0),
    score: (layered > 0 ? 85 : 70) + Math.min(15, 5 * (r.count - 1)),
  };
};

export const markingCloseText: AlertRenderer = (r) => {
  const share = metric(r, 'share');
  const minShare = metric(r, 'minShare');
  const minutes = num(metric(r, 'windowMs') / 60000);
  const move = metric(r, 'priceMoveTicks');
  const signed = `${move > 0 ? '+' : ''}${num(move)}`;
  const ratio = thresholdRatio(r);
  return {
    message: `${pct(share)}% of ${r.instrumentId} volume in the last ${minutes} min before the close (threshold ${pct(minShare)}%), ${metric(r, 'clientLots')} lots, price moved ${signed} ticks in the client's direction`,
    messageZh: `收盘前 ${minutes} 分钟 ${r.instrumentId} 成交量占比 ${pct(share)}%（阈值 ${pct(minShare)}%），成交 ${metric(r, 'clientLots')} 手，价格朝其方向变动 ${signed} 个最小变动价位`,
    severity: severityAt(ratio, MARKING_CLOSE_SCALE, r.count >= 2 && ratio < 2 ? 1 : 0),
    score: 60 + 40 * clamp01((share - minShare) / Math.max(1e-9, 1 - minShare)),
  };
};

export const momentumIgnitionText: AlertRenderer = (r) => {
  const buy = metric(r, 'side') === 0;
  const seconds = num(metric(r, 'reversalMs') / 1000);
  const times = r.count === 1 ? 'ignition' : 'ignitions';
  return {
    message: `${r.count} momentum ${times} on ${r.instrumentId} today: a ${buy ? 'buy' : 'sell'} sweep through ${metric(r, 'levels')} price levels (${metric(r, 'sweepQty')} lots) followed by ${metric(r, 'reversalQty')} lots traded the other way within ${seconds} s`,
    messageZh: `${r.instrumentId} 今日疑似拉抬打压 ${r.count} 次：${buy ? '买入' : '卖出'}连续扫单 ${metric(r, 'levels')} 个价位（${metric(r, 'sweepQty')} 手）后 ${seconds} 秒内反向成交 ${metric(r, 'reversalQty')} 手`,
    severity: severityAt(thresholdRatio(r), PATTERN_SCALE),
    score: 65 + Math.min(30, 10 * (r.count - 1)) + 5 * clamp01(metric(r, 'levels') / 10),
  };
};

export function marginCallText(callLevel: number, criticalLevel: number): AlertRenderer {
  return (r) => {
    const unbounded = metric(r, 'equityNonPositive') > 0;
    const peak = unbounded ? Number.POSITIVE_INFINITY : metric(r, 'peakRiskDegree');
    const reached = unbounded ? 'has no positive equity against its margin' : `reached a risk degree of ${pct(peak)}%`;
    const reachedZh = unbounded ? '权益不足以覆盖保证金（权益 ≤ 0）' : `风险度达到 ${pct(peak)}%`;
    const span = Math.max(1e-9, criticalLevel - callLevel);
    return {
      message: `Account ${r.subjectId} ${reached} (margin call at ${pct(callLevel)}%, critical at ${pct(criticalLevel)}%)`,
      messageZh: `账户 ${r.subjectId} ${reachedZh}（追加保证金线 ${pct(callLevel)}%，严重线 ${pct(criticalLevel)}%）`,
      severity: severityAt(thresholdRatio(r), marginCallScale(callLevel, criticalLevel)),
      score: 70 + 30 * clamp01((peak - callLevel) / span),
    };
  };
}
