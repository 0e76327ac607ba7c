// Named layouts: which windows are open, where, on which channel and with which filters. Each window keeps its
// kind, channel and filters in its own URL (see setWindowParam), so a layout is the list of live windows' URLs and
// screen rectangles. Windows announce themselves in localStorage every 2 s (host mode: one browser profile shares
// it); a layout saves the ones seen in the last 6 s and restores by opening each again at its place.
import { WINDOW_KINDS, LINK_CHANNELS, type LinkChannel, type WindowKind } from '../../../shared/api/contract';
import { openWindow } from '../api/floorwatch';

export interface LayoutWindow {
  kind: WindowKind;
  channel: LinkChannel | null;
  /** The window's own parameters (alert, account, filters), without window/channel/token. */
  params: Record<string, string>;
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Layout {
  name: string;
  savedAt: number;
  windows: LayoutWindow[];
}

const LAYOUTS_KEY = 'floorwatch.layouts.v1';
const LAST_KEY = 'floorwatch.layouts.last';
const PRESENCE_PREFIX = 'floorwatch.presence.';
const PRESENCE_EVERY_MS = 2000;
const PRESENCE_STALE_MS = 6000;

function instanceId(): string {
  // sessionStorage survives a reload of this tab but is not shared with other tabs.
  let id = window.sessionStorage.getItem('floorwatch.instance');
  if (!id) {
    id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    window.sessionStorage.setItem('floorwatch.instance', id);
  }
  return id;
}

/** This window as a layout entry, read from its URL and screen position. */
export function describeThisWindow(): LayoutWindow {
  const search = new URLSearchParams(window.location.search);
  const kindParam = search.get('window') ?? 'marketWatch';
  const channelParam = search.get('channel');
  const params: Record<string, string> = {};
  for (const [name, value] of search) if (!['window', 'channel', 'token'].includes(name)) params[name] = value;
  return {
    kind: (WINDOW_KINDS as readonly string[]).includes(kindParam) ? (kindParam as WindowKind) : 'marketWatch',
    channel: (LINK_CHANNELS as readonly string[]).includes(channelParam ?? '') ? (channelParam as LinkChannel) : null,
    params,
    left: window.screenX,
    top: window.screenY,
    width: window.outerWidth,
    height: window.outerHeight,
  };
}

interface Presence extends LayoutWindow {
  at: number;
}

/** Starts announcing this window; returns the function that stops (and withdraws the announcement). */
export function announceWindow(): () => void {
  const key = PRESENCE_PREFIX + instanceId();
  const beat = () => {
    try {
      window.localStorage.setItem(key, JSON.stringify({ ...describeThisWindow(), at: Date.now() } satisfies Presence));
    } catch {
      // no storage: this window is not part of saved layouts
    }
  };
  beat();
  const timer = setInterval(beat, PRESENCE_EVERY_MS);
  const withdraw = () => window.localStorage.removeItem(key);
  window.addEventListener('pagehide', withdraw);
  return () => {
    clearInterval(timer);
    window.removeEventListener('pagehide', withdraw);
    withdraw();
  };
}

/** Windows seen alive in the last few seconds (this one included), stale announcements removed. */
export function liveWindows(now = Date.now()): LayoutWindow[] {
  const live: LayoutWindow[] = [];
  for (let i = window.localStorage.length - 1; i >= 0; i--) {
    const key = window.localStorage.key(i);
    if (!key?.startsWith(PRESENCE_PREFIX)) continue;
    try {
      const entry = JSON.parse(window.localStorage.getItem(key) ?? 'null') as Presence | null;
      if (entry && now - entry.at <= PRESENCE_STALE_MS) {
        const { at: _at, ...windowEntry } = entry;
        live.push(windowEntry);
      } else window.localStorage.removeItem(key);
    } catch {
      window.localStorage.removeItem(key);
    }
  }
  return live.sort((a, b) => a.left - b.left || a.top - b.top);
}

export function loadLayouts(): Layout[] {
  try {
    const saved = JSON.parse(window.localStorage.getItem(LAYOUTS_KEY) ?? '[]') as unknown;
    return Array.isArray(saved) ? (saved as Layout[]).filter((l) => typeof l?.name === 'string') : [];
  } catch {
    return [];
  }
}

function storeLayouts(layouts: Layout[]): void {
  window.localStorage.setItem(LAYOUTS_KEY, JSON.stringify(layouts));
}

export function saveLayout(name: string): Layout {
  const layout: Layout = { name, savedAt: Date.now(), windows: liveWindows() };
  storeLayouts([...loadLayouts().filter((l) => l.name !== name), layout]);
  window.localStorage.setItem(LAST_KEY, name);
  return layout;
}

export function deleteLayout(name: string): void {
  storeLayouts(loadLayouts().filter((l) => l.name !== name));
}

export function lastLayoutName(): string | null {
  return window.localStorage.getItem(LAST_KEY);
}

function sameWindow(a: LayoutWindow, b: LayoutWindow): boolean {
  return a.kind === b.kind && a.channel === b.channel && JSON.stringify(a.params) === JSON.stringify(b.params);
}

/**
 * Opens the layout's windows at their places. One entry that matches this window is this window (not opened again).
 * Returns how many windows were opened.
 */
export async function restoreLayout(layout: Layout): Promise<number> {
  const self = describeThisWindow();
  let selfSkipped = false;
  let opened = 0;
  for (const entry of layout.windows) {
    if (!selfSkipped && sameWindow(entry, self)) {
      selfSkipped = true;
      continue;
    }
    const features = `popup,left=${entry.left},top=${entry.top},width=${entry.width},height=${entry.height}`;
    await openWindow(entry.kind, entry.channel, entry.params, features);
    opened++;
  }
  window.localStorage.setItem(LAST_KEY, layout.name);
  return opened;
}
