// "Bring the open one forward": the alert badge focuses the Alerts window that is already open instead of opening a
// second one. Electron focuses the BrowserWindow itself (window.open with focusExisting). A browser page cannot
// focus another tab reliably, so under the host the page asks the open windows of that kind over a
// BroadcastChannel; one that answers calls window.focus() and flashes (its tab title too), else a new one is opened.
// The wait: FOCUS_ANSWER_MS, or longer when the windows' presence beacons (workspace/layouts) say one is alive — a busy
// background tab was measured answering in ~290 ms on a loaded machine, too close to 300 ms to open a duplicate.
import type { LinkChannel, WindowKind } from '../../../shared/api/contract';
import { callOrNotify, showOpenedWindow } from '../api/floorwatch';
import { liveWindows } from './layouts';

export const FOCUS_CHANNEL = 'floorwatch.window-focus';
export const FOCUS_ANSWER_MS = 300;
export const FOCUS_ANSWER_PRESENT_MS = 1200;
const FLASH_MS = 2400;

type FocusMessage = { type: 'focus'; kind: WindowKind; request: string } | { type: 'focused'; request: string };

function openChannel(): BroadcastChannel | null {
  return typeof BroadcastChannel === 'function' ? new BroadcastChannel(FOCUS_CHANNEL) : null;
}

/** Asks the open windows of `kind` to come forward; true when one answered in time. */
export function askOpenWindowToFocus(kind: WindowKind): Promise<boolean> {
  const present = liveWindows().some((entry) => entry.kind === kind);
  const waitMs = present ? FOCUS_ANSWER_PRESENT_MS : FOCUS_ANSWER_MS;
  const channel = openChannel();
  if (!channel) return Promise.resolve(false);
  const request = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return new Promise((resolve) => {
    const finish = (answered: boolean) => {
      clearTimeout(timer);
      channel.close();
      resolve(answered);
    };
    const timer = setTimeout(() => finish(false), waitMs);
    channel.onmessage = (event: MessageEvent<FocusMessage>) => {
      if (event.data?.type === 'focused' && event.data.request === request) finish(true);
    };
    channel.postMessage({ type: 'focus', kind, request } satisfies FocusMessage);
  });
}

/** Focuses the open window of `kind` (Electron: the newest; host: any that answers), or opens one. */
export async function focusOrOpenWindow(kind: WindowKind, channel: LinkChannel | null): Promise<'focused' | 'opened'> {
  const result = await callOrNotify('window.open', { kind, focusExisting: true, ...(channel ? { channel } : {}) });
  if (!result) return 'opened';
  if (result.opened) return result.focused ? 'focused' : 'opened';
  if (await askOpenWindowToFocus(kind)) return 'focused';
  showOpenedWindow(kind, result);
  return 'opened';
}

/** This window answers requests for its kind: it comes forward and flashes. Returns the unsubscribe. */
export function answerFocusRequests(kind: WindowKind, root: () => HTMLElement | null): () => void {
  const channel = openChannel();
  if (!channel) return () => {};
  let restoreTitle: ReturnType<typeof setTimeout> | null = null;
  channel.onmessage = (event: MessageEvent<FocusMessage>) => {
    const message = event.data;
    if (message?.type !== 'focus' || message.kind !== kind) return;
    channel.postMessage({ type: 'focused', request: message.request } satisfies FocusMessage);
    window.focus();
    const element = root();
    if (element) {
      element.classList.remove('fw-flash');
      void element.offsetWidth; // restart the animation
      element.classList.add('fw-flash');
      setTimeout(() => element.classList.remove('fw-flash'), FLASH_MS);
    }
    // The tab's title blinks too: the operator finds the tab even where the browser ignored focus().
    if (restoreTitle) clearTimeout(restoreTitle);
    const title = document.title.replace(/^● /, '');
    document.title = `● ${title}`;
    restoreTitle = setTimeout(() => (document.title = title), FLASH_MS);
  };
  return () => {
    if (restoreTitle) clearTimeout(restoreTitle);
    channel.close();
  };
}
