// The alert workflow (its moves: shared/domain/alertWorkflow.ts), with an assignee, notes and escalation targets.
// The audit log is the store: every creation, transition, assignment and note is an audit row
// written (durably) before the call resolves, and the workflow is rebuilt from those rows at start (open()) — so what
// the windows show and what the audit trail says can never disagree (the same design as AccountActionBook).
// The log is an AuditStore (SQLite file or team PostgreSQL): writes are asynchronous, so they run one at a time in
// arrival order, and each move is checked against the state left by the write before it.
//
// The raw alerts come from the core's rule engine (topic `alerts`); this class merges them with their workflow and
// serves the merged rows as the `alerts` topic.
import { TopicHub } from '../api/topicHub';
import { ApiFailure, type TopicSource } from '../api/dispatcher';
import { auditDetails, SYSTEM_ACTOR, type AuditEntry, type AuditRow } from '../store/auditLog';
import { AuditConflictError, type AuditAppendGuard, type AuditStore, type SharedAuditChain } from '../store/auditStore';
import { WriteQueue } from '../util/writeQueue';
import type { TopicName, TopicUpdate } from '../../shared/api/contract';
import {
  ALERT_STATES,
  type AlertHistoryEntry,
  type AlertNote,
  type AlertRow,
  type AlertState,
} from '../../shared/api/methods/alerts';
import type { Alert } from '../../shared/rules/types';
import { TERMINAL_STATES, transitionProblem, type EscalationTarget } from '../../shared/domain/alertWorkflow';

/** Who acts: an operator and their role (or the system). */
export interface WorkflowActor {
  operator: string;
  role: string;
}

export { ALERT_TRANSITIONS, TERMINAL_STATES } from '../../shared/domain/alertWorkflow';

const WORKFLOW_ACTIONS = ['alert_created', 'alert_state_changed', 'note_added'] as const;
const REASON_MAX = 4000;
const NOTE_MAX = 4000;
const ASSIGNEE_MAX = 64;

interface WorkflowRecord {
  id: string;
  /** Latest alert from the core in this run, else the snapshot recorded at creation (after a restart). */
  alert: Alert;
  firstTs: number;
  /** Seq of the message that raised the alert: its latest counted message when it was first seen. */
  firedSeq: number;
  /** True once the core sent the alert in this run. */
  live: boolean;
  state: AlertState;
  assignee: string | null;
  notes: AlertNote[];
  history: AlertHistoryEntry[];
  escalatedTo: EscalationTarget | null;
  /** The newest alert_state_changed row (a move or an assignment): what a conflicting writer is told about. */
  lastChange: AuditRow | null;
  createdAt: number;
  updatedAt: number;
}

export interface AlertWorkflowOptions {
  audit: AuditStore;
  /** Epoch ms, for the rows' updatedAt of merged raw updates (the audit rows carry their own time). */
  clock?: () => number;
  /** Where problems go (an alert_created row that could not be written, an unreadable audit row). */
  log?: (line: string) => void;
  /** Whether an escalation may name this operator (an enabled account); absent: any name. */
  isOperator?: (username: string) => boolean | Promise<boolean>;
  /**
   * On a log other servers append to: every row (this workflow's own too) is applied through it, in chain order, and
   * the rows it applies reach this workflow by applyRows(). Absent: this workflow is the log's only writer.
   */
  shared?: SharedAuditChain;
}

const isState = (value: unknown): value is AlertState =>
  typeof value === 'string' && (ALERT_STATES as readonly string[]).includes(value);

export class AlertWorkflow implements TopicSource {
  private readonly audit: AuditStore;
  private readonly clock: () => number;
  private readonly log: (line: string) => void;
  private readonly isOperator: (username: string) => boolean | Promise<boolean>;
  private readonly shared: SharedAuditChain | null;
  /** The newest audit row applied: a row at or before it is never applied twice. */
  private appliedThrough = 0;
  private readonly writes = new WriteQueue();
  private readonly records = new Map<string, WorkflowRecord>();
  private readonly hub = new TopicHub();
  private detach: (() => void) | null = null;
  /** Audit rows that did not fit the workflow when replayed (only after a hand edit). */
  readonly replayProblems: string[] = [];

  /** The workflow rebuilt from the audit log's workflow rows. */
  static async open(options: AlertWorkflowOptions): Promise<AlertWorkflow> {
    return AlertWorkflow.fromRows(options, await options.audit.readRows({ actions: WORKFLOW_ACTIONS }));
  }

