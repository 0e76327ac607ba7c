// Labels and units of every rule parameter (the rules file's thresholds) and of every figure a rule keeps on its
// alert (Alert.metrics), so windows and reports show "Reversal after 1.2 s" / "反向成交用时 1.2 秒", never `reversalMs`.
import { RULE_CATALOGUE, type RuleId, type RuleParams } from '../rules/catalogue';
import type { QuantityTerm, Unit } from './quantity';
import { say, term, type Term, type VocabularyLanguage } from './term';

export type { QuantityTerm, Unit } from './quantity';

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

/** Every parameter name any rule has. */
export type RuleParamName = { [K in RuleId]: keyof RuleParams[K] }[RuleId];

/**
 * Every parameter's label by name, from the catalogue entries (a name several rules share has one label: the
 * catalogue test holds them to it).
 */
export const RULE_PARAM_TERMS: Readonly<Record<RuleParamName, QuantityTerm>> = Object.assign(
  {},
  ...[...RULE_CATALOGUE].reverse().map((entry) => entry.paramLabels),
) as Record<RuleParamName, QuantityTerm>;

/** The figures each rule's detector keeps on its alerts, by rule (from the catalogue entries). */
export const RULE_METRIC_TERMS: Readonly<Record<RuleId, Readonly<Record<string, QuantityTerm>>>> = Object.fromEntries(
  RULE_CATALOGUE.map((entry) => [entry.id, entry.metrics]),
) as Record<RuleId, Readonly<Record<string, QuantityTerm>>>;

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
