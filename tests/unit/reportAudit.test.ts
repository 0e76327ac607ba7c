// The audit rows of a trading day's report: work on the day's alerts counts whenever it was done (an operator
// closing alerts at 19:00 China time belongs to that day, not the next), other operator actions count inside the
// trading day's window or while the reported session was received; each row reads as what the operator did.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertWorkflow } from '../../main/alerts/workflow';
import { activityOf, operatorRowsOfDay, tradingDayWindow } from '../../main/reports/auditActivity';
import { buildDailyReport } from '../../main/reports/build';
import type { SessionFacts } from '../../main/reports/collect';
import { AuditLog } from '../../main/store/auditLog';
import { SqliteAuditStore } from '../../main/store/auditStore';
import type { Alert } from '../../shared/rules/types';

let dir: string;
let now = 0;
let audit: AuditLog;
const LI = { operator: 'li.wei', role: 'operator' };
const ZHAO = { operator: 'zhao.min', role: 'supervisor' };
const DAY = '20261207';
// 19:20 China time on the trading day: after the 18:00 end of its wall-clock window.
const EVENING = Date.UTC(2026, 11, 7, 11, 20);

function alert(id: string, tradingDay = DAY): Alert {
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
    firstSeq: 1,
    lastSeq: 2,
    count: 5,
    threshold: 5,
    tradingDay,
    message: 'm',
    messageZh: 'm',
    evidence: [1, 2],
    metrics: {},
  };
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-report-audit-'));
  now = EVENING - 3600_000;
  audit = AuditLog.open(path.join(dir, 'audit.sqlite'), { clock: () => now });
});
afterEach(() => {
  audit.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('operator rows of a trading day', () => {
  it('keeps evening work on the day’s alerts and drops other days’ alerts', async () => {
    const workflow = await AlertWorkflow.open({ audit: new SqliteAuditStore(audit) });
    await workflow.ingest([alert('a1'), alert('old', '20261204')]);
    now = EVENING;
    await workflow.setState(LI, { id: 'a1', state: 'closed', reason: 'closed – no action: hedge' });
    await workflow.setState(LI, { id: 'old', state: 'acknowledged' });
    await workflow.addNote(LI, { id: 'a1', text: 'called the client' });
    const rows = audit.readRows();
    const window = tradingDayWindow(DAY)!;
    expect(EVENING).toBeGreaterThanOrEqual(window.to);

    const ofDay = operatorRowsOfDay(rows, DAY);
    expect(ofDay.map((r) => activityOf(r).code)).toEqual(['close', 'note']);
    expect(ofDay.every((r) => r.target === 'alert:a1')).toBe(true);
  });

  it('counts four-eyes steps inside the window or the session span, not outside both', () => {
    now = EVENING;
    const approve = audit.append({ ...ZHAO, action: 'account_action_approved', target: 'account:A1', details: {} });
    const rows = audit.readRows();
    expect(operatorRowsOfDay(rows, DAY)).toEqual([]);
    const span = { firstTs: EVENING - 60_000, lastTs: EVENING + 60_000 };
    expect(operatorRowsOfDay(rows, DAY, span).map((r) => r.id)).toEqual([approve.id]);
    expect(activityOf(approve)).toMatchObject({ code: 'approve', en: 'Approve' });
  });

  it('puts the dispositions with their rationale and the activity by verb in the daily report', async () => {
    const workflow = await AlertWorkflow.open({ audit: new SqliteAuditStore(audit) });
    await workflow.ingest([alert('a1'), alert('a2')]);
    now = EVENING;
    await workflow.setState(LI, { id: 'a1', state: 'acknowledged' });
    await workflow.setState(LI, {
      id: 'a1',
      state: 'escalated',
      reason: 'two accounts, one desk',
      target: { kind: 'role', id: 'supervisor' },
    });
    await workflow.setState(ZHAO, { id: 'a2', state: 'closed', reason: 'closed – no action' });
    const facts = {
      tradingDay: DAY,
      alerts: [alert('a1'), alert('a2')],
      tallies: [],
      gaps: [],
      counters: { messages: 10 },
      firstTs: null,
      lastTs: null,
      input: 'x',
      inputSha256: '',
      rulesVersion: 'v',
    } as unknown as SessionFacts;
    const doc = buildDailyReport({
      facts,
      auditRows: operatorRowsOfDay(audit.readRows(), DAY),
      disposition: (id) => workflow.row(id)?.state ?? 'new',
      generatedAt: 'now',
    });
    const dispositions = doc.tables.find((table) => table.id === 'dispositions')!;
    expect(dispositions.rows.map((r) => [r.alertId, r.activity, r.reason, r.target])).toEqual([
      ['a1', 'Acknowledge ‖ 确认', null, null],
      ['a1', 'Escalate ‖ 上报', 'two accounts, one desk', 'role:supervisor'],
      ['a2', 'Close ‖ 结案', 'closed – no action', null],
    ]);
    const operators = doc.tables.find((table) => table.id === 'operators')!;
    expect(operators.rows.map((r) => [r.operator, r.activity, r.count])).toEqual([
      ['li.wei', 'Acknowledge ‖ 确认', 1],
      ['li.wei', 'Assign ‖ 分派', 1],
      ['li.wei', 'Escalate ‖ 上报', 1],
      ['zhao.min', 'Close ‖ 结案', 1],
    ]);
  });
});
