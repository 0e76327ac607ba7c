// A term in both languages of the app. The vocabulary is plain data: the windows (through the i18n catalogue) and
// the reports (PDF, CSV, XLSX) read the same terms, so an operator never sees one thing under two names.

/** The languages of the windows and the reports. */
export type VocabularyLanguage = 'en' | 'zh-CN';
export const VOCABULARY_LANGUAGES: readonly VocabularyLanguage[] = ['en', 'zh-CN'];

export interface Term {
  readonly en: string;
  readonly zh: string;
}

export const term = (en: string, zh: string): Term => ({ en, zh });

/** The term in `language`. */
export function say(text: Term, language: VocabularyLanguage): string {
  return language === 'zh-CN' ? text.zh : text.en;
}

/** A table of terms as plain strings of one language (the shape an i18n catalogue section takes). */
export function termsIn<K extends string>(terms: Readonly<Record<K, Term>>, language: VocabularyLanguage) {
  const out = {} as Record<K, string>;
  for (const key of Object.keys(terms) as K[]) out[key] = say(terms[key], language);
  return out;
}

/** The name of `code` in a table, or the code itself when the table does not know it. */
export function nameOf(
  terms: Readonly<Record<string, Term>>,
  code: string | null | undefined,
  language: VocabularyLanguage,
): string {
  if (code === null || code === undefined || code === '') return '—';
  const found = Object.prototype.hasOwnProperty.call(terms, code) ? terms[code] : undefined;
  return found ? say(found, language) : code;
}
