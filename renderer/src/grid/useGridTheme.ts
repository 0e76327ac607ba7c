// The AG Grid theme object of the current app theme; grids re-theme in place when the operator switches.
import { useSettingsStore } from '../stores/settings';
import { floorGridThemeDark, floorGridThemeLight } from './theme';

export function useGridTheme() {
  const theme = useSettingsStore((s) => s.theme);
  return theme === 'light' ? floorGridThemeLight : floorGridThemeDark;
}
