// Opening and leaving a review workspace's windows, the same way on both transports: Electron opens and closes
// windows itself; the host hands back URLs this page opens (a new tab) or turns into (back to live).
import type { WindowKind } from '../../../shared/api/contract';
import { callOrNotify, openWindow } from '../api/floorwatch';
import { useWindowStore } from '../stores/windowState';

/** The windows a review workspace opens with (a browser allows one new tab per click: Market Watch there). */
const REVIEW_WINDOW_SET: readonly WindowKind[] = ['marketWatch', 'alerts'];

/** Opens the windows of review `reviewId`. */
export async function openReviewWindows(reviewId: string): Promise<void> {
  const [first, ...rest] = REVIEW_WINDOW_SET;
  const opened = await openWindow(first ?? 'marketWatch', null, {}, undefined, reviewId);
  // Electron opened it itself and may open the rest; a browser would block a second tab from one click.
  if (!opened?.opened) return;
  for (const kind of rest) await openWindow(kind, null, {}, undefined, reviewId);
}

/** Leaves this review window for the live floor: Electron brings the live window forward and closes this one. */
export async function backToLive(): Promise<void> {
  if (window.location.protocol === 'file:') {
    await callOrNotify('sessions.live', {});
    return;
  }
  // The host: this tab becomes the live window of its kind (the opener's session rides in the URL it gets).
  const { kind, channel } = useWindowStore.getState();
  const opened = await callOrNotify('window.open', channel ? { kind, channel, live: true } : { kind, live: true });
  if (opened?.url) window.location.replace(new URL(opened.url, window.location.href).toString());
}
