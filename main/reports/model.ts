// The report document: plain data (sections of tables, each optionally drawn as a bar chart) that the HTML print
// view, the CSV and the XLSX writers all render, so every number appears identically in every output. Names of codes
// come from the shared vocabulary, as in the windows.
import {
  ALERT_STATE_NAMES,
  EXCHANGE_NAMES,
  nameOf,
  ROLE_NAMES,
  RULE_NAMES,
  say,
  SEVERITY_NAMES,
  term,
  VOCABULARY_LANGUAGES,
  type Term,
  type VocabularyLanguage,
} from '../../shared/vocabulary';

export type ReportLang = VocabularyLanguage;
export const REPORT_LANGS: readonly ReportLang[] = VOCABULARY_LANGUAGES;

/** A text in both languages. */
export type Bilingual = Term;

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

export const pick = say;
export const t = term;

/** Cells of this shape are translated at render time: `{ code, names }` is not JSON-friendly, so tables keep codes. */
export const TRANSLATED_COLUMNS: Record<string, Readonly<Record<string, Bilingual>>> = {
  rule: RULE_NAMES,
  severity: SEVERITY_NAMES,
  disposition: ALERT_STATE_NAMES,
  exchange: EXCHANGE_NAMES,
  role: ROLE_NAMES,
};

/** The text a cell shows: codes of translated columns become names; numbers keep their exact value. */
export function cellText(column: Column, value: Cell, lang: ReportLang): string {
  if (value === null || value === undefined || value === '') return '—';
  const names = TRANSLATED_COLUMNS[column.key];
  if (names && typeof value === 'string') return nameOf(names, value, lang);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  const split = value.indexOf(BILINGUAL_SEPARATOR);
  if (split >= 0) return lang === 'zh-CN' ? value.slice(split + BILINGUAL_SEPARATOR.length) : value.slice(0, split);
  return value;
}

/** A bilingual string cell ("English ‖ 中文"): the renderers show the half of the report's language. */
export const BILINGUAL_SEPARATOR = ' \u2016 ';
export const both = (en: string, zh: string): string => `${en}${BILINGUAL_SEPARATOR}${zh}`;
