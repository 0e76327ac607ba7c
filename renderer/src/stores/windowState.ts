// What this window is: its kind (from ?window=) and the colour channel it is linked on (from ?channel=, then the
// picker in the header).
import { create } from 'zustand';
import { LINK_CHANNELS, WINDOW_KINDS, type LinkChannel, type WindowKind } from '../../../shared/api/contract';

interface WindowState {
  kind: WindowKind;
  /** The review workspace this window belongs to (`?review=`); null: a window of the live floor. */
  review: string | null;
  /** The ?window= value when it names no window: the page shows the list of windows instead of a wrong one. */
  unknownKind: string | null;
  channel: LinkChannel | null;
  setChannel(channel: LinkChannel | null): void;
}

/** Other spellings of a window kind an address may use (the names the windows go by), lower-cased. */
export const WINDOW_ALIASES: Readonly<Record<string, WindowKind>> = {
  accounttools: 'account',
  casereview: 'case',
  systemhealth: 'health',
  whatiftuning: 'whatIf',
  alertpane: 'alerts',
};

/**
 * The window an address asks for: no ?window= is Market Watch (the first window); a kind or alias in any letter
 * case is that window; anything else is unknown (never silently another window).
 */
export function kindFromUrl(search: string): { kind: WindowKind; unknown: string | null } {
  const requested = new URLSearchParams(search).get('window');
  if (requested === null || requested.trim() === '') return { kind: 'marketWatch', unknown: null };
  const wanted = requested.trim().toLowerCase();
  const kind = WINDOW_KINDS.find((k) => k.toLowerCase() === wanted) ?? WINDOW_ALIASES[wanted];
  return kind ? { kind, unknown: null } : { kind: 'marketWatch', unknown: requested.slice(0, 80) };
}

export function channelFromUrl(search: string): LinkChannel | null {
  const requested = new URLSearchParams(search).get('channel');
  return (LINK_CHANNELS as readonly string[]).includes(requested ?? '') ? (requested as LinkChannel) : null;
}

/** The review workspace named by `?review=` (ids as sessions.open makes them), else null. */
export function reviewFromUrl(search: string): string | null {
  const requested = new URLSearchParams(search).get('review');
  return requested !== null && /^[A-Za-z0-9_-]{1,64}$/.test(requested) ? requested : null;
}

const fromUrl = kindFromUrl(window.location.search);
// An alias in the address becomes the window's own kind (what saved layouts and reloads use).
if (!fromUrl.unknown && new URLSearchParams(window.location.search).get('window') !== fromUrl.kind) {
  const url = new URL(window.location.href);
  if (url.searchParams.has('window')) {
    url.searchParams.set('window', fromUrl.kind);
    window.history.replaceState(null, '', url.toString());
  }
}

export const useWindowStore = create<WindowState>()((set) => ({
  kind: fromUrl.kind,
  unknownKind: fromUrl.unknown,
  review: reviewFromUrl(window.location.search),
  channel: channelFromUrl(window.location.search),
  setChannel: (channel) => {
    set({ channel });
    // Keep the choice across a reload of this window.
    const url = new URL(window.location.href);
    if (channel) url.searchParams.set('channel', channel);
    else url.searchParams.delete('channel');
    window.history.replaceState(null, '', url.toString());
  },
}));
