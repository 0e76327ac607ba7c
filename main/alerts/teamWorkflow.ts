// The team workflow on top of the alert workflow: the team settings (SLA targets per severity, account groups) and
// each operator's account scope, both kept as audit rows (team_settings_changed, operator_scope_changed) so the
// single seat's SQLite log and the team's PostgreSQL hold them alike, durable and audited; the SLA sweep that
// escalates overdue alerts to the supervisor role as the system; claiming; and the workload per operator.
// Who may see what is enforced for every method and topic in one place (main/api/accountScope.ts), from scopeOf().
import { ApiFailure, type CallerContext, type MethodHandlers } from '../api/dispatcher';
import { auditDetails, SYSTEM_ACTOR, type AuditRow } from '../store/auditLog';
import type { AuditStore } from '../store/auditStore';
import type { AccountScoping } from '../api/accountScope';
import {
  alertInScope,
  DEFAULT_TEAM_SETTINGS,
  scopeOf,
  SLA_ESCALATION_ROLE,
  slaStatus,
  teamSettingsProblem,
  UNSCOPED_ROLES,
  workload,
  type AccountScope,
  type TeamSettings,
} from '../../shared/domain/teamWorkflow';
import { SEVERITIES } from '../../shared/rules/severityLevels';
import type { OperatorScope, teamApiMethods } from '../../shared/api/methods/team';
import type { AlertWorkflow, WorkflowActor } from './workflow';
import type { ActorOf } from './handlers';
import type { Role } from '../../shared/api/methods/auth';
import type { AlertRow } from '../../shared/api/methods/alerts';

export const TEAM_AUDIT_ACTIONS = ['team_settings_changed', 'operator_scope_changed'] as const;
/** How often the SLA sweep looks for overdue alerts. */
export const SLA_SWEEP_MS = 15_000;

export interface TeamWorkflowOptions {
  audit: AuditStore;
  workflow: AlertWorkflow;
  actorOf: ActorOf;
  /** An enabled operator's role, or null (no such operator, or disabled). */
  operatorRole?: (username: string) => Promise<Role | null>;
  /** Ends an operator's sessions: a changed scope takes effect at their next login, with fresh windows. */
  endSessionsOf?: (username: string) => Promise<void>;
  clock?: () => number;
  log?: (line: string) => void;
  /** Sweep period; 0: no timer (tests call sweepSla()). */
  sweepMs?: number;
}

export class TeamWorkflow implements AccountScoping {
  private settings: TeamSettings = structuredClone(DEFAULT_TEAM_SETTINGS) as TeamSettings;
  private readonly scopes = new Map<string, string[]>();
  private readonly clock: () => number;
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<number> | null = null;
  /** Alerts the sweep already escalated (rebuilt from their history: a system escalation). */
  private readonly escalated = new Set<string>();

  static async open(options: TeamWorkflowOptions): Promise<TeamWorkflow> {
    const team = new TeamWorkflow(options);
    for (const row of await options.audit.readRows({ actions: TEAM_AUDIT_ACTIONS })) team.applyAuditRow(row);
    team.start(options.sweepMs ?? SLA_SWEEP_MS);
    return team;
  }

  private constructor(private readonly options: TeamWorkflowOptions) {
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? (() => {});
  }

  // ---- settings and scopes ----------------------------------------------------------------------------------------

  teamSettings(): TeamSettings {
    return structuredClone(this.settings);
  }

  /** The scope of an operator with `role` (null: every account). */
  scopeOfOperator(username: string, role: string): AccountScope | null {
    if ((UNSCOPED_ROLES as readonly string[]).includes(role)) return null;
    return scopeOf(this.scopes.get(username), this.settings);
  }

  /** The scope of the operator behind a call; a caller with no session sees no account at all. */
  scopeOf(caller: CallerContext): AccountScope | null {
    let actor: WorkflowActor;
    try {
      actor = this.options.actorOf(caller);
    } catch {
      return { groups: [], patterns: [] };
    }
    if (actor.operator === SYSTEM_ACTOR.operator) return null;
    return this.scopeOfOperator(actor.operator, actor.role);
  }

