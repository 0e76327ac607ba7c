// Operator preferences kept in this browser profile (localStorage), shared by every window of the app: the up/down
// colour convention, the theme (dark default), the alert sound and whether the last layout is restored at start.
import { create } from 'zustand';

/**
 * How rises and falls are coloured. Chinese markets show a rise in red and a fall in green (红涨绿跌), the reverse of
 * Western screens; Floorwatch serves Chinese futures desks, so that is the default.
 */
export type UpDownConvention = 'redUp' | 'greenUp';
export type Theme = 'dark' | 'light';

interface Settings {
  upDown: UpDownConvention;
  theme: Theme;
  /** Beep and desktop notification for new high/critical alerts. */
  alertSound: boolean;
  /** The first window of a start reopens the last saved or restored layout (opt-out). */
  restoreLayoutAtStart: boolean;
}

interface SettingsState extends Settings {
  setUpDown(value: UpDownConvention): void;
  setTheme(value: Theme): void;
  setAlertSound(value: boolean): void;
  setRestoreLayoutAtStart(value: boolean): void;
}

const STORAGE_KEY = 'floorwatch.settings.v1';

function load(): Settings {
  try {
    const saved = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<
      Record<keyof Settings, unknown>
    >;
    return {
      upDown: saved.upDown === 'greenUp' ? 'greenUp' : 'redUp',
      theme: saved.theme === 'light' ? 'light' : 'dark',
      alertSound: saved.alertSound !== false,
      restoreLayoutAtStart: saved.restoreLayoutAtStart !== false,
    };
  } catch {
    return { upDown: 'redUp', theme: 'dark', alertSound: true, restoreLayoutAtStart: true };
  }
}

function persist(settings: Settings): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
  } catch {
    // Storage may be unavailable (private mode, file:// quirks); the setting then lasts for this window only.
  }
}

export const useSettingsStore = create<SettingsState>()((set, get) => {
  const update = (patch: Partial<Settings>) => {
    set(patch);
    const { upDown, theme, alertSound, restoreLayoutAtStart } = get();
    persist({ upDown, theme, alertSound, restoreLayoutAtStart });
  };
  return {
    ...load(),
    setUpDown: (upDown) => update({ upDown }),
    setTheme: (theme) => update({ theme }),
    setAlertSound: (alertSound) => update({ alertSound }),
    setRestoreLayoutAtStart: (restoreLayoutAtStart) => update({ restoreLayoutAtStart }),
  };
});

// Another window changed a setting: follow it.
window.addEventListener('storage', (event) => {
  if (event.key === STORAGE_KEY) useSettingsStore.setState(load());
});
