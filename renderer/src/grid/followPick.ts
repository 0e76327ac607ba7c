// A grid window following a linked pick (an account or contract chosen in another window on its colour): the row is
// found in the window's view where the data is, scrolled into view and selected once its block is loaded.
import { useEffect, type RefObject } from 'react';
import type { GridApi } from 'ag-grid-community';

/** Polls for the row's node this long after scrolling (its block is being fetched). */
const SELECT_WAIT_MS = 1_500;

export function useFollowPick<R>(
  apiRef: RefObject<GridApi<R> | null>,
  locate: (key: string) => Promise<number>,
  key: string | null | undefined,
  ready: boolean,
): void {
  useEffect(() => {
    const api = apiRef.current;
    if (!api || !key || !ready) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    void locate(key).then((index) => {
      if (cancelled || index < 0 || api.isDestroyed()) return;
      api.ensureIndexVisible(index, 'middle');
      const started = Date.now();
      const select = () => {
        if (cancelled || api.isDestroyed()) return;
        const node = api.getRowNode(key);
        if (node) {
          node.setSelected(true, true);
          return;
        }
        if (Date.now() - started < SELECT_WAIT_MS) timer = setTimeout(select, 50);
      };
      select();
    });
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [apiRef, locate, key, ready]);
}
