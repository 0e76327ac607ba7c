// The report document: plain data (sections of tables, each optionally drawn as a bar chart) that the HTML print
// view, the CSV and the XLSX writers all render, so every number appears identically in every output.

export type ReportLang = 'en' | 'zh-CN';
export const REPORT_LANGS: readonly ReportLang[] = ['en', 'zh-CN'];

/** A text in both languages. */
export interface Bilingual {
  en: string;
  zh: string;
}

export type Cell = string | number | null;

export interface Column {
  key: string;
  title: Bilingual;
  numeric?: boolean;
}

export interface ReportTable {
  /** File-name safe; the CSV is `<base>.<id>.csv`, the XLSX sheet is named after it. */
  id: string;
  title: Bilingual;
  columns: Column[];
  rows: Array<Record<string, Cell>>;
  /** What an empty table means (printed instead of an empty grid). */
  empty?: Bilingual;
  /** Draw the table as horizontal bars: one bar per row, `label` column against `value` column. */
  chart?: { label: string; value: string };
  note?: Bilingual;
}

export interface ReportDocument {
  kind: 'daily' | 'abnormal' | 'evidence';
  title: Bilingual;
  tradingDay: string;
  /** Label/value pairs printed under the title (input, hash, rules version, generated at…). */
  facts: Array<{ label: Bilingual; value: string }>;
  tables: ReportTable[];
  /** Closing statement (what the figures are and how they were made). */
  footnote: Bilingual;
}

export function pick(text: Bilingual, lang: ReportLang): string {
  return lang === 'zh-CN' ? text.zh : text.en;
}

export const t = (en: string, zh: string): Bilingual => ({ en, zh });

export const RULE_NAMES: Record<string, Bilingual> = {
  self_trade: t('Self-trade', '自成交'),
  frequent_cancel: t('Frequent cancel', '频繁报撤单'),
  large_cancel: t('Large cancel', '大额报撤单'),
  position_limit: t('Position limit', '超限仓'),
  order_burst: t('Order burst (programmatic)', '程序化报单（瞬时申报）'),
  spoofing: t('Spoofing / layering', '虚假申报 / 分层报单'),
  marking_close: t('Marking the close', '尾市操纵'),
  momentum_ignition: t('Momentum ignition', '拉抬打压'),
  margin_call: t('Margin call', '追加保证金'),
};

export const SEVERITY_NAMES: Record<string, Bilingual> = {
  low: t('Low', '低'),
  medium: t('Medium', '中'),
  high: t('High', '高'),
  critical: t('Critical', '严重'),
};

export const STATE_NAMES: Record<string, Bilingual> = {
  new: t('New', '新建'),
  acknowledged: t('Acknowledged', '已确认'),
  investigating: t('Investigating', '调查中'),
  escalated: t('Escalated', '已上报'),
  dismissed: t('Dismissed', '已驳回'),
  closed: t('Closed', '已结案'),
};

export const EXCHANGE_NAMES: Record<string, Bilingual> = {
  SHFE: t('SHFE', '上期所'),
  DCE: t('DCE', '大商所'),
  CZCE: t('CZCE', '郑商所'),
  CFFEX: t('CFFEX', '中金所'),
  INE: t('INE', '上期能源'),
  GFEX: t('GFEX', '广期所'),
};

/** A cell value that is a code with a translation (rule, severity, state, exchange) in the given language. */
export function label(names: Record<string, Bilingual>, code: string | null, lang: ReportLang): string {
  if (code === null) return '—';
  const name = names[code];
  return name ? pick(name, lang) : code;
}

/** Cells of this shape are translated at render time: `{ code, names }` is not JSON-friendly, so tables keep codes. */
export const TRANSLATED_COLUMNS: Record<string, Record<string, Bilingual>> = {
  rule: RULE_NAMES,
  severity: SEVERITY_NAMES,
  disposition: STATE_NAMES,
  exchange: EXCHANGE_NAMES,
};

/** The text a cell shows: codes of translated columns become names; numbers keep their exact value. */
export function cellText(column: Column, value: Cell, lang: ReportLang): string {
  if (value === null || value === undefined || value === '') return '—';
  const names = TRANSLATED_COLUMNS[column.key];
  if (names && typeof value === 'string') return label(names, value, lang);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  const split = value.indexOf(BILINGUAL_SEPARATOR);
  if (split >= 0) return lang === 'zh-CN' ? value.slice(split + BILINGUAL_SEPARATOR.length) : value.slice(0, split);
  return value;
}

/** A bilingual string cell ("English ‖ 中文"): the renderers show the half of the report's language. */
export const BILINGUAL_SEPARATOR = ' \u2016 ';
export const both = (en: string, zh: string): string => `${en}${BILINGUAL_SEPARATOR}${zh}`;
