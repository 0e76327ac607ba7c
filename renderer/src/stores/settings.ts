// Operator preferences kept in this browser profile (localStorage), shared by every window of the app.
import { create } from 'zustand';

/**
 * How rises and falls are coloured. Chinese markets show a rise in red and a fall in green (红涨绿跌), the reverse of
 * Western screens; Floorwatch serves Chinese futures desks, so that is the default.
 */
export type UpDownConvention = 'redUp' | 'greenUp';

interface SettingsState {
  upDown: UpDownConvention;
  setUpDown(value: UpDownConvention): void;
}

const STORAGE_KEY = 'floorwatch.settings.v1';

function load(): { upDown: UpDownConvention } {
  try {
    const saved = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? '{}') as { upDown?: unknown };
    return { upDown: saved.upDown === 'greenUp' ? 'greenUp' : 'redUp' };
  } catch {
    return { upDown: 'redUp' };
  }
}

export const useSettingsStore = create<SettingsState>()((set) => ({
  ...load(),
  setUpDown: (upDown) => {
    set({ upDown });
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify({ upDown }));
    } catch {
      // Storage may be unavailable (private mode, file:// quirks); the setting then lasts for this window only.
    }
  },
}));

// Another window changed the setting: follow it.
window.addEventListener('storage', (event) => {
  if (event.key === STORAGE_KEY) useSettingsStore.setState(load());
});
