// The alert workflow: every transition, assignment and note is an audit row that is on disk when the call returns;
// illegal transitions and closing without a rationale are refused; the workflow is rebuilt from the audit log.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../main/api/dispatcher';
import { AlertWorkflow, ALERT_TRANSITIONS } from '../../main/alerts/workflow';
import { AuditLog } from '../../main/store/auditLog';
import { SqliteAuditStore } from '../../main/store/auditStore';
import { ALERT_STATES, type AlertRow } from '../../shared/api/methods/alerts';
import { needsReason, OPEN_STATES, stateOfVerb, transitionProblem, verbsFrom } from '../../shared/domain/alertWorkflow';
import type { TopicUpdate } from '../../shared/api/contract';
import type { Alert } from '../../shared/rules/types';

let dir: string;
let auditFile: string;
let audit: AuditLog;
const open: AuditLog[] = [];
const LI = { operator: 'li.wei', role: 'operator' };
const ZHAO = { operator: 'zhao.min', role: 'supervisor' };
const SUPERVISORS = { kind: 'role', id: 'supervisor' } as const;

function alert(id: string, extra: Partial<Alert> = {}): Alert {
  return {
    id,
    rule: 'self_trade',
    subjectType: 'account',
    subjectId: 'A1',
    accountIds: ['A1'],
    instrumentId: 'rb2605',
    exchange: 'SHFE',
    severity: 'high',
    score: 80,
    firstSeq: 10,
    lastSeq: 50,
    count: 5,
    threshold: 5,
    tradingDay: '20261124',
    message: '5 self-trades on rb2605 today (threshold 5)',
    messageZh: 'rb2605 今日自成交 5 次（阈值 5）',
    evidence: [10, 20, 30, 40, 50],
    metrics: {},
    ...extra,
  };
}

/** A second, independent connection: sees only what is committed to the file. */
function rowsOnDisk(actions?: string[]) {
  const reader = AuditLog.open(auditFile, { readonly: true });
  try {
    return reader.readRows(actions ? { actions } : {});
  } finally {
    reader.close();
  }
}

/** The workflow on the test's SQLite audit log, rebuilt from it. */
function openWorkflow(options: Omit<Parameters<typeof AlertWorkflow.open>[0], 'audit'> = {}): Promise<AlertWorkflow> {
  return AlertWorkflow.open({ audit: new SqliteAuditStore(audit), ...options });
}