  /** An alert of the live queue (the scoping checks an alert named by a call before it runs). */
  alert(id: string): AlertRow | null {
    return this.options.workflow.row(id);
  }

  operatorScopes(): OperatorScope[] {
    return [...this.scopes].map(([username, groups]) => ({ username, groups: [...groups] }));
  }

  async updateSettings(actor: WorkflowActor, settings: TeamSettings, reason = ''): Promise<TeamSettings> {
    const clean: TeamSettings = {
      sla: Object.fromEntries(SEVERITIES.map((s) => [s, { ...settings.sla[s] }])) as TeamSettings['sla'],
      accountGroups: settings.accountGroups.map((g) => ({ name: g.name.trim(), accounts: [...new Set(g.accounts)] })),
    };
    const problem = teamSettingsProblem(clean);
    if (problem) throw new ApiFailure('bad_arguments', problem);
    const row = await this.options.audit.append({
      operator: actor.operator,
      role: actor.role,
      action: 'team_settings_changed',
      target: 'team:settings',
      details: { settings: clean, previous: this.settings },
      reason: reason.trim(),
    });
    const groupsBefore = JSON.stringify(this.settings.accountGroups);
    this.applyAuditRow(row);
    // What a scoped operator may see changed with the groups: their windows start again from a new login.
    if (JSON.stringify(this.settings.accountGroups) !== groupsBefore) {
      for (const username of this.scopes.keys()) {
        const role = (await this.options.operatorRole?.(username)) ?? 'operator';
        if (!(UNSCOPED_ROLES as readonly string[]).includes(role)) await this.options.endSessionsOf?.(username);
      }
    }
    return this.teamSettings();
  }

  async setScope(actor: WorkflowActor, username: string, groups: readonly string[]): Promise<OperatorScope> {
    const unique = [...new Set(groups.map((g) => g.trim()))];
    const unknown = unique.filter((g) => !this.settings.accountGroups.some((known) => known.name === g));
    if (unknown.length > 0) {
      throw new ApiFailure('bad_arguments', `no account group ${unknown.map((g) => `"${g}"`).join(', ')}`);
    }
    if (this.options.operatorRole && (await this.options.operatorRole(username)) === null) {
      throw new ApiFailure('bad_arguments', `no enabled operator "${username.slice(0, 64)}"`);
    }
    const row = await this.options.audit.append({
      operator: actor.operator,
      role: actor.role,
      action: 'operator_scope_changed',
      target: `operator:${username}`,
      details: { username, groups: unique, previous: this.scopes.get(username) ?? [] },
    });
    this.applyAuditRow(row);
    await this.options.endSessionsOf?.(username);
    return { username, groups: unique };
  }

  /**
   * Rows another server on the same database recorded (and this server's own, which the follower hands back too):
   * settings and scopes follow them, and an operator whose scope changed logs in again here as well.
   */
  applyAuditRows(rows: readonly AuditRow[]): void {
    for (const row of rows) {
      if (!(TEAM_AUDIT_ACTIONS as readonly string[]).includes(row.action)) continue;
      this.applyAuditRow(row);
      const username = auditDetails(row).username;
      if (row.action === 'operator_scope_changed' && typeof username === 'string') {
        this.options.endSessionsOf?.(username)?.catch((error: unknown) => {
          this.log(`team: could not end the sessions of ${username}: ${(error as Error).message}`);
        });
      }
    }
  }

  /** Applies a team_settings_changed or operator_scope_changed row (at start, after a write, or another server's). */
  applyAuditRow(row: AuditRow): void {
    const details = auditDetails(row);
    if (row.action === 'team_settings_changed') {
      const settings = details.settings as TeamSettings | undefined;
      if (settings && typeof settings === 'object' && teamSettingsProblem(settings) === null) this.settings = settings;
      else this.log(`team: audit row ${row.id} holds settings that do not check out; kept the previous ones`);
    } else if (row.action === 'operator_scope_changed' && typeof details.username === 'string') {
      const groups = Array.isArray(details.groups) ? details.groups.filter((g) => typeof g === 'string') : [];
      if (groups.length > 0) this.scopes.set(details.username, groups);
      else this.scopes.delete(details.username);
    }
  }

