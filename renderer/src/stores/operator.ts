// Who is signed in at this window (for "mine" filters, assignments and role-gated actions): asked once from
// auth.status; null when the auth service is not wired or nobody is signed in.
import { create } from 'zustand';
import type { Role } from '../../../shared/api/methods/auth';
import { floorwatch } from '../api/floorwatch';

interface OperatorState {
  operator: string | null;
  /** The operator's role (operator, supervisor, admin, …); null when unknown. */
  role: Role | null;
  load(): void;
}

export const useOperatorStore = create<OperatorState>()((set) => ({
  operator: null,
  role: null,
  load: () => {
    floorwatch()
      .call('auth.status', {})
      .then((status) => set({ operator: status.session?.operator ?? null, role: status.session?.role ?? null }))
      .catch(() => set({ operator: null, role: null }));
  },
}));
