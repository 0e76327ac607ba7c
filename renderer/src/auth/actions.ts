// Four-eyes account action requests (the `actions` topic), for the header's Pending actions panel and the account
// tools. One subscription per window, started by the first component that needs it.
import { create } from 'zustand';
import type { AccountActionRequest } from '../../../shared/api/methods/auth';
import type { TopicUpdate } from '../../../shared/api/contract';
import { floorwatch } from '../api/floorwatch';

interface ActionsState {
  byId: Record<number, AccountActionRequest>;
  apply(update: TopicUpdate<'actions'>): void;
}

export const useActionsStore = create<ActionsState>()((set) => ({
  byId: {},
  apply: (update) =>
    set((state) => {
      const byId = update.snapshot ? {} : { ...state.byId };
      for (const row of update.rows) byId[row.id] = row;
      for (const key of update.removed) delete byId[Number(key)];
      return { byId };
    }),
}));

let subscribed = false;
export function ensureActionsSubscription(): void {
  if (subscribed) return;
  subscribed = true;
  floorwatch().subscribe('actions', useActionsStore.getState().apply);
}

export function pendingOf(byId: Record<number, AccountActionRequest>): AccountActionRequest[] {
  return Object.values(byId)
    .filter((request) => request.status === 'pending')
    .sort((a, b) => a.id - b.id);
}

/** One line describing what a request asks for. */
export function describeAction(request: AccountActionRequest): string {
  const { action } = request;
  switch (action.kind) {
    case 'freeze_opening':
      return `Freeze opening on ${action.accountId}`;
    case 'unfreeze_opening':
      return `Unfreeze opening on ${action.accountId}`;
    case 'set_position_limit':
      return `Position limit ${action.params.maxLots} lots on ${action.accountId} (${action.params.instrumentId ?? 'all instruments'})`;
    case 'set_order_limit':
      return `Order limit ${action.params.maxOrderQty} on ${action.accountId} (${action.params.instrumentId ?? 'all instruments'})`;
    case 'mark_forced_liquidation':
      return `Mark ${action.accountId} for forced liquidation (${action.params.instrumentId ?? 'whole account'})`;
    case 'client_contact_note':
      return `Contact note on ${action.accountId}: ${action.params.note}`;
  }
}
