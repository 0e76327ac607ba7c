// Feed and core health (one row): drives the header's feed state and lag.
import { create } from 'zustand';
import type { TopicUpdate } from '../../../shared/api/contract';
import type { HealthSnapshot } from '../../../shared/domain/types';

interface HealthState {
  health: HealthSnapshot | null;
  apply(update: TopicUpdate<'health'>): void;
}

export const useHealthStore = create<HealthState>()((set) => ({
  health: null,
  apply: (update) => {
    const latest = update.rows[update.rows.length - 1];
    if (latest) set({ health: latest });
    else if (update.snapshot) set({ health: null });
  },
}));
