// i18next set up once per window: zh-CN and English, the choice kept in localStorage and followed across windows.
// Numbers and times go through Intl in the current locale (locale()).
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en, zh } from './resources';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_NAMES: Record<Language, string> = { 'zh-CN': '简体中文', en: 'English' };

const STORAGE_KEY = 'floorwatch.language';

function savedLanguage(): Language {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (saved === 'zh-CN' || saved === 'en') return saved;
  } catch {
    // no storage: fall through to the browser's language
  }
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

void i18next.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zh } },
  lng: savedLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});
document.documentElement.lang = i18next.language;

export const i18n = i18next;

export function currentLanguage(): Language {
  return i18next.language === 'zh-CN' ? 'zh-CN' : 'en';
}

/** The Intl locale of the current language. */
export function locale(): string {
  return currentLanguage() === 'zh-CN' ? 'zh-CN' : 'en-US';
}

export function setLanguage(language: Language): void {
  void i18next.changeLanguage(language);
  document.documentElement.lang = language;
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // the choice then lasts for this window only
  }
}

// Another window switched the language: follow it without a reload.
window.addEventListener('storage', (event) => {
  if (event.key === STORAGE_KEY && (event.newValue === 'zh-CN' || event.newValue === 'en')) {
    void i18next.changeLanguage(event.newValue);
    document.documentElement.lang = event.newValue;
  }
});