  /** The workflow rebuilt from audit rows already read (other rows are skipped). */
  static fromRows(options: AlertWorkflowOptions, rows: readonly AuditRow[]): AlertWorkflow {
    return new AlertWorkflow(
      options,
      rows.filter((row) => (WORKFLOW_ACTIONS as readonly string[]).includes(row.action)),
    );
  }

  private constructor(options: AlertWorkflowOptions, rows: readonly AuditRow[]) {
    this.audit = options.audit;
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? (() => {});
    this.isOperator = options.isOperator ?? (() => true);
    this.shared = options.shared ?? null;
    for (const row of rows) {
      if (row.target.startsWith('alert:')) this.replay(row);
      this.appliedThrough = Math.max(this.appliedThrough, row.id);
    }
    // Alerts rebuilt from the log that are still being worked on are shown until the core sends them again.
    const open = [...this.records.values()].filter((r) => !TERMINAL_STATES.has(r.state)).map((r) => this.rowOf(r));
    const now = this.clock();
    this.hub.publish({ topic: 'alerts', snapshot: true, rows: open, removed: [], at: now, sourceTs: 0 });
  }

  // ---- topic -------------------------------------------------------------------------------------------------

  subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void): () => void {
    return this.hub.subscribe(topic, listener);
  }

  /** Follows the raw alerts of `source` (the core's `alerts` topic). Replaces an earlier source. */
  attach(source: TopicSource): void {
    this.detach?.();
    this.detach = source.subscribe('alerts', (update) => void this.ingest(update.rows, update.sourceTs));
  }

  /** Resolves when the raw alerts and actions received so far are audited and published. */
  settled(): Promise<void> {
    return this.writes.idle();
  }

  /** Stops following the core; resolves when the writes already asked for are done. */
  async stop(): Promise<void> {
    this.detach?.();
    this.detach = null;
    await this.writes.idle();
  }

  /**
   * Merges raw alerts (from the rule engine) with their workflow and publishes the changed rows. A new alert id is
   * audited once as alert_created (one transaction for the batch) before it is shown. Resolves once published.
   */
  ingest(alerts: readonly (Alert | AlertRow)[], sourceTs = 0): Promise<void> {
    if (alerts.length === 0) return Promise.resolve();
    return this.writes.run(() => this.merge(alerts, sourceTs));
  }

  private async merge(alerts: readonly (Alert | AlertRow)[], sourceTs: number): Promise<void> {
    const fresh = alerts.filter((a) => !this.records.has(a.id));
    // The same id twice in one batch is created once.
    const unique = [...new Map(fresh.map((a) => [a.id, a])).values()];
    if (unique.length > 0) {
      try {
        // Another server's core may have raised the same alert first: its creation row stands, this one is left out.
        const rows = await this.audit.appendBatch(
          unique.map((a) => creationEntry(a)),
          { once: true },
        );
        await this.applyAppended(rows);
      } catch (error) {
        // Shown anyway (an alert must never be hidden); its creation is retried with its next update.
        this.log(`alerts: could not audit ${unique.length} new alert(s): ${(error as Error).message}`);
      }
    }
    const changed: AlertRow[] = [];
    for (const raw of alerts) {
      const alert = stripWorkflow(raw);
      const record = this.records.get(alert.id);
      if (!record) {
        changed.push({ ...alert, ...defaultWorkflow(this.clock(), firstTsOf(raw)), firedSeq: alert.lastSeq });
        continue;
      }
      record.alert = alert;
      record.live = true;
      const ts = firstTsOf(raw);
      if (ts > 0) record.firstTs = ts;
      changed.push(this.rowOf(record));
    }
    this.publish(changed, sourceTs);
  }

  // ---- reads -------------------------------------------------------------------------------------------------

  /** One alert with its notes and history; throws a clear ApiFailure for an unknown id. */
  get(id: string): { alert: AlertRow; notes: AlertNote[]; history: AlertHistoryEntry[] } {
    const record = this.require(id);
    return {
      alert: this.rowOf(record),
      notes: structuredClone(record.notes),
      history: structuredClone(record.history),
    };
  }

  /** The merged row of an alert, or null. */
  row(id: string): AlertRow | null {
    const record = this.records.get(id);
    return record ? this.rowOf(record) : null;
  }

  /** Every alert the workflow knows (this run's and the ones rebuilt from the log). */
  rows(): AlertRow[] {
    return [...this.records.values()].map((r) => this.rowOf(r));
  }

  // ---- operator actions (durable before they return) ---------------------------------------------------------

  /**
   * A move of the workflow (shared/domain/alertWorkflow.ts). Acknowledging an alert nobody owns assigns it to the
   * acting operator: both rows go to the audit log in one transaction, so neither is shown without the other.
   */
  setState(
    actor: WorkflowActor,
    args: { id: string; state: AlertState; reason?: string; target?: EscalationTarget },
  ): Promise<AlertRow> {
    return this.writes.run(() => this.applyState(actor, args));
  }

  private async applyState(
    actor: WorkflowActor,
    args: { id: string; state: AlertState; reason?: string; target?: EscalationTarget },
  ): Promise<AlertRow> {
    const record = this.require(args.id);
    const from = record.state;
    const to = args.state;
    if (!isState(to)) throw new ApiFailure('bad_arguments', `unknown alert state "${String(to)}"`);
    const reason = cleanText(args.reason ?? '', REASON_MAX, 'a reason');
    const target = to === 'escalated' ? (args.target ?? null) : null;
    const problem = transitionProblem(from, to, reason, target);
    if (problem) {
      const last = record.lastChange ? ` (${changeSummary(record.lastChange, record)})` : '';
      throw new ApiFailure('bad_arguments', `alert ${args.id}: ${problem}${last}`);
    }
    if (target?.kind === 'operator' && !(await this.isOperator(target.id))) {
      throw new ApiFailure('bad_arguments', `no enabled operator "${target.id.slice(0, 64)}" to escalate to`);
    }
    const entries: AuditEntry[] = [
      this.entry(
        actor,
        record,
        'alert_state_changed',
        { alertId: record.id, from, to, ...(target ? { target } : {}) },
        reason,
      ),
    ];
    const takesOwnership =
      to === 'acknowledged' && record.assignee === null && actor.operator !== SYSTEM_ACTOR.operator;
    if (takesOwnership) entries.push(this.assignEntry(actor, record, to, actor.operator));
    return this.recordChange(entries, record);
  }

  assign(actor: WorkflowActor, args: { id: string; assignee: string | null }): Promise<AlertRow> {
    return this.writes.run(async () => {
      const record = this.require(args.id);
      const assignee = args.assignee === null ? null : cleanText(args.assignee, ASSIGNEE_MAX, 'an assignee');
      if (assignee === '') throw new ApiFailure('bad_arguments', 'an assignee must not be blank (null unassigns)');
      if (assignee === record.assignee) return this.rowOf(record);
      return this.recordChange([this.assignEntry(actor, record, record.state, assignee)], record);
    });
  }

  /**
   * Takes an unassigned alert for `actor`. Checked against the state left by the write before it, so of two claims
   * at once one wins and the other is told who holds the alert (`conflict`).
   */
  claim(actor: WorkflowActor, args: { id: string }): Promise<AlertRow> {
    return this.writes.run(async () => {
      const record = this.require(args.id);
      if (record.assignee === actor.operator) return this.rowOf(record);
      if (record.assignee !== null) {
        throw new ApiFailure('conflict', `alert ${args.id} is already claimed by ${record.assignee}`);
      }
      if (TERMINAL_STATES.has(record.state)) {
        throw new ApiFailure('bad_arguments', `alert ${args.id} is ${record.state}: reopen it before claiming it`);
      }
      return this.recordAll([this.assignEntry(actor, record, record.state, actor.operator)], record);
    });
  }

  addNote(actor: WorkflowActor, args: { id: string; text: string }): Promise<AlertRow> {
    return this.writes.run(async () => {
      const record = this.require(args.id);
      const text = cleanText(args.text, NOTE_MAX, 'a note');
      if (text.length === 0) throw new ApiFailure('bad_arguments', 'a note must not be empty');
      return this.recordAll([this.entry(actor, record, 'note_added', { alertId: record.id, text }, '')], record);
    });
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private require(id: string): WorkflowRecord {
    const record = this.records.get(id);
    if (!record) throw new ApiFailure('bad_arguments', `no alert "${id.slice(0, 256)}" on this workstation`);
    return record;
  }

  private entry(
    actor: WorkflowActor,
    record: WorkflowRecord,
    action: 'alert_state_changed' | 'note_added',
    details: Record<string, unknown>,
    reason: string,
  ): AuditEntry {
    return { operator: actor.operator, role: actor.role, action, target: `alert:${record.id}`, details, reason };
  }

  /** An assignment: a workflow change whose state stays the same (`state` is the state it is recorded in). */
  private assignEntry(
    actor: WorkflowActor,
    record: WorkflowRecord,
    state: AlertState,
    assignee: string | null,
  ): AuditEntry {
    const details = {
      alertId: record.id,
      change: 'assign',
      from: state,
      to: state,
      assignee,
      previous: record.assignee,
    };
    return this.entry(actor, record, 'alert_state_changed', details, '');
  }

  /**
   * A move or an assignment: recorded only if no other move or assignment of the alert was recorded since the one
   * this workflow has seen (checked by the log inside the append, so two servers cannot both act on one state).
   * The loser is told who did what, and its workflow catches up with the winner's row.
   */
  private async recordChange(entries: AuditEntry[], record: WorkflowRecord): Promise<AlertRow> {
    const guard = {
      unchangedSince: {
        target: `alert:${record.id}`,
        actions: ['alert_state_changed'],
        afterId: record.lastChange?.id ?? 0,
      },
    };
    try {
      return await this.recordAll(entries, record, guard);
    } catch (error) {
      if (!(error instanceof AuditConflictError)) throw error;
      await this.shared?.catchUp(error.row.id).catch(() => undefined);
      throw new ApiFailure('conflict', `${changeSummary(error.row, record)}; your change was not recorded`);
    }
  }

  /** Appends the audit rows in one transaction (durable when it resolves), then applies them as a replay would. */
  private async recordAll(entries: AuditEntry[], record: WorkflowRecord, guard?: AuditAppendGuard): Promise<AlertRow> {
    await this.applyAppended(await this.audit.appendBatch(entries, guard));
    return this.rowOf(record);
  }

  /** This workflow's own rows: on a shared log through it (with every row before them), else directly. */
  private async applyAppended(rows: readonly AuditRow[]): Promise<void> {
    if (!this.shared) {
      this.applyRows(rows);
      return;
    }
    // With nothing written (all recorded already), what the others wrote is read instead.
    await this.shared.catchUp(rows.length > 0 ? rows[rows.length - 1]!.id : 0);
  }

  /**
   * Applies audit rows in chain order (others are skipped; a row applied already is not applied again) and
   * publishes the alerts they changed: the rows of this workflow's own actions, or of other servers on a shared log.
   */
  applyRows(rows: readonly AuditRow[]): void {
    const changed = new Set<WorkflowRecord>();
    for (const row of rows) {
      if (row.id <= this.appliedThrough) continue;
      this.appliedThrough = row.id;
      if (!(WORKFLOW_ACTIONS as readonly string[]).includes(row.action) || !row.target.startsWith('alert:')) continue;
      const record = this.replay(row);
      if (record) changed.add(record);
    }
    this.publish(
      [...changed].map((record) => this.rowOf(record)),
      0,
    );
  }

  /** Applies one audit row to the workflow; returns the alert it changed. */
  private replay(row: AuditRow): WorkflowRecord | null {
    const details = auditDetails(row);
    const id = typeof details.alertId === 'string' ? details.alertId : row.target.slice('alert:'.length);
    if (row.action === 'alert_created') {
      if (this.records.has(id)) {
        this.replayProblems.push(`audit row ${row.id}: alert ${id} created twice`);
        return null;
      }
      const alert = snapshotOf(details.alert, id);
      const created: WorkflowRecord = {
        id,
        alert,
        firstTs: typeof details.firstTs === 'number' ? details.firstTs : 0,
        firedSeq: alert.lastSeq,
        live: false,
        state: 'new',
        assignee: null,
        notes: [],
        history: [],
        escalatedTo: null,
        lastChange: null,
        createdAt: row.time,
        updatedAt: row.time,
      };
      this.records.set(id, created);
      return created;
    }
    const record = this.records.get(id);
    if (!record) {
      this.replayProblems.push(`audit row ${row.id}: ${row.action} for an alert never created (${id})`);
      return null;
    }
    record.updatedAt = row.time;
    if (row.action === 'note_added') {
      record.notes.push({ at: row.time, operator: row.operator, text: String(details.text ?? '') });
      return record;
    }
    record.lastChange = row;
    if (details.change === 'assign') {
      record.assignee = typeof details.assignee === 'string' ? details.assignee : null;
      return record;
    }
    const to = details.to;
    if (!isState(to)) {
      this.replayProblems.push(`audit row ${row.id}: unknown state ${JSON.stringify(to)}`);
      return record;
    }
    if (details.from !== record.state) {
      this.replayProblems.push(`audit row ${row.id}: ${id} was ${record.state}, the row says ${String(details.from)}`);
    }
    const target = escalationTargetOf(details.target);
    record.history.push({
      at: row.time,
      operator: row.operator,
      from: record.state,
      to,
      reason: row.reason || null,
      ...(target ? { target } : {}),
    });
    if (to === 'escalated') record.escalatedTo = target;
    record.state = to;
    return record;
  }

  private rowOf(record: WorkflowRecord): AlertRow {
    return {
      ...record.alert,
      state: record.state,
      assignee: record.assignee,
      escalatedTo: record.escalatedTo,
      notes: record.notes.length,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      firstTs: record.firstTs,
      firedSeq: record.firedSeq,
    };
  }

  private publish(rows: AlertRow[], sourceTs: number): void {
    if (rows.length === 0) return;
    this.hub.publish({ topic: 'alerts', snapshot: false, rows, removed: [], at: this.clock(), sourceTs });
  }
}

