// Account scoping, enforced once for every transport: an operator limited to account groups gets, from every
// method and every topic, only the data of those accounts. One table names, for each method of the contract, what
// account data it carries and how it is bounded; a method added to the contract does not compile until it is
// classified here (and tests/integration/accountScope.test.ts calls each one as a scoped operator).
import { rowKey, type ApiMethod, type TopicName, type TopicRows, type TopicUpdate } from '../../shared/api/contract';
import type { AccountDetail, AccountCounters } from '../../shared/api/methods/accounts';
import type { AlertRow } from '../../shared/api/methods/alerts';
import type { AccountActionRequest } from '../../shared/api/methods/auth';
import type { CaseWindow } from '../../shared/api/methods/cases';
import type { TeamSettings } from '../../shared/domain/teamWorkflow';
import { accountInScope, alertInScope, type AccountScope } from '../../shared/domain/teamWorkflow';
import { ApiFailure, type CallerContext, type MethodHandlers, type TopicSource } from './dispatcher';

/** What the scoping needs to know: the caller's scope (null: every account) and an alert of the live queue. */
export interface AccountScoping {
  scopeOf(caller: CallerContext): AccountScope | null;
  alert(id: string): AlertRow | null;
}

type Args = Record<string, unknown>;

/** How one method is bounded for a scoped caller. */
export type MethodScoping =
  /** It carries no account data (the reason is the documentation). */
  | { kind: 'none'; why: string }
  /** Floor-wide data (reports, the audit trail, what-if runs): refused to a scoped operator. */
  | { kind: 'unscopedOnly' }
  /** Checks the arguments before the call and/or bounds its result. */
  | {
      kind: 'bounded';
      before?: (args: Args, scope: AccountScope, scoping: AccountScoping) => void;
      after?: (result: unknown, scope: AccountScope, scoping: AccountScoping) => unknown;
    }
  /** The handler bounds itself with the caller's scope (the views, the workload). */
  | { kind: 'selfBounded'; where: string };

const none = (why: string): MethodScoping => ({ kind: 'none', why });
const UNSCOPED_ONLY: MethodScoping = { kind: 'unscopedOnly' };

/** Answered exactly like an unknown id, so a scoped operator cannot even learn that the alert exists. */
function noSuchAlert(id: string): ApiFailure {
  return new ApiFailure('bad_arguments', `no alert "${id.slice(0, 256)}" on this workstation`);
}

function requireAccount(scope: AccountScope, accountId: unknown): void {
  if (!accountInScope(scope, typeof accountId === 'string' ? accountId : null)) {
    throw new ApiFailure('forbidden', `account ${String(accountId).slice(0, 64)} is outside your account groups`);
  }
}

function requireAlertRow(scope: AccountScope, row: Pick<AlertRow, 'id' | 'accountIds'> | null | undefined): void {
  if (row && !alertInScope(scope, row)) throw noSuchAlert(row.id);
}

/** An alert method: the alert named by `field` must be visible before, and the alert answered must be after. */
function alertMethod(field: 'id' | 'alertId', answer: (result: unknown) => AlertRow | undefined): MethodScoping {
  return {
    kind: 'bounded',
    before: (args, scope, scoping) => {
      const id = String(args[field]);
      const row = scoping.alert(id);
      if (row && !alertInScope(scope, row)) throw noSuchAlert(id);
    },
    after: (result, scope) => {
      requireAlertRow(scope, answer(result));
      return result;
    },
  };
}
const alertRowResult = alertMethod('id', (result) => result as AlertRow);

const actionInScope = (scope: AccountScope) => (request: AccountActionRequest) =>
  accountInScope(scope, request.action.accountId);

/** Account fields a journal message may carry. */
const ACCOUNT_FIELDS = ['accountId', 'buyAccountId', 'sellAccountId'] as const;
function messageInScope(scope: AccountScope, message: unknown): boolean {
  const body = (message as { msg?: unknown })?.msg ?? message;
  if (body === null || typeof body !== 'object') return true;
  return ACCOUNT_FIELDS.every((field) => {
    const value = (body as Record<string, unknown>)[field];
    return typeof value !== 'string' || accountInScope(scope, value);
  });
}

