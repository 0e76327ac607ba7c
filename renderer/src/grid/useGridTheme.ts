// The AG Grid theme object of the current app theme (grids re-theme in place when the operator switches), and the
// grid's own texts (its loading overlay) in the window's language.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSettingsStore } from '../stores/settings';
import { floorGridThemeDark, floorGridThemeLight } from './theme';

export function useGridTheme() {
  const theme = useSettingsStore((s) => s.theme);
  return theme === 'light' ? floorGridThemeLight : floorGridThemeDark;
}

export function useGridLocaleText(): Record<string, string> {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  return useMemo(
    () => ({ loadingOoo: t('common.loading'), noRowsToShow: t('common.none') }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the language decides the texts
    [t, language],
  );
}
