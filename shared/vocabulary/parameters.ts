// Labels and units of every rule parameter (the rules file's thresholds) and of every figure a rule keeps on its
// alert (Alert.metrics), so windows and reports show "Reversal after 1.2 s" / "反向成交用时 1.2 秒", never `reversalMs`.
import type { RuleParams } from '../rules/config';
import type { RuleId } from '../rules/types';
import { say, term, type Term, type VocabularyLanguage } from './term';

export type Unit = 'lots' | 'ms' | 'ticks' | 'share' | 'ratio' | 'times' | 'orders' | 'levels';

/** Unit names as they follow a number ("30 lots", "30 手"). Shares print as percentages, durations in seconds. */
export const UNIT_NAMES: Readonly<Record<Unit, Term>> = {
  lots: term('lots', '手'),
  ms: term('ms', '毫秒'),
  ticks: term('ticks', '跳'),
  share: term('0–1', '0–1'),
  ratio: term('×', '倍'),
  times: term('times', '次'),
  orders: term('orders', '笔'),
  levels: term('levels', '档'),
};

export interface QuantityTerm {
  label: Term;
  unit: Unit | null;
  /** Coded values (a side 0/1, a yes/no flag) and their names. */
  values?: Readonly<Record<number, Term>>;
}

const q = (en: string, zh: string, unit: Unit | null, values?: Record<number, Term>): QuantityTerm =>
  values ? { label: term(en, zh), unit, values } : { label: term(en, zh), unit };

/** Every parameter name any rule has. */
export type RuleParamName = { [K in RuleId]: keyof RuleParams[K] }[RuleId];

export const RULE_PARAM_TERMS: Readonly<Record<RuleParamName, QuantityTerm>> = {
  enabled: q('On', '启用', null),
  threshold: q('Threshold', '阈值', 'times'),
  severity: q('Severity', '级别', null),
  minQty: q('Min order size', '最小申报手数', 'lots'),
  maxOrderQtyShare: q('Share of the max order size', '占最大下单数量比例', 'share'),
  limit: q('Position limit', '持仓限额', 'lots'),
  criticalExcessShare: q('Critical excess over the limit', '严重超限比例', 'share'),
  windowMs: q('Window', '时间窗', 'ms'),
  minSubmissions: q('Submissions per window', '每窗申报笔数', 'orders'),
  minOccasions: q('Occasions per day', '每日次数', 'times'),
  depthRatio: q('Size vs visible depth', '相对盘口可见量', 'ratio'),
  layerLevelRatio: q('Layer size vs average level', '相对平均档位量', 'ratio'),
  maxLifeMs: q('Max order life', '最长存续时间', 'ms'),
  maxFillShare: q('Max filled share', '最大成交比例', 'share'),
  episodeGapMs: q('Episode gap', '事件间隔', 'ms'),
  layeringMinLevels: q('Layering levels', '分层最少档数', 'levels'),
  minEpisodes: q('Episodes per day', '每日事件数', 'times'),
  windowsMs: q('Windows before the close', '收盘前时间窗', 'ms'),
  minShare: q('Min share of volume', '最小成交占比', 'share'),
  minPriceMoveTicks: q('Min price move', '最小价格变动', 'ticks'),
  minClientLots: q('Min client lots', '客户最少成交手数', 'lots'),
  minNetShare: q('Min net share', '最小单向占比', 'share'),
  minLevels: q('Min sweep levels', '扫单最少价位数', 'levels'),
  sweepGapMs: q('Sweep gap', '扫单间隔', 'ms'),
  minSweepQty: q('Min sweep size', '扫单最少手数', 'lots'),
  reversalWindowMs: q('Reversal window', '反向成交时间窗', 'ms'),
  minReversalShare: q('Min reversal share', '反向成交最低比例', 'share'),
  minEvents: q('Ignitions per day', '每日次数', 'times'),
  callLevel: q('Margin-call level', '追保线', 'share'),
  criticalLevel: q('Critical level', '严重线', 'share'),
};

const SWEEP_SIDES = { 0: term('Buy', '买入'), 1: term('Sell', '卖出') };
const POSITION_SIDES = { 0: term('Long', '多头'), 1: term('Short', '空头') };
const YES_NO = { 0: term('No', '否'), 1: term('Yes', '是') };