/** Every method of the contract and how a scoped caller is bounded in it. */
export const METHOD_SCOPING: Readonly<Record<ApiMethod, MethodScoping>> = {
  'app.info': none('the app and its feed'),
  'window.open': none('opens a window'),
  'link.set': none("the caller's own pick (the links topic is bounded)"),
  'feed.reconnect': none('reconnects the feed'),
  'auth.status': none("the caller's own session"),
  'auth.setupAdmin': none('first start'),
  'auth.login': none("the caller's own session"),
  'auth.resume': none("the caller's own session"),
  'auth.logout': none("the caller's own session"),
  'auth.lock': none("the caller's own session"),
  'auth.unlock': none("the caller's own session"),
  'auth.touch': none("the caller's own session"),
  'auth.changePassword': none("the caller's own password"),
  'operators.list': none('operator accounts (admins only)'),
  'operators.directory': none('operator names and roles'),
  'operators.create': none('operator accounts (admins only)'),
  'operators.update': none('operator accounts (admins only)'),
  'operators.resetPassword': none('operator accounts (admins only)'),
  'alerts.get': alertMethod('id', (result) => (result as { alert: AlertRow }).alert),
  'alerts.setState': alertRowResult,
  'alerts.assign': alertRowResult,
  'alerts.addNote': alertRowResult,
  'alerts.claim': alertRowResult,
  'cases.window': {
    kind: 'bounded',
    before: (args, scope, scoping) => requireAlertRow(scope, scoping.alert(String(args.alertId))),
    after: (result, scope) => {
      const window = result as CaseWindow;
      requireAlertRow(scope, window.alert);
      // Around the client's trades: a counterparty outside the scope is not named, its orders are not listed.
      return {
        ...window,
        trades: window.trades.map((trade) => ({
          ...trade,
          buyAccountId: accountInScope(scope, trade.buyAccountId) ? trade.buyAccountId : null,
          sellAccountId: accountInScope(scope, trade.sellAccountId) ? trade.sellAccountId : null,
        })),
        orders: window.orders.filter((order) => accountInScope(scope, order.accountId)),
        evidence: window.evidence.filter((message) => messageInScope(scope, message)),
      } satisfies CaseWindow;
    },
  },
  'accounts.detail': {
    kind: 'bounded',
    before: (args, scope) => requireAccount(scope, args.accountId),
    after: (result, scope, scoping) => {
      const detail = result as AccountDetail;
      return {
        ...detail,
        groupAccountIds: detail.groupAccountIds.filter((id) => accountInScope(scope, id)),
        alertIds: detail.alertIds.filter((id) => {
          const alert = scoping.alert(id);
          return alert !== null && alertInScope(scope, alert);
        }),
      } satisfies AccountDetail;
    },
  },
  'accounts.counters': {
    kind: 'bounded',
    before: (args, scope) => requireAccount(scope, args.accountId),
    after: (result, scope) => {
      const counters = result as AccountCounters;
      return { ...counters, accountIds: counters.accountIds.filter((id) => accountInScope(scope, id)) };
    },
  },
  'actions.request': {
    kind: 'bounded',
    before: (args, scope) => requireAccount(scope, (args.action as { accountId?: unknown }).accountId),
  },
  'actions.approve': UNSCOPED_ONLY,
  'actions.reject': UNSCOPED_ONLY,
  'actions.pending': {
    kind: 'bounded',
    after: (result, scope) => (result as AccountActionRequest[]).filter(actionInScope(scope)),
  },
  'actions.instructions': {
    kind: 'bounded',
    before: (args, scope) => {
      if (args.accountId !== undefined) requireAccount(scope, args.accountId);
    },
    after: (result, scope) => (result as AccountActionRequest[]).filter(actionInScope(scope)),
  },
  'audit.verify': UNSCOPED_ONLY,
  'audit.export': UNSCOPED_ONLY,
  'audit.recent': UNSCOPED_ONLY,
  'reports.start': UNSCOPED_ONLY,
  'reports.jobs': UNSCOPED_ONLY,
  'reports.cancel': UNSCOPED_ONLY,
  'reports.exports': UNSCOPED_ONLY,
  'reports.deliver': UNSCOPED_ONLY,
  'rules.get': none('thresholds and rule versions'),
  'rules.whatIf': UNSCOPED_ONLY,
  'rules.adopt': none('thresholds (approvers only)'),
  'sessions.list': none('session files and their counts'),
  'sessions.open': none("opens a review: its topics and views are bounded like the live floor's"),
  'sessions.live': none('back to the live floor'),
  'replay.control': none('replay speed and position'),
  'settings.policy': none('workstation settings'),
  'settings.update': none('workstation settings (admins only)'),
  'views.open': { kind: 'selfBounded', where: 'the view table keeps only rows of the scope (ViewService)' },
  'views.update': { kind: 'selfBounded', where: 'the view keeps the scope it was opened with' },
  'views.rows': { kind: 'selfBounded', where: 'the view keeps the scope it was opened with' },
  'views.find': { kind: 'selfBounded', where: 'the view keeps the scope it was opened with' },
  'views.close': none('closes a view'),
  'team.settings': {
    kind: 'bounded',
    // The SLA is everyone's; of the account groups, a scoped operator sees their own.
    after: (result, scope) => {
      const settings = result as TeamSettings;
      return { ...settings, accountGroups: settings.accountGroups.filter((g) => scope.groups.includes(g.name)) };
    },
  },
  'team.updateSettings': UNSCOPED_ONLY,
  'team.scopes': UNSCOPED_ONLY,
  'team.setScope': UNSCOPED_ONLY,
  'team.workload': { kind: 'selfBounded', where: "counts only the alerts of the caller's scope (TeamWorkflow)" },
};

