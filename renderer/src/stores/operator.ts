// Who is signed in at this window (for "mine" filters and assignments): asked once from auth.status; null when the
// auth service is not wired or nobody is signed in.
import { create } from 'zustand';
import { floorwatch } from '../api/floorwatch';

interface OperatorState {
  operator: string | null;
  load(): void;
}

export const useOperatorStore = create<OperatorState>()((set) => ({
  operator: null,
  load: () => {
    floorwatch()
      .call('auth.status', {})
      .then((status) => set({ operator: status.session?.operator ?? null }))
      .catch(() => set({ operator: null }));
  },
}));
