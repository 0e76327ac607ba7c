// Once per window: a restored window puts itself at its saved place; the window that starts the workstation
// reopens the layout in force (see restoreLastLayoutAtStart) and says so in the header.
import { useEffect } from 'react';
import { i18n } from '../i18n';
import { useNoticeStore } from '../stores/notice';
import { useSettingsStore } from '../stores/settings';
import { placeThisWindow, restoreLastLayoutAtStart } from './layouts';

export function useLayoutAtStart(): void {
  useEffect(() => {
    placeThisWindow();
    void restoreLastLayoutAtStart(useSettingsStore.getState().restoreLayoutAtStart).then((restored) => {
      if (restored)
        useNoticeStore
          .getState()
          .show(i18n.t('layout.restoredAtStart', { name: restored.name, count: restored.windows }));
    });
  }, []);
}
