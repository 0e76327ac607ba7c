// Once per window: a restored window puts itself at its saved place; the window that starts the workstation
// reopens the layout in force (see restoreLastLayoutAtStart) and says so in a message.
import { useEffect } from 'react';
import { i18n } from '../i18n';
import { useNoticeStore } from '../stores/notice';
import { useSettingsStore } from '../stores/settings';
import { placeThisWindow, restoreLastLayoutAtStart } from './layouts';

/** The notice of a start restore, kept across the reload of a tab that turned into the layout's first window. */
const NOTICE_KEY = 'floorwatch.layout.startNotice';

export function useLayoutAtStart(): void {
  useEffect(() => {
    const show = useNoticeStore.getState().success;
    const carried = window.sessionStorage.getItem(NOTICE_KEY);
    if (carried) {
      window.sessionStorage.removeItem(NOTICE_KEY);
      show(carried);
    }
    placeThisWindow();
    void restoreLastLayoutAtStart(useSettingsStore.getState().restoreLayoutAtStart).then((restored) => {
      if (!restored) return;
      const text = i18n.t('layout.restoredAtStart', { name: restored.name, count: restored.windows });
      if (restored.reloading) window.sessionStorage.setItem(NOTICE_KEY, text);
      else show(text);
    });
  }, []);
}
