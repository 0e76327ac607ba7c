// Who may call what: one table, method name → roles, read by the server (which enforces it) and by the windows
// (which enable a button exactly when the server would accept it). Anything not in it is refused (deny by default),
// so a new API method stays unusable until someone decides who may call it (a test checks every contract method is
// here).
import { ROLES, type Role } from './methods/auth';

export { ROLES, type Role } from './methods/auth';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

const EVERYONE: readonly Role[] = ROLES;
/** Roles that act on the floor. The auditor is read-only. */
const ACTORS: readonly Role[] = ['operator', 'supervisor', 'admin'];
/** The second pair of eyes: approve account actions, change thresholds, act on other operators' work. */
export const SUPERVISORS: readonly Role[] = ['supervisor', 'admin'];
/** Read the audit trail and export it. */
const AUDIT_READERS: readonly Role[] = ['supervisor', 'admin', 'auditor'];
const ADMINS: readonly Role[] = ['admin'];
/** See every account whatever their account scope says (the others see the accounts of their groups). */
export const UNSCOPED_ROLES: readonly Role[] = ['supervisor', 'admin', 'auditor'];

/**
 * Methods callable before anyone is logged in (or while the session is locked). Each one guards itself:
 * setupAdmin only when no operator exists, login/unlock check a password.
 */
export const PUBLIC_METHODS: ReadonlySet<string> = new Set([
  'app.info',
  'auth.status',
  'auth.setupAdmin',
  'auth.login',
  'auth.resume',
]);

/** Methods a locked session may still call (to unlock, or to give up and log out). */
export const LOCKED_SESSION_METHODS: ReadonlySet<string> = new Set([
  'app.info',
  'auth.status',
  'auth.unlock',
  'auth.logout',
  'auth.lock',
]);

/**
 * Every API method (today's contract and the ones the audit/auth/four-eyes work adds) and the roles allowed.
 * Methods in PUBLIC_METHODS need no entry.
 */
export const PERMISSIONS: Readonly<Record<string, readonly Role[]>> = {
  // today's contract
  'window.open': EVERYONE,
  'link.set': EVERYONE,
  'feed.reconnect': ACTORS,
  // own session
  'auth.logout': EVERYONE,
  'auth.lock': EVERYONE,
  'auth.unlock': EVERYONE,
  'auth.touch': EVERYONE,
  'auth.changePassword': EVERYONE,
  // operator accounts
  'operators.list': ADMINS,
  'operators.create': ADMINS,
  'operators.update': ADMINS,
  'operators.resetPassword': ADMINS,
  'operators.directory': EVERYONE,
  // alerts
  'alerts.get': EVERYONE,
  'alerts.setState': ACTORS,
  'alerts.assign': ACTORS,
  'alerts.addNote': ACTORS,
  'alerts.claim': ACTORS,
  // team workflow: settings and scopes are the admin's; everyone sees the SLA and the workload
  'team.settings': EVERYONE,
  'team.updateSettings': ADMINS,
  'team.scopes': ADMINS,
  'team.setScope': ADMINS,
  'team.workload': EVERYONE,
  'cases.window': EVERYONE,
  // account actions under four eyes
  'actions.request': ACTORS,
  'actions.approve': SUPERVISORS,
  'actions.reject': SUPERVISORS,
  'actions.pending': EVERYONE,
  'actions.instructions': EVERYONE,
  // surveillance thresholds
  'thresholds.get': EVERYONE,
  'thresholds.set': SUPERVISORS,
  'rules.get': EVERYONE,
  'rules.whatIf': EVERYONE,
  'rules.adopt': SUPERVISORS,
  // account tools: one account at a glance, its client's counters against the rule thresholds
  'accounts.detail': EVERYONE,
  // grid windows' server-side views (what a role may see is the topic it may subscribe to)
  'views.open': EVERYONE,
  'views.update': EVERYONE,
  'views.rows': EVERYONE,
  'views.find': EVERYONE,
  'views.close': EVERYONE,
  'accounts.counters': EVERYONE,
  // sessions: list, open a recorded session for review, replay controls, back to live
  'sessions.list': EVERYONE,
  'sessions.open': EVERYONE,
  'sessions.live': EVERYONE,
  'replay.control': EVERYONE,
  // data exports
  'data.export': EVERYONE,
  // compliance reports (issue 8): every role; the handler allows kind 'audit' to AUDIT_READERS only
  'reports.start': EVERYONE,
  'reports.jobs': EVERYONE,
  'reports.cancel': EVERYONE,
  'reports.exports': EVERYONE,
  'reports.deliver': EVERYONE,
  // the audit trail
  'audit.verify': AUDIT_READERS,
  'audit.export': AUDIT_READERS,
  'audit.recent': AUDIT_READERS,
  // settings as resolved from the machine policy (read-only; the UI marks locked keys)
  'settings.policy': EVERYONE,
  // the workstation's own settings (settings.json): admin, audited
  'settings.update': ADMINS,
};

/** True when `role` may call `method`. A null role (nobody logged in) may call only the public methods. */
export function authorize(role: Role | null, method: string): boolean {
  if (PUBLIC_METHODS.has(method)) return true;
  if (role === null) return false;
  const allowed = Object.hasOwn(PERMISSIONS, method) ? PERMISSIONS[method] : undefined;
  return allowed !== undefined && allowed.includes(role);
}

/** True when `role` (possibly unknown yet: null) supervises: may act on what other operators started. */
export function isSupervisor(role: Role | null): boolean {
  return role !== null && SUPERVISORS.includes(role);
}

/** Every method `role` may call, for the UI (hide what the operator cannot use). */
export function methodsFor(role: Role): string[] {
  return [...PUBLIC_METHODS, ...Object.keys(PERMISSIONS).filter((method) => authorize(role, method))].sort();
}
