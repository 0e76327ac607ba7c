// Colour-channel links shared by all windows (FDC3 style): the instrument and account last picked on each channel.
import { create } from 'zustand';
import type { LinkChannel, LinkState, TopicUpdate } from '../../../shared/api/contract';

export interface ChannelContext {
  instrument: string | null;
  account: string | null;
}

interface LinksState {
  links: LinkState | null;
  apply(update: TopicUpdate<'links'>): void;
}

export const useLinksStore = create<LinksState>()((set) => ({
  links: null,
  apply: (update) => {
    const latest = update.rows[update.rows.length - 1];
    if (latest) set({ links: latest });
  },
}));

const EMPTY: ChannelContext = { instrument: null, account: null };

/** The context of one channel; `null` channel (an unlinked window) has none. */
export function useChannelContext(channel: LinkChannel | null): ChannelContext {
  return useLinksStore((state) => (channel && state.links ? state.links[channel] : EMPTY));
}