/**
 * "alert X was acknowledged by alice at 10:31:02" (the server's local time): who changed an alert last. An
 * assignment written with a move (acknowledging takes ownership) is told as the move.
 */
function changeSummary(row: AuditRow, record: WorkflowRecord): string {
  const details = auditDetails(row);
  const id = typeof details.alertId === 'string' ? details.alertId : row.target.slice('alert:'.length);
  const move = record.history[record.history.length - 1];
  const withMove = move && move.at === row.time && move.operator === row.operator ? move : null;
  const what =
    details.change !== 'assign'
      ? stateVerb(details.to)
      : withMove
        ? stateVerb(withMove.to)
        : typeof details.assignee === 'string'
          ? `assigned to ${details.assignee}`
          : 'unassigned';
  const at = new Date(row.time).toTimeString().slice(0, 8);
  return `alert ${id} was ${what} by ${row.operator} at ${at}`;
}

function stateVerb(state: unknown): string {
  return state === 'new' ? 'reopened' : String(state);
}

function creationEntry(alert: Alert | AlertRow): AuditEntry {
  const snapshot = stripWorkflow(alert);
  return {
    ...SYSTEM_ACTOR,
    action: 'alert_created',
    target: `alert:${alert.id}`,
    details: { alertId: alert.id, rule: alert.rule, firstTs: firstTsOf(alert), alert: snapshot },
  };
}

