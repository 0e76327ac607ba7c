// The replay state of this window's review workspace (topic `replay`; null in a live window or before the first
// row), and the clock a window reads alert ages from: the replay clock in review, the wall clock live.
import { create } from 'zustand';
import type { TopicUpdate } from '../../../shared/api/contract';
import type { ReplayState } from '../../../shared/api/methods/sessions';

interface ReviewState {
  replay: ReplayState | null;
  apply(update: TopicUpdate<'replay'>): void;
}

export const useReviewStore = create<ReviewState>()((set) => ({
  replay: null,
  apply: (update) => {
    const row = update.rows[update.rows.length - 1];
    if (row) set({ replay: row });
    else if (update.snapshot) set({ replay: null });
  },
}));

/** "Now" for an alert's age: session time at the replay position in a review window, else the wall clock. */
export function alertClock(): number {
  const replay = useReviewStore.getState().replay;
  return replay?.mode === 'review' ? replay.positionTs : Date.now();
}