async function refused(fn: () => unknown, code: string, message: RegExp): Promise<void> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiFailure);
    expect((error as ApiFailure).code).toBe(code);
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a refusal');
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-workflow-'));
  auditFile = path.join(dir, 'audit.sqlite');
  audit = AuditLog.open(auditFile);
  open.push(audit);
});
afterEach(() => {
  for (const log of open.splice(0)) log.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AlertWorkflow', () => {
  it('audits each new alert once, as the system, and shows it as new', async () => {
    const workflow = await openWorkflow();
    const updates: TopicUpdate<'alerts'>[] = [];
    workflow.subscribe('alerts', (u) => updates.push(u));
    await workflow.ingest([alert('a1'), alert('a2')]);
    await workflow.ingest([alert('a1', { count: 6, lastSeq: 60 })]);
    const created = rowsOnDisk(['alert_created']);
    expect(created.map((r) => r.target)).toEqual(['alert:a1', 'alert:a2']);
    expect(created[0]).toMatchObject({ operator: 'system', role: 'system' });
    const latest = updates.at(-1)!.rows[0]!;
    expect(latest).toMatchObject({ id: 'a1', count: 6, state: 'new', assignee: null, notes: 0 });
    expect(workflow.rows()).toHaveLength(2);
  });

  it('walks new → acknowledged → investigating → closed, each step on disk before the call returns', async () => {
    const workflow = await openWorkflow();
    await workflow.ingest([alert('a1')]);
    const steps: [string, string | undefined][] = [
      ['acknowledged', undefined],
      ['investigating', undefined],
      ['closed', 'client confirmed the two accounts are one desk; reported'],
    ];
    for (const [state, reason] of steps) {
      const row = await workflow.setState(LI, { id: 'a1', state: state as AlertRow['state'], reason });
      expect(row.state).toBe(state);
      const last = rowsOnDisk(['alert_state_changed']).at(-1)!;
      expect(last).toMatchObject({ operator: 'li.wei', role: 'operator', target: 'alert:a1', reason: reason ?? '' });
      expect(JSON.parse(last.details)).toMatchObject({ to: state });
    }
    const { history } = workflow.get('a1');
    expect(history.map((h) => `${h.from}>${h.to}`)).toEqual([
      'new>acknowledged',
      'acknowledged>investigating',
      'investigating>closed',
    ]);
  });

  it('refuses an illegal transition and names the allowed ones; nothing is audited', async () => {
    const workflow = await openWorkflow();
    await workflow.ingest([alert('a1')]);
    const before = rowsOnDisk().length;
    await refused(() => workflow.setState(LI, { id: 'a1', state: 'new' }), 'bad_arguments', /already new/);
    expect(rowsOnDisk()).toHaveLength(before);
    await workflow.setState(LI, { id: 'a1', state: 'closed', reason: 'x' });
    const closed = rowsOnDisk().length;
    await refused(
      () => workflow.setState(LI, { id: 'a1', state: 'acknowledged' }),
      'bad_arguments',
      /from closed to acknowledged \(from closed: investigating\)/,
    );
    expect(rowsOnDisk()).toHaveLength(closed);
    // every pair outside the table is refused, from every state
    const pathTo: Record<string, AlertRow['state'][]> = {
      new: [],
      acknowledged: ['acknowledged'],
      investigating: ['acknowledged', 'investigating'],
      escalated: ['escalated'],
      dismissed: ['dismissed'],
      closed: ['acknowledged', 'closed'],
    };
    let illegal = 0;
    for (const from of ALERT_STATES) {
      const id = `p-${from}`;
      await workflow.ingest([alert(id)]);
      for (const step of pathTo[from]!)
        await workflow.setState(LI, { id, state: step, reason: 'r', target: SUPERVISORS });
      expect(workflow.row(id)!.state).toBe(from);
      for (const to of ALERT_STATES) {
        if (from === to || ALERT_TRANSITIONS[from].includes(to)) continue;
        illegal++;
        await refused(() => workflow.setState(LI, { id, state: to, reason: 'r' }), 'bad_arguments', /cannot go from/);
      }
    }
    expect(illegal).toBeGreaterThan(10);
  });

  it('refuses closing or dismissing without a rationale, and reopening without a reason', async () => {
    const workflow = await openWorkflow();
    await workflow.ingest([alert('a1')]);
    await workflow.setState(LI, { id: 'a1', state: 'acknowledged' });
    await refused(
      () => workflow.setState(LI, { id: 'a1', state: 'closed' }),
      'bad_arguments',
      /closing an alert needs a rationale/,
    );
    await refused(
      () => workflow.setState(LI, { id: 'a1', state: 'dismissed', reason: '   ' }),
      'bad_arguments',
      /dismissing an alert needs a rationale/,
    );
    await workflow.setState(LI, { id: 'a1', state: 'dismissed', reason: 'market maker, exempt' });
    await refused(() => workflow.setState(ZHAO, { id: 'a1', state: 'investigating' }), 'bad_arguments', /reopening/);
    expect(
      (await workflow.setState(ZHAO, { id: 'a1', state: 'investigating', reason: 'exemption expired' })).state,
    ).toBe('investigating');
  });

  it('audits assignments and notes; unknown ids get a clear error', async () => {
    const workflow = await openWorkflow();
    await workflow.ingest([alert('a1')]);
    expect((await workflow.assign(ZHAO, { id: 'a1', assignee: 'li.wei' })).assignee).toBe('li.wei');
    expect((await workflow.addNote(LI, { id: 'a1', text: 'called the client' })).notes).toBe(1);
    const rows = rowsOnDisk(['alert_state_changed', 'note_added']);
    expect(rows.map((r) => [r.operator, r.action])).toEqual([
      ['zhao.min', 'alert_state_changed'],
      ['li.wei', 'note_added'],
    ]);
    expect(JSON.parse(rows[0]!.details)).toMatchObject({ change: 'assign', assignee: 'li.wei' });
    await refused(() => workflow.get('nope'), 'bad_arguments', /no alert "nope"/);
    await refused(
      () => workflow.setState(LI, { id: 'nope', state: 'acknowledged' }),
      'bad_arguments',
      /no alert "nope"/,
    );
    await refused(() => workflow.addNote(LI, { id: 'a1', text: '  ' }), 'bad_arguments', /must not be empty/);
  });

  it('is rebuilt from the audit log after a restart (state, assignee, notes, history), without re-creating alerts', async () => {
    const first = await openWorkflow();
    await first.ingest([alert('a1'), alert('a2', { rule: 'frequent_cancel' })]);
    await first.setState(LI, { id: 'a1', state: 'acknowledged' });
    await first.setState(LI, { id: 'a1', state: 'escalated', reason: 'looks coordinated', target: SUPERVISORS });
    await first.assign(LI, { id: 'a1', assignee: 'zhao.min' });
    await first.addNote(ZHAO, { id: 'a1', text: 'reviewing with compliance' });
    await first.setState(LI, { id: 'a2', state: 'dismissed', reason: 'hedging, documented' });
    await first.stop();
    audit.close();

    audit = AuditLog.open(auditFile);
    open.push(audit);
    const second = await openWorkflow();
    expect(second.replayProblems).toEqual([]);
    const a1 = second.get('a1');
    expect(a1.alert).toMatchObject({
      id: 'a1',
      state: 'escalated',
      assignee: 'zhao.min',
      notes: 1,
      rule: 'self_trade',
    });
    expect(a1.alert.message).toContain('5 self-trades');
    expect(a1.notes[0]).toMatchObject({ operator: 'zhao.min', text: 'reviewing with compliance' });
    expect(a1.history.map((h) => h.to)).toEqual(['acknowledged', 'escalated']);
    expect(a1.history[1]!.target).toEqual(SUPERVISORS);
    expect(a1.alert.escalatedTo).toEqual(SUPERVISORS);
    expect(second.get('a2').alert.state).toBe('dismissed');
    // Only open alerts are shown before the core sends them again.
    let snapshot: AlertRow[] = [];
    second.subscribe('alerts', (u) => {
      if (u.snapshot) snapshot = u.rows;
    });
    expect(snapshot.map((r) => r.id)).toEqual(['a1']);
    // The core re-sends both after its restart: no second alert_created, workflow kept.
    await second.ingest([alert('a1', { count: 7 }), alert('a2', { rule: 'frequent_cancel' })]);
    expect(rowsOnDisk(['alert_created'])).toHaveLength(2);
    expect(second.row('a1')).toMatchObject({ count: 7, state: 'escalated' });
  });

  it('closes or dismisses from every open state with a rationale, never without', async () => {
    const workflow = await openWorkflow();
    const pathTo: Record<string, AlertRow['state'][]> = {
      new: [],
      acknowledged: ['acknowledged'],
      investigating: ['investigating'],
      escalated: ['escalated'],
    };
    for (const from of OPEN_STATES) {
      for (const to of ['closed', 'dismissed'] as const) {
        const id = `${from}-${to}`;
        await workflow.ingest([alert(id)]);
        for (const step of pathTo[from]!)
          await workflow.setState(LI, { id, state: step, reason: 'r', target: SUPERVISORS });
        await refused(() => workflow.setState(LI, { id, state: to }), 'bad_arguments', /needs a rationale/);
        expect((await workflow.setState(LI, { id, state: to, reason: 'closed – no action: hedge' })).state).toBe(to);
        expect(workflow.get(id).history.at(-1)).toMatchObject({ from, to, reason: 'closed – no action: hedge' });
      }
    }
  });

  it('acknowledging an unassigned alert assigns it to the operator in the same audited write', async () => {
    const workflow = await openWorkflow();
    await workflow.ingest([alert('a1'), alert('a2'), alert('a3')]);
    const before = rowsOnDisk().length;
    const row = await workflow.setState(LI, { id: 'a1', state: 'acknowledged' });
    expect(row).toMatchObject({ state: 'acknowledged', assignee: 'li.wei' });
    const written = rowsOnDisk().slice(before);
    expect(written.map((r) => [r.operator, JSON.parse(r.details).change ?? 'state'])).toEqual([
      ['li.wei', 'state'],
      ['li.wei', 'assign'],
    ]);
    // One transaction: consecutive ids, the same time.
    expect(written[1]!.id).toBe(written[0]!.id + 1);
    expect(written[1]!.time).toBe(written[0]!.time);
    // An alert someone owns keeps its owner; the system never takes an alert.
    await workflow.assign(ZHAO, { id: 'a2', assignee: 'zhao.min' });
    expect((await workflow.setState(LI, { id: 'a2', state: 'acknowledged' })).assignee).toBe('zhao.min');
    expect(
      (await workflow.setState({ operator: 'system', role: 'system' }, { id: 'a3', state: 'acknowledged' })).assignee,
    ).toBe(null);
    // Rebuilt the same from the log.
    await workflow.stop();
    expect((await openWorkflow()).row('a1')).toMatchObject({ state: 'acknowledged', assignee: 'li.wei' });
  });

  it('escalation needs a target (a known operator or role) and a reason, and records the target', async () => {
    const workflow = await openWorkflow({ isOperator: (name) => name === 'zhao.min' });
    await workflow.ingest([alert('a1')]);
    await refused(
      () => workflow.setState(LI, { id: 'a1', state: 'escalated', reason: 'r' }),
      'bad_arguments',
      /operator or role/,
    );
    await refused(
      () => workflow.setState(LI, { id: 'a1', state: 'escalated', target: SUPERVISORS }),
      'bad_arguments',
      /escalating needs a reason/,
    );
    await refused(
      () =>
        workflow.setState(LI, { id: 'a1', state: 'escalated', reason: 'r', target: { kind: 'operator', id: 'ghost' } }),
      'bad_arguments',
      /no enabled operator "ghost"/,
    );
    const row = await workflow.setState(LI, {
      id: 'a1',
      state: 'escalated',
      reason: 'coordinated with A2',
      target: { kind: 'operator', id: 'zhao.min' },
    });
    expect(row.escalatedTo).toEqual({ kind: 'operator', id: 'zhao.min' });
    const last = rowsOnDisk(['alert_state_changed']).at(-1)!;
    expect(JSON.parse(last.details)).toMatchObject({ to: 'escalated', target: { kind: 'operator', id: 'zhao.min' } });
    expect(last.reason).toBe('coordinated with A2');
  });
});

