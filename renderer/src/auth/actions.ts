// Four-eyes account action requests (the `actions` topic), for the header's Pending actions panel and the account
// tools. One subscription per window, started by the first component that needs it.
import { create } from 'zustand';
import type { AccountActionRequest, AccountRestrictions } from '../../../shared/api/methods/auth';
import type { TopicUpdate } from '../../../shared/api/contract';
import { ACCOUNT_ACTION_NAMES, nameOf } from '../../../shared/vocabulary';
import { floorwatch } from '../api/floorwatch';
import { currentLanguage, i18n } from '../i18n';

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

/** Accounts' active restrictions (topic `restrictions`), by account id. */
interface RestrictionsState {
  byAccount: Record<string, AccountRestrictions>;
  apply(update: TopicUpdate<'restrictions'>): void;
}

export const useRestrictionsStore = create<RestrictionsState>()((set) => ({
  byAccount: {},
  apply: (update) =>
    set((state) => {
      const byAccount = update.snapshot ? {} : { ...state.byAccount };
      for (const row of update.rows) byAccount[row.accountId] = row;
      for (const key of update.removed) delete byAccount[key];
      return { byAccount };
    }),
}));

let subscribed = false;
export function ensureActionsSubscription(): void {
  if (subscribed) return;
  subscribed = true;
  floorwatch().subscribe('actions', useActionsStore.getState().apply);
  floorwatch().subscribe('restrictions', useRestrictionsStore.getState().apply);
}

/** Requests decided today, newest decision first. */
export function decidedOf(byId: Record<number, AccountActionRequest>): AccountActionRequest[] {
  return Object.values(byId)
    .filter((request) => request.status !== 'pending')
    .sort((a, b) => (b.decidedAt ?? 0) - (a.decidedAt ?? 0));
}

/** One restriction in force on an account, for a badge: its kind (for styling) and its words. */
export interface RestrictionBadge {
  kind: 'frozen' | 'positionLimit' | 'orderLimit' | 'forcedLiquidation';
  params: Record<string, string | number>;
}

export function restrictionBadges(restrictions: AccountRestrictions | undefined): RestrictionBadge[] {
  if (!restrictions) return [];
  const badges: RestrictionBadge[] = [];
  if (restrictions.openingFrozen) badges.push({ kind: 'frozen', params: {} });
  for (const [scope, lots] of Object.entries(restrictions.positionLimits))
    badges.push({ kind: 'positionLimit', params: { scope, lots } });
  for (const [scope, qty] of Object.entries(restrictions.orderLimits))
    badges.push({ kind: 'orderLimit', params: { scope, qty } });
  for (const scope of restrictions.forcedLiquidation) badges.push({ kind: 'forcedLiquidation', params: { scope } });
  return badges;
}

export function pendingOf(byId: Record<number, AccountActionRequest>): AccountActionRequest[] {
  return Object.values(byId)
    .filter((request) => request.status === 'pending')
    .sort((a, b) => a.id - b.id);
}

/** One line describing what a request asks for, in the current language. */
export function describeAction(request: AccountActionRequest): string {
  const { action } = request;
  const name = nameOf(ACCOUNT_ACTION_NAMES, action.kind, currentLanguage());
  const all = i18n.t('auth.request.allInstruments');
  switch (action.kind) {
    case 'freeze_opening':
    case 'unfreeze_opening':
      return `${name} · ${action.accountId}`;
    case 'set_position_limit':
      return `${name} · ${action.accountId} · ${action.params.instrumentId ?? all} · ${action.params.maxLots}`;
    case 'set_order_limit':
      return `${name} · ${action.accountId} · ${action.params.instrumentId ?? all} · ${action.params.maxOrderQty}`;
    case 'mark_forced_liquidation':
      return `${name} · ${action.accountId} · ${action.params.instrumentId ?? i18n.t('auth.request.wholeAccount')}`;
    case 'client_contact_note':
      return `${name} · ${action.accountId}: ${action.params.note}`;
  }
}