  // ---- SLA -------------------------------------------------------------------------------------------------------

  /**
   * Escalates each open alert that is overdue (and was not escalated by the sweep before) to the supervisor role,
   * as the system, with the SLA it missed as the reason. Resolves with the number escalated.
   */
  sweepSla(): Promise<number> {
    this.sweeping ??= this.sweep().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweep(): Promise<number> {
    const now = this.clock();
    let count = 0;
    for (const row of this.options.workflow.rows()) {
      if (row.state === 'escalated' || this.escalated.has(row.id)) continue;
      const status = slaStatus(row, this.settings.sla, now);
      if (!status?.overdue) continue;
      if (this.options.workflow.get(row.id).history.some((h) => h.operator === SYSTEM_ACTOR.operator)) {
        this.escalated.add(row.id);
        continue;
      }
      const target = this.settings.sla[row.severity];
      const minutes = status.stage === 'acknowledge' ? target.acknowledgeMinutes : target.resolveMinutes;
      const missed = status.stage === 'acknowledge' ? 'acknowledged' : 'resolved';
      try {
        await this.options.workflow.setState(
          { ...SYSTEM_ACTOR },
          {
            id: row.id,
            state: 'escalated',
            target: { kind: 'role', id: SLA_ESCALATION_ROLE },
            reason: `SLA: a ${row.severity} alert not ${missed} within ${minutes} min`,
          },
        );
        this.escalated.add(row.id);
        count++;
      } catch (error) {
        // Someone moved it first (or the store is down): the next sweep looks again.
        this.log(`team: SLA escalation of ${row.id} not recorded: ${(error as Error).message}`);
      }
    }
    return count;
  }

  private start(sweepMs: number): void {
    if (sweepMs <= 0) return;
    this.timer = setInterval(() => void this.sweepSla(), sweepMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  // ---- API --------------------------------------------------------------------------------------------------------

  /** An alert handed to an operator (assigned, escalated to them) must be one they may see. */
  private async requireOperatorSees(username: string, alertId: string): Promise<void> {
    const row = this.options.workflow.row(alertId);
    if (!row || !this.options.operatorRole) return;
    const role = await this.options.operatorRole(username);
    if (role === null) throw new ApiFailure('bad_arguments', `no enabled operator "${username.slice(0, 64)}"`);
    if (!alertInScope(this.scopeOfOperator(username, role), row)) {
      throw new ApiFailure('bad_arguments', `${username} may not see the accounts of alert ${alertId}`);
    }
  }

  readonly handlers: Pick<MethodHandlers, keyof typeof teamApiMethods | 'alerts.assign' | 'alerts.setState'> = {
    'alerts.claim': (args, caller) => this.options.workflow.claim(this.options.actorOf(caller), args),
    'alerts.assign': async (args, caller) => {
      if (args.assignee !== null) await this.requireOperatorSees(args.assignee, args.id);
      return this.options.workflow.assign(this.options.actorOf(caller), args);
    },
    'alerts.setState': async (args, caller) => {
      if (args.state === 'escalated' && args.target?.kind === 'operator') {
        await this.requireOperatorSees(args.target.id, args.id);
      }
      return this.options.workflow.setState(this.options.actorOf(caller), args);
    },
    'team.settings': () => this.teamSettings(),
    'team.updateSettings': (args, caller) =>
      this.updateSettings(this.options.actorOf(caller), args.settings as TeamSettings, args.reason),
    'team.scopes': () => this.operatorScopes(),
    'team.setScope': (args, caller) => this.setScope(this.options.actorOf(caller), args.username, args.groups),
    'team.workload': (_args, caller) => {
      const scope = this.scopeOf(caller);
      const visible = this.options.workflow.rows().filter((row) => alertInScope(scope, row));
      const at = this.clock();
      return { at, rows: workload(visible, this.settings.sla, at) };
    },
  };
}