/** The engine's alert without the workflow fields a core row may carry. */
function stripWorkflow(row: Alert | AlertRow): Alert {
  const copy = { ...row } as Partial<AlertRow>;
  delete copy.state;
  delete copy.assignee;
  delete copy.notes;
  delete copy.createdAt;
  delete copy.updatedAt;
  delete copy.firstTs;
  delete copy.escalatedTo;
  delete copy.firedSeq;
  return copy as Alert;
}

function firstTsOf(row: Alert | AlertRow): number {
  const ts = (row as Partial<AlertRow>).firstTs;
  return typeof ts === 'number' ? ts : 0;
}

function defaultWorkflow(now: number, firstTs: number) {
  return {
    state: 'new' as const,
    assignee: null,
    escalatedTo: null,
    notes: 0,
    createdAt: now,
    updatedAt: now,
    firstTs,
  };
}

/** The alert recorded at creation; a damaged snapshot still yields a row that names the id. */
function snapshotOf(value: unknown, id: string): Alert {
  const base: Alert = {
    id,
    rule: 'self_trade',
    subjectType: 'account',
    subjectId: '',
    accountIds: [],
    instrumentId: null,
    exchange: null,
    severity: 'low',
    score: 0,
    firstSeq: 0,
    lastSeq: 0,
    count: null,
    threshold: null,
    tradingDay: '',
    message: '',
    messageZh: '',
    evidence: [],
    metrics: {},
  };
  return value !== null && typeof value === 'object' ? { ...base, ...(value as Partial<Alert>), id } : base;
}

function cleanText(value: string, max: number, what: string): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (trimmed.length > max) throw new ApiFailure('bad_arguments', `${what} may have at most ${max} characters`);
  return trimmed;
}

function escalationTargetOf(value: unknown): EscalationTarget | null {
  if (value === null || typeof value !== 'object') return null;
  const { kind, id } = value as Record<string, unknown>;
  return (kind === 'operator' || kind === 'role') && typeof id === 'string' ? { kind, id } : null;
}
