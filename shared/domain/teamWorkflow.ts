// The team's way of working an alert queue: who owns an alert (claim, assign), which part of the queue a window
// lists (mine / unassigned / team), how old an alert may get per severity before it is overdue (SLA), and which
// accounts an operator may see (account groups). Pure: the server enforces it (main/alerts/teamWorkflow.ts,
// main/api/accountScope.ts) and the windows draw from the same functions.
import { OPEN_STATES, TERMINAL_STATES } from './alertWorkflow';
import type { AlertRow } from '../api/methods/alerts';
import type { Role } from '../api/methods/auth';
import { SEVERITIES, type Severity } from '../rules/severityLevels';

/** The parts of the queue an Alerts window can list. */
export const QUEUE_VIEWS = ['mine', 'unassigned', 'team'] as const;
export type QueueView = (typeof QUEUE_VIEWS)[number];

/** Whether `row` belongs in `view` for `operator`. */
export function inQueueView(view: QueueView, row: Pick<AlertRow, 'assignee'>, operator: string): boolean {
  if (view === 'mine') return row.assignee === operator;
  if (view === 'unassigned') return row.assignee === null;
  return true;
}

/** How long an alert of a severity may stay new (unacknowledged), and open (not closed or dismissed). */
export interface SlaTarget {
  acknowledgeMinutes: number;
  resolveMinutes: number;
}
export type SlaTargets = Record<Severity, SlaTarget>;

/** Defaults a team starts with (a team setting changes them): a high alert is acknowledged within 15 minutes. */
export const DEFAULT_SLA: Readonly<SlaTargets> = {
  critical: { acknowledgeMinutes: 5, resolveMinutes: 60 },
  high: { acknowledgeMinutes: 15, resolveMinutes: 240 },
  medium: { acknowledgeMinutes: 60, resolveMinutes: 1440 },
  low: { acknowledgeMinutes: 240, resolveMinutes: 4320 },
};
/** Longest SLA a setting may name: 30 days. */
export const SLA_MAX_MINUTES = 43_200;

/** A named set of accounts: account ids, or prefixes ending in `*` ("8001*": every account starting 8001). */
export interface AccountGroup {
  name: string;
  accounts: string[];
}

/** The team's settings, stored as audit rows (team_settings_changed) in either store. */
export interface TeamSettings {
  sla: SlaTargets;
  accountGroups: AccountGroup[];
}

export const DEFAULT_TEAM_SETTINGS: Readonly<TeamSettings> = { sla: DEFAULT_SLA, accountGroups: [] };

/** Roles that see every account whatever their scope says (the permission table's). */
export { UNSCOPED_ROLES } from '../api/permissions';
/** The role an overdue alert is escalated to. */
export const SLA_ESCALATION_ROLE: Role = 'supervisor';

/** The SLA stage an open alert is in: waiting to be acknowledged, then waiting to be resolved. */
export type SlaStage = 'acknowledge' | 'resolve';

export interface SlaStatus {
  stage: SlaStage;
  /** Epoch ms the stage is due. */
  dueAt: number;
  overdue: boolean;
  /** ms since the alert entered the queue. */
  ageMs: number;
}

/** Where an alert stands against its SLA at `now` (null once it is closed or dismissed). */
export function slaStatus(
  row: Pick<AlertRow, 'state' | 'severity' | 'createdAt'>,
  sla: SlaTargets,
  now: number,
): SlaStatus | null {
  if (TERMINAL_STATES.has(row.state)) return null;
  const target = sla[row.severity] ?? DEFAULT_SLA[row.severity] ?? DEFAULT_SLA.low;
  const stage: SlaStage = row.state === 'new' ? 'acknowledge' : 'resolve';
  const minutes = stage === 'acknowledge' ? target.acknowledgeMinutes : target.resolveMinutes;
  const dueAt = row.createdAt + minutes * 60_000;
  return { stage, dueAt, overdue: now > dueAt, ageMs: Math.max(0, now - row.createdAt) };
}

/** One operator's share of the open queue. */
export interface WorkloadRow {
  /** The assignee; null for the unassigned alerts. */
  operator: string | null;
  open: number;
  byState: Partial<Record<AlertRow['state'], number>>;
  overdue: number;
  /** Age in ms of the oldest open alert, 0 when none. */
  oldestAgeMs: number;
}