describe('the shared transition table', () => {
  it('gives each state the verbs of its valid moves, and every verb leads to an allowed state', () => {
    expect(verbsFrom('new')).toEqual(['acknowledge', 'investigate', 'escalate', 'dismiss', 'close']);
    expect(verbsFrom('acknowledged')).toEqual(['investigate', 'escalate', 'dismiss', 'close']);
    expect(verbsFrom('escalated')).toEqual(['investigate', 'dismiss', 'close']);
    expect(verbsFrom('closed')).toEqual(['reopen']);
    expect(verbsFrom('dismissed')).toEqual(['reopen']);
    for (const from of ALERT_STATES) {
      for (const verb of verbsFrom(from)) expect(ALERT_TRANSITIONS[from]).toContain(stateOfVerb(verb));
      expect(verbsFrom(from)).toHaveLength(ALERT_TRANSITIONS[from].length);
    }
  });

  it('says which moves need typed text, and why a move is refused', () => {
    expect(needsReason('new', 'acknowledged')).toBe(false);
    expect(needsReason('new', 'closed')).toBe(true);
    expect(needsReason('closed', 'investigating')).toBe(true);
    expect(needsReason('acknowledged', 'escalated')).toBe(true);
    expect(transitionProblem('new', 'closed', 'no action: hedge')).toBeNull();
    expect(transitionProblem('new', 'closed', ' ')).toMatch(/closing an alert needs a rationale/);
    expect(transitionProblem('escalated', 'acknowledged', '')).toMatch(/cannot go from escalated to acknowledged/);
    expect(transitionProblem('new', 'escalated', 'r', { kind: 'role', id: 'boss' })).toMatch(/unknown role "boss"/);
    expect(transitionProblem('new', 'escalated', 'r', { kind: 'role', id: 'supervisor' })).toBeNull();
  });
});
