// Named layouts: which windows are open, where, on which channel and with which filters. Each window keeps its
// kind, channel and filters in its own URL (see setWindowParam), so a layout is the list of live windows' URLs and
// screen rectangles. Windows announce themselves in localStorage every 2 s (host mode: one browser profile shares
// it); a layout saves the ones seen in the last 6 s and restores by opening each again at its place. The layout in
// force (the last saved or restored) is reopened when the workstation starts, unless the operator opted out.
// Electron keeps this storage in the data folder (userData), so no main-side store is needed: a restored window
// gets its channel from window.open, its parameters and place by hand-off, and puts itself at its place.
import { WINDOW_KINDS, LINK_CHANNELS, type LinkChannel, type WindowKind } from '../../../shared/api/contract';
import { HANDOFF_KEY, openWindow, setWindowParam, windowParam } from '../api/floorwatch';

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
/** `?layout=none` on the first window: start without restoring the last layout, once. */
const LAYOUT_PARAM = 'layout';
/** Screen rectangle a restored window puts itself at ("left,top,width,height"), then drops from its URL. */
const BOUNDS_PARAM = 'bounds';
const NOT_WINDOW_PARAMS = ['window', 'channel', 'token', LAYOUT_PARAM, BOUNDS_PARAM];
/** Electron: wait at most this long for a window to take its hand-off before the next one is opened. */
const HANDOFF_WAIT_MS = 3000;

/**
 * This tab (or Electron window) loads for the first time: sessionStorage survives a reload of the same tab, so a
 * reload is not a start. Read when the module loads, before announceWindow() writes the instance id.
 */
const firstLoadOfThisTab = (() => {
  try {
    return window.sessionStorage.getItem('floorwatch.instance') === null;
  } catch {
    return false;
  }
})();

/**
 * This window was opened by another Floorwatch window (it carries the opener's session in its fragment, or a place
 * from a layout): never a start, even when it loads while the window that opened it is reloading.
 */
const openedByAnotherWindow =
  /(^#|&)session=/.test(window.location.hash) || new URLSearchParams(window.location.search).has('bounds');

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
  for (const [name, value] of search) if (!NOT_WINDOW_PARAMS.includes(name)) params[name] = value;
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
  return openLayoutWindows(layout, selfIndex(layout));
}

/** The entry of `layout` this window stands for, -1 for none. */
function selfIndex(layout: Layout): number {
  const me = describeThisWindow();
  return layout.windows.findIndex((entry) => sameWindow(entry, me));
}

/** Opens every window of the layout but entry `skip` (this window); returns how many were opened. */
async function openLayoutWindows(layout: Layout, skip: number): Promise<number> {
  let opened = 0;
  for (const [index, entry] of layout.windows.entries()) {
    if (index === skip) continue;
    const features = `popup,left=${entry.left},top=${entry.top},width=${entry.width},height=${entry.height}`;
    // The new window also places itself (Electron opens it at a default place; it gets `bounds` by hand-off).
    const params = { ...entry.params, [BOUNDS_PARAM]: boundsText(entry) };
    await openWindow(entry.kind, entry.channel, params, features);
    await handoffTaken();
    opened++;
  }
  window.localStorage.setItem(LAST_KEY, layout.name);
  return opened;
}

function boundsText(entry: LayoutWindow): string {
  return [entry.left, entry.top, entry.width, entry.height].map((n) => Math.round(n)).join(',');
}

/** Electron hands a new window its parameters through one storage key: let it take them before the next opens. */
async function handoffTaken(): Promise<void> {
  for (let waited = 0; waited < HANDOFF_WAIT_MS && window.localStorage.getItem(HANDOFF_KEY); waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Puts this window where `bounds` says (a restored window), then drops the parameter from the URL. */
export function placeThisWindow(): void {
  const bounds = windowParam(describeThisWindow().kind, BOUNDS_PARAM);
  if (!bounds) return;
  setWindowParam(BOUNDS_PARAM, null);
  const [left, top, width, height] = bounds.split(',').map(Number);
  if ([left, top, width, height].some((n) => n === undefined || !Number.isFinite(n))) return;
  try {
    // Browsers honour these for pop-ups a script opened, Electron for its windows; elsewhere they do nothing.
    window.moveTo(left!, top!);
    if (width! >= 320 && height! >= 240) window.resizeTo(width!, height!);
  } catch {
    // not allowed here: the window stays where it opened
  }
}

/**
 * Whether this window starts the workstation: its first load (not a reload), opened by the operator (not by another
 * window), no other Floorwatch window alive, and not asked to skip with `?layout=none`.
 */
export function isWorkstationStart(now = Date.now()): boolean {
  if (!firstLoadOfThisTab || openedByAnotherWindow) return false;
  if (new URLSearchParams(window.location.search).get(LAYOUT_PARAM) === 'none') return false;
  // A review window is a workspace of its own: it never restores the live floor's layout.
  if (new URLSearchParams(window.location.search).has('review')) return false;
  const me = window.sessionStorage.getItem('floorwatch.instance');
  for (let i = 0; i < window.localStorage.length; i++) {
    const key = window.localStorage.key(i);
    if (!key?.startsWith(PRESENCE_PREFIX) || key === PRESENCE_PREFIX + me) continue;
    try {
      const entry = JSON.parse(window.localStorage.getItem(key) ?? 'null') as Presence | null;
      if (entry && now - entry.at <= PRESENCE_STALE_MS) return false;
    } catch {
      // unreadable: not a live window
    }
  }
  return true;
}

export interface StartRestore {
  name: string;
  /** Windows the layout has (this one included when it stands for one of them). */
  windows: number;
  /** This tab is being reloaded as the layout's first window (host), or closed (Electron). */
  reloading: boolean;
}

/**
 * At a workstation start, reopens the layout in force (the last one saved or restored) unless the operator turned
 * that off. This window becomes one of the layout's windows: the matching one, else the first (the host reloads this
 * tab as that window; Electron, which allows no navigation, closes this window once the others are open).
 */
export async function restoreLastLayoutAtStart(enabled: boolean): Promise<StartRestore | null> {
  if (!enabled || !isWorkstationStart()) return null;
  const name = lastLayoutName();
  const layout = loadLayouts().find((l) => l.name === name);
  if (!layout || layout.windows.length === 0) return null;
  const self = selfIndex(layout);
  await openLayoutWindows(layout, Math.max(0, self));
  if (self >= 0) return { name: layout.name, windows: layout.windows.length, reloading: false };
  const first = layout.windows[0]!;
  if (window.location.protocol === 'file:') {
    await openWindow(first.kind, first.channel, { ...first.params, [BOUNDS_PARAM]: boundsText(first) });
    await handoffTaken();
    window.close();
  } else {
    const url = new URL(window.location.href);
    url.search = '';
    url.hash = '';
    url.searchParams.set('window', first.kind);
    if (first.channel) url.searchParams.set('channel', first.channel);
    for (const [param, value] of Object.entries(first.params)) url.searchParams.set(param, value);
    url.searchParams.set(BOUNDS_PARAM, boundsText(first));
    window.location.replace(url.toString());
  }
  return { name: layout.name, windows: layout.windows.length, reloading: true };
}