/** The open queue by assignee (the unassigned alerts last), busiest first. */
export function workload(rows: readonly AlertRow[], sla: SlaTargets, now: number): WorkloadRow[] {
  const byOperator = new Map<string | null, WorkloadRow>();
  for (const row of rows) {
    if (!OPEN_STATES.includes(row.state)) continue;
    let entry = byOperator.get(row.assignee);
    if (!entry) {
      entry = { operator: row.assignee, open: 0, byState: {}, overdue: 0, oldestAgeMs: 0 };
      byOperator.set(row.assignee, entry);
    }
    entry.open++;
    entry.byState[row.state] = (entry.byState[row.state] ?? 0) + 1;
    const status = slaStatus(row, sla, now);
    if (status?.overdue) entry.overdue++;
    entry.oldestAgeMs = Math.max(entry.oldestAgeMs, status?.ageMs ?? 0);
  }
  return [...byOperator.values()].sort(
    (a, b) =>
      Number(a.operator === null) - Number(b.operator === null) ||
      b.open - a.open ||
      String(a.operator).localeCompare(String(b.operator)),
  );
}

// ---- account scope ----------------------------------------------------------------------------------------------

/**
 * What an operator may see: the account patterns of their groups. null (not a scope) means every account; an empty
 * pattern list means none (a scope naming only groups that no longer exist).
 */
export interface AccountScope {
  groups: string[];
  patterns: string[];
}

/** The scope of an operator limited to `groups` (null: not limited). */
export function scopeOf(groups: readonly string[] | undefined, settings: TeamSettings): AccountScope | null {
  if (!groups || groups.length === 0) return null;
  const patterns = settings.accountGroups.filter((g) => groups.includes(g.name)).flatMap((g) => g.accounts);
  return { groups: [...groups], patterns: [...new Set(patterns)] };
}

export function accountInScope(scope: AccountScope | null, accountId: string | null | undefined): boolean {
  if (scope === null) return true;
  if (typeof accountId !== 'string' || accountId === '') return false;
  return scope.patterns.some((pattern) =>
    pattern.endsWith('*') ? accountId.startsWith(pattern.slice(0, -1)) : accountId === pattern,
  );
}

/**
 * Whether an alert is visible in `scope`: it names at least one account of the scope (a control group's alert
 * whose accounts span two scopes is both operators' client). Every rule names its accounts; an alert that names
 * none (a damaged snapshot) is left to the unscoped roles.
 */
export function alertInScope(scope: AccountScope | null, alert: Pick<AlertRow, 'accountIds'>): boolean {
  if (scope === null) return true;
  const accounts = Array.isArray(alert.accountIds) ? alert.accountIds : [];
  return accounts.some((id) => accountInScope(scope, id));
}

/** The rows of a view source an operator in `scope` may see, as a predicate (undefined: every row). */
export function scopeFilter(
  source: string,
  scope: AccountScope | null | undefined,
): ((row: object) => boolean) | undefined {
  if (!scope) return undefined;
  if (source === 'market') return undefined;
  if (source === 'alerts') return (row) => alertInScope(scope, row as Pick<AlertRow, 'accountIds'>);
  return (row) => accountInScope(scope, (row as { accountId?: string }).accountId);
}

// ---- checks of a settings change (server and window) --------------------------------------------------------------

const GROUP_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;
const ACCOUNT_PATTERN = /^[A-Za-z0-9_.-]{1,64}\*?$/;

/** Why `settings` cannot be saved (one line), or null. */
export function teamSettingsProblem(settings: TeamSettings): string | null {
  for (const severity of SEVERITIES) {
    const target = settings.sla[severity];
    if (!target) return `the SLA of ${severity} alerts is missing`;
    for (const [what, minutes] of [
      ['acknowledge', target.acknowledgeMinutes],
      ['resolve', target.resolveMinutes],
    ] as const) {
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > SLA_MAX_MINUTES) {
        return `the ${what} time of ${severity} alerts must be 1 to ${SLA_MAX_MINUTES} minutes`;
      }
    }
    if (target.resolveMinutes < target.acknowledgeMinutes) {
      return `${severity} alerts: the resolve time must not be shorter than the acknowledge time`;
    }
  }
  const names = new Set<string>();
  for (const group of settings.accountGroups) {
    if (!GROUP_NAME.test(group.name)) return `account group name "${group.name.slice(0, 64)}" is not valid`;
    if (names.has(group.name)) return `account group "${group.name}" is named twice`;
    names.add(group.name);
    const bad = group.accounts.find((pattern) => !ACCOUNT_PATTERN.test(pattern));
    if (bad !== undefined) return `account group "${group.name}": "${bad.slice(0, 64)}" is no account id or prefix*`;
  }
  return null;
}

/** Splits typed account patterns (comma, space or new line between them). */
export function parseAccountPatterns(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,，]+/)
        .map((part) => part.trim())
        .filter(Boolean),
    ),
  ];
}
