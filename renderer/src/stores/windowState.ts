// What this window is: its kind (from ?window=) and the colour channel it is linked on (from ?channel=, then the
// picker in the header).
import { create } from 'zustand';
import { LINK_CHANNELS, WINDOW_KINDS, type LinkChannel, type WindowKind } from '../../../shared/api/contract';

interface WindowState {
  kind: WindowKind;
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

export const useWindowStore = create<WindowState>()((set) => ({
  kind: kindFromUrl(window.location.search),
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