/** How each topic is bounded: a row predicate, a redaction, or none (no account data). */
type TopicScoping<T extends TopicName> =
  | { kind: 'none'; why: string }
  | { kind: 'rows'; visible: (row: TopicRows[T], scope: AccountScope) => boolean }
  | { kind: 'redact'; redact: (row: TopicRows[T], scope: AccountScope) => TopicRows[T] }
  | { kind: 'selfBounded'; where: string };

export const TOPIC_SCOPING: { readonly [T in TopicName]: TopicScoping<T> } = {
  market: { kind: 'none', why: 'quotes of contracts' },
  health: { kind: 'none', why: 'feed and core health' },
  replay: { kind: 'none', why: 'replay position' },
  positions: { kind: 'rows', visible: (row, scope) => accountInScope(scope, row.accountId) },
  accounts: { kind: 'rows', visible: (row, scope) => accountInScope(scope, row.accountId) },
  alerts: { kind: 'rows', visible: (row, scope) => alertInScope(scope, row) },
  actions: { kind: 'rows', visible: (row, scope) => accountInScope(scope, row.action.accountId) },
  restrictions: { kind: 'rows', visible: (row, scope) => accountInScope(scope, row.accountId) },
  links: {
    kind: 'redact',
    // Another window's account pick is shown only when it is an account of the scope.
    redact: (state, scope) =>
      Object.fromEntries(
        Object.entries(state).map(([channel, slot]) => [
          channel,
          { ...slot, account: slot.account !== null && accountInScope(scope, slot.account) ? slot.account : null },
        ]),
      ) as typeof state,
  },
  views: { kind: 'selfBounded', where: "a window's own views, each bounded by the view table" },
};

/** The handlers with every method bounded for a scoped caller (an unscoped caller runs them as they are). */
export function scopeHandlers(handlers: MethodHandlers, scoping: AccountScoping): MethodHandlers {
  const bounded: Record<string, unknown> = { ...handlers };
  for (const method of Object.keys(METHOD_SCOPING) as ApiMethod[]) {
    const rule = METHOD_SCOPING[method];
    if (rule.kind === 'none' || rule.kind === 'selfBounded') continue;
    const handler = handlers[method] as (args: unknown, caller: CallerContext) => unknown;
    bounded[method] = async (args: Args, caller: CallerContext) => {
      const scope = scoping.scopeOf(caller);
      if (scope === null) return handler(args, caller);
      if (rule.kind === 'unscopedOnly') {
        throw new ApiFailure(
          'forbidden',
          `${method} covers the whole floor: an operator limited to account groups may not use it`,
        );
      }
      rule.before?.(args, scope, scoping);
      const result = await handler(args, caller);
      return rule.after ? rule.after(result, scope, scoping) : result;
    };
  }
  return bounded as MethodHandlers;
}

/** A topic source whose updates to a scoped caller hold only rows of its scope. */
export function scopeTopics(source: TopicSource, scoping: AccountScoping): TopicSource {
  return {
    subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void, caller?: CallerContext) {
      const rule = TOPIC_SCOPING[topic] as TopicScoping<T>;
      if (rule.kind === 'none' || rule.kind === 'selfBounded' || !caller) {
        return source.subscribe(topic, listener, caller);
      }
      // Keys this caller holds: a row that leaves the scope is removed from its window.
      const held = new Set<string>();
      return source.subscribe(
        topic,
        (update) => {
          const scope = scoping.scopeOf(caller);
          if (scope === null) {
            listener(update);
            return;
          }
          if (update.snapshot) held.clear();
          const removed = update.removed.filter((key) => held.delete(key));
          const rows: TopicRows[T][] = [];
          for (const row of update.rows) {
            if (rule.kind === 'redact') {
              rows.push(rule.redact(row, scope));
              continue;
            }
            const key = rowKey(topic, row);
            if (rule.visible(row, scope)) {
              rows.push(row);
              held.add(key);
            } else if (held.delete(key)) {
              removed.push(key);
            }
          }
          if (!update.snapshot && rows.length === 0 && removed.length === 0) return;
          listener({ ...update, rows, removed });
        },
        caller,
      );
    },
  };
}