/** The figures each rule's detector keeps on its alerts (main/engine/rules), by rule. */
export const RULE_METRIC_TERMS: Readonly<Record<RuleId, Readonly<Record<string, QuantityTerm>>>> = {
  self_trade: {},
  frequent_cancel: {},
  large_cancel: {
    largeMinQty: q('Large cancel from', '大额撤单标准', 'lots'),
    maxOrderQtyShare: q('Share of the max order size', '占最大下单数量比例', 'share'),
    maxOrderQty: q('Max order size', '最大下单数量', 'lots'),
  },
  position_limit: { side: q('Side', '方向', null, POSITION_SIDES) },
  order_burst: {
    windowMs: q('Window', '时间窗', 'ms'),
    minSubmissions: q('Submissions per window', '每窗申报笔数', 'orders'),
  },
  spoofing: {
    layeredEpisodes: q('Layered episodes', '分层申报次数', 'times'),
    maxLayerLevels: q('Most layered levels', '最多分层档数', 'levels'),
    maxOrderQty: q('Largest order', '最大申报手数', 'lots'),
    maxDepthRatio: q('Largest size vs visible depth', '相对盘口可见量（最大）', 'ratio'),
    maxLifeMs: q('Longest order life', '最长存续时间', 'ms'),
    maxFillShare: q('Largest filled share', '最大成交比例', 'share'),
  },
  marking_close: {
    share: q('Share of volume', '成交量占比', 'share'),
    minShare: q('Share threshold', '占比阈值', 'share'),
    windowMs: q('Window before the close', '收盘前时间窗', 'ms'),
    priceMoveTicks: q('Price move', '价格变动', 'ticks'),
    clientLots: q('Client lots', '客户成交手数', 'lots'),
    windowVolume: q('Volume in the window', '时间窗内成交量', 'lots'),
  },
  momentum_ignition: {
    side: q('Sweep side', '扫单方向', null, SWEEP_SIDES),
    levels: q('Price levels swept', '扫单价位数', 'levels'),
    sweepQty: q('Sweep size', '扫单手数', 'lots'),
    sweepTicks: q('Sweep price range', '扫单价格幅度', 'ticks'),
    reversalQty: q('Traded the other way', '反向成交手数', 'lots'),
    reversalMs: q('Reversal after', '反向成交用时', 'ms'),
  },
  margin_call: {
    peakRiskDegree: q('Peak risk degree', '最高风险度', 'share'),
    equityNonPositive: q('Equity ≤ 0', '权益 ≤ 0', null, YES_NO),
  },
};

const SECONDS = term('s', '秒');

function plain(value: number, maximumFractionDigits: number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits, useGrouping: true }).format(value);
}

/** A value in its unit for reading: shares as percentages, durations in seconds, counts with their unit. */
export function formatQuantity(quantity: QuantityTerm, value: number, language: VocabularyLanguage): string {
  const coded = quantity.values?.[value];
  if (coded) return say(coded, language);
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '—';
  const zh = language === 'zh-CN';
  switch (quantity.unit) {
    case 'share':
      return `${plain(value * 100, 1)}%`;
    case 'ms':
      return `${plain(value / 1000, 3)}${zh ? '' : ' '}${say(SECONDS, language)}`;
    case 'ratio':
      return zh ? `${plain(value, 2)} 倍` : `${plain(value, 2)}×`;
    case null:
      return plain(value, 3);
    default:
      return `${plain(value, 2)} ${say(UNIT_NAMES[quantity.unit], language)}`;
  }
}

/** A rule parameter's heading where its raw value is edited: the label with the unit the value is in. */
export function paramHeading(name: RuleParamName, language: VocabularyLanguage): string {
  const quantity = RULE_PARAM_TERMS[name];
  const label = say(quantity.label, language);
  if (!quantity.unit || quantity.unit === 'times' || quantity.unit === 'orders') return label;
  const unit = say(UNIT_NAMES[quantity.unit], language);
  return language === 'zh-CN' ? `${label}（${unit}）` : `${label} (${unit})`;
}

/** A figure of an alert as label and value text; a figure the vocabulary does not know keeps its key and number. */
export function describeMetric(
  rule: RuleId,
  key: string,
  value: number,
  language: VocabularyLanguage,
): { label: string; value: string } {
  const quantity = Object.prototype.hasOwnProperty.call(RULE_METRIC_TERMS[rule], key)
    ? RULE_METRIC_TERMS[rule][key]
    : undefined;
  if (!quantity) return { label: key, value: plain(value, 3) };
  return { label: say(quantity.label, language), value: formatQuantity(quantity, value, language) };
}

/** Every parameter's heading in one language (the i18n catalogue's section for the thresholds editor). */
export function paramHeadings(language: VocabularyLanguage): Record<RuleParamName, string> {
  const out = {} as Record<RuleParamName, string>;
  for (const name of Object.keys(RULE_PARAM_TERMS) as RuleParamName[]) out[name] = paramHeading(name, language);
  return out;
}
