// What this window is: its kind (from ?window=) and the colour channel it is linked on (from ?channel=, then the
// picker in the header).
import { create } from 'zustand';
import { LINK_CHANNELS, WINDOW_KINDS, type LinkChannel, type WindowKind } from '../../../shared/api/contract';

interface WindowState {
  kind: WindowKind;
  /** The review workspace this window belongs to (`?review=`); null: a window of the live floor. */
  review: string | null;
  channel: LinkChannel | null;
  setChannel(channel: LinkChannel | null): void;
}

export function kindFromUrl(search: string): WindowKind {
  const requested = new URLSearchParams(search).get('window');
  return (WINDOW_KINDS as readonly string[]).includes(requested ?? '') ? (requested as WindowKind) : 'marketWatch';
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

export const useWindowStore = create<WindowState>()((set) => ({
  kind: kindFromUrl(window.location.search),
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
